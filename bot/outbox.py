"""One outbox for everything the bot sends on its own (reminders, digests, notices).

It paces sends to Telegram's limits (about 30 messages a second overall, one a second per
private chat, 20 a minute per group), honours `retry_after` on 429, retries network errors with
backoff, marks chats that blocked the bot (403) inactive, and follows groups that became
supergroups (ChatMigrated). The clock and the sleep are injected, so tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

log = logging.getLogger(__name__)


@dataclass
class SendResult:
    chat_id: int
    message: Message | None = None
    blocked: bool = False
    migrated_to: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.message is not None


@dataclass
class Outbox:
    bot: Bot
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    overall_per_second: float = 30.0
    private_interval: float = 1.0
    group_per_minute: int = 20
    max_attempts: int = 5
    _recent: deque[float] = field(default_factory=deque)
    _last_private: dict[int, float] = field(default_factory=dict)
    _group_times: dict[int, deque[float]] = field(default_factory=dict)

    async def _pace(self, chat_id: int) -> None:
        while True:
            now = self.clock()
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            wait = 0.0
            if len(self._recent) >= self.overall_per_second:
                wait = 1.0 - (now - self._recent[0])
            if chat_id > 0:
                last = self._last_private.get(chat_id)
                if last is not None:
                    wait = max(wait, self.private_interval - (now - last))
            else:
                times = self._group_times.setdefault(chat_id, deque())
                while times and now - times[0] >= 60.0:
                    times.popleft()
                if len(times) >= self.group_per_minute:
                    wait = max(wait, 60.0 - (now - times[0]))
            if wait <= 0:
                self._recent.append(now)
                if chat_id > 0:
                    self._last_private[chat_id] = now
                else:
                    self._group_times.setdefault(chat_id, deque()).append(now)
                return
            await self.sleep(wait)

    async def send(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        send: Callable[[int], Awaitable[Message]] | None = None,
    ) -> SendResult:
        """Send a message (or run `send` for a file); never raises for Telegram's refusals."""
        result = SendResult(chat_id)
        attempt = waits = 0
        while attempt < self.max_attempts and waits < 20:
            attempt += 1
            await self._pace(chat_id)
            try:
                if send is not None:
                    result.message = await send(chat_id)
                else:
                    result.message = await self.bot.send_message(
                        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
                    )
                result.chat_id = chat_id
                return result
            except RetryAfter as e:
                with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
                    warnings.simplefilter("ignore")
                    after = e.retry_after
                delay = after.total_seconds() if isinstance(after, dt.timedelta) else float(after)
                log.info("429 from Telegram, waiting %.1fs", delay)
                attempt -= 1  # a 429 is Telegram asking us to wait, not a failed attempt
                waits += 1
                await self.sleep(delay)
            except ChatMigrated as e:
                log.info("chat %s migrated to %s", chat_id, e.new_chat_id)
                result.migrated_to = chat_id = e.new_chat_id
            except Forbidden as e:
                result.blocked, result.error = True, str(e)
                return result
            except BadRequest as e:
                result.error = str(e)
                log.warning("Telegram refused a message to %s: %s", chat_id, e)
                return result
            except (TimedOut, NetworkError) as e:
                result.error = str(e)
                await self.sleep(min(2.0**attempt, 30.0))
        return result
