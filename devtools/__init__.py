"""Development tools: the local Bot API emulator and the demo. Production code never imports this."""
