"""Updates from different chats are handled side by side; updates within one chat, in order.

PTB handles one update at a time by default, so one admin's `/export` of a large ledger would
hold up every unit's `/help`. Fully concurrent handling would instead let a person's answer
overtake the question it answers. This processor keeps each chat's updates in order (a lock per
chat) and lets chats proceed independently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdates(BaseUpdateProcessor):
    def __init__(
        self,
        on_done: Callable[[int], None] | None = None,
        max_concurrent_updates: int = 64,
        handling: Callable[[int], AbstractContextManager[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._on_done = on_done  # the durable inbox forgets a handled update (bot.inbox)
        self._handling = handling  # ... and with the first change the update makes, in the same write

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                if self._handling is not None and isinstance(update, Update):
                    with self._handling(update.update_id):
                        await coroutine
                else:
                    await coroutine
                if self._on_done is not None and isinstance(update, Update):
                    self._on_done(update.update_id)
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]  # idle chats hold no lock

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
