"""A durable inbox: every update is in the store before Telegram is told it was received.

Telegram forgets an update once the next getUpdates call confirms its offset, and PTB makes that
call as soon as the previous batch is queued, not when it has been handled: a crash in between
lost the updates (18 of 20 notes lost after a SIGKILL). `InboxBot.get_updates` writes each batch
to the store before returning it, and drops an update it kept before (Telegram sends a batch again
when its offset was never confirmed); `PerChatUpdates` marks each one done when handled; at
start-up `replay` queues what was kept but never handled. Update ids are remembered, not compared:
Telegram may restart its numbering lower after a week without updates.

The guarantee: each update's change is made exactly once, and each update is answered at least
once. `PerChatUpdates` runs a handler inside `repo.handling(update_id)`, and the first write the
handler makes marks the update applied in the same journal record: a crash after the change never
replays it, a crash before it replays the update whole. An update applied but not yet done (the
crash fell between the change and the answer) is not handled again at the restart; its chat gets
a short "handled before the restart" instead (`acknowledge`). So what a crash can repeat is an
answer, at most one per chat (each chat's updates are handled one at a time): a handler that
changed nothing (`/help`) answers again, or the short note follows an answer that had gone out.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import ApplicationBuilder, ExtBot

log = logging.getLogger(__name__)


class Inbox(Protocol):
    def inbox_add(self, updates: list[dict[str, Any]]) -> None: ...
    def inbox_done(self, update_id: int) -> None: ...
    def inbox_pending(self) -> list[dict[str, Any]]: ...
    def inbox_applied(self) -> list[dict[str, Any]]: ...
    def inbox_seen(self) -> frozenset[int]: ...


class InboxBot(ExtBot[Any]):
    __slots__ = ("inbox",)

    def attach(self, inbox: Inbox | None) -> None:
        """Keep fetched updates in `inbox` (PTB freezes its bots; this is the one attribute we set)."""
        with self._unfrozen():
            self.inbox = inbox

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | None = None,
        allowed_updates: Any = None,
        **kwargs: Any,
    ) -> tuple[Update, ...]:
        while True:
            updates = await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
            inbox: Inbox | None = getattr(self, "inbox", None)
            if inbox is None or not updates:
                return updates
            seen = inbox.inbox_seen()
            fresh = tuple(u for u in updates if u.update_id not in seen)
            if fresh:
                inbox.inbox_add([u.to_dict() for u in fresh])
                return fresh
            # all sent again after a crash (already kept): confirm them and ask for what is new
            offset = updates[-1].update_id + 1


class InboxApplicationBuilder(ApplicationBuilder):  # type: ignore[type-arg]
    """Builds the Application's bot as an `InboxBot` (PTB builds a plain ExtBot)."""

    def _build_ext_bot(self) -> ExtBot[Any]:
        plain = super()._build_ext_bot()
        bot = InboxBot(
            token=plain.token,
            base_url=plain.base_url.removesuffix(plain.token),
            base_file_url=plain.base_file_url.removesuffix(plain.token),
            defaults=plain.defaults,
            request=plain._request[1],
            get_updates_request=plain._request[0],
        )
        bot.attach(None)
        return bot


def replay(bot: ExtBot[Any], inbox: Inbox) -> list[Update]:
    """The updates kept but never handled, to be processed before new ones."""
    pending = [Update.de_json(d, bot) for d in inbox.inbox_pending()]
    if pending:
        log.warning("handling %d update(s) received before the last stop but not handled", len(pending))
    return [u for u in pending if u is not None]


async def acknowledge(bot: ExtBot[Any], inbox: Inbox, say: Callable[[int, str], Awaitable[object]]) -> int:
    """Updates applied before the last stop but not answered: `say(chat, what they said)`, then done."""
    applied = [u for u in (Update.de_json(d, bot) for d in inbox.inbox_applied()) if u is not None]
    for update in applied:
        chat, message = update.effective_chat, update.effective_message
        if chat is not None:
            what = (message.text or message.caption or "") if message else ""
            if update.callback_query is not None:
                what = message.text.split("\n", 1)[0] if message and message.text else ""
            await say(chat.id, what[:100])
        inbox.inbox_done(update.update_id)
    if applied:
        log.warning("%d update(s) applied before the last stop: told their chats", len(applied))
    return len(applied)
