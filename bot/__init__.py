"""Telegram side of Duban: handlers, keyboards, the outbox and the local Bot API emulator."""
