"""Telegram's flood control as a bot meets it, for the emulator.

Telegram documents its limits loosely ("about 30 messages per second" overall, "no more than one
message per second" in one chat, "no more than 20 messages per minute" in a group) and answers
429 Too Many Requests with `parameters.retry_after` when a bot goes over. The model here is the
strict reading: each message is counted when it arrives, a refused one is not counted, and
`retry_after` is the whole seconds until the oldest message in the full window leaves it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

SLACK = 1e-6  # arrivals this close to the window's edge are let through (float clocks)


@dataclass
class FloodControl:
    overall_per_second: float = 0.0  # 0: off
    per_chat: bool = False  # one a second per private chat, 20 a minute per group
    private_interval: float = 1.0
    group_per_minute: int = 20
    throttled: int = 0  # requests refused with 429
    throttled_chats: int = 0  # of which for a per-chat limit
    _overall: deque[float] = field(default_factory=deque)
    _private: dict[int, float] = field(default_factory=dict)
    _groups: dict[int, deque[float]] = field(default_factory=dict)

    def admit(self, chat_id: object, now: float) -> int | None:
        """None if a message to `chat_id` may arrive now (and count it), else its retry_after."""
        wait = 0.0
        if self.overall_per_second:
            _expire(self._overall, 1.0, now)
            if len(self._overall) >= self.overall_per_second:
                wait = self._overall[0] + 1.0 - now
        chat_wait = self._chat_wait(chat_id, now) if self.per_chat and isinstance(chat_id, int) else 0.0
        if wait > 0 or chat_wait > 0:
            self.throttled += 1
            self.throttled_chats += chat_wait > 0
            return max(1, math.ceil(max(wait, chat_wait) - SLACK))
        if self.overall_per_second:
            self._overall.append(now)
        if self.per_chat and isinstance(chat_id, int):
            if chat_id > 0:
                self._private[chat_id] = now
            else:
                self._groups.setdefault(chat_id, deque()).append(now)
        return None

    def _chat_wait(self, chat_id: int, now: float) -> float:
        if chat_id > 0:
            last = self._private.get(chat_id)
            return (
                0.0
                if last is None or now - last >= self.private_interval - SLACK
                else last + self.private_interval - now
            )
        times = self._groups.get(chat_id)
        if not times:
            return 0.0
        _expire(times, 60.0, now)
        return times[0] + 60.0 - now if len(times) >= self.group_per_minute else 0.0


def _expire(times: deque[float], window: float, now: float) -> None:
    while times and now - times[0] >= window - SLACK:
        times.popleft()
