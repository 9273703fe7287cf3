"""Telegram's flood limits as the outbox counts them: when may the next message leave, and to whom.

Telegram counts a message when it arrives, and we only know it has arrived when the request
completes, so every send is stamped on completion (a conservative stamp: never earlier than
Telegram's). A request still in flight holds a slot of the overall limit until it completes.

- overall: at most `overall_per_second` messages in any one-second window; reminders (bulk) leave
  at most one every 1/overall seconds and keep `interactive_reserve` slots free, so a reply to a
  person never waits behind a burst of reminders;
- a private chat: one message per `private_interval` seconds;
- a group: at most `group_per_minute` messages in any sixty-second window.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

FOREVER = math.inf
SLACK = 1e-9  # float rounding: a clock moved by exactly the wait may land a hair short of it


def until(since: float, span: float, now: float) -> float:
    """Seconds until `span` has passed since `since` (0.0 once it has)."""
    remaining = span - (now - since)
    return remaining if remaining > SLACK else 0.0


@dataclass
class Pacing:
    overall_per_second: float = 30.0
    private_interval: float = 1.0
    group_per_minute: int = 20
    interactive_reserve: int = 1
    _recent: deque[float] = field(default_factory=deque)  # completion stamps, last second
    _last_bulk: float = -FOREVER  # when the last reminder was handed to Telegram
    _last_private: dict[int, float] = field(default_factory=dict)
    _group_times: dict[int, deque[float]] = field(default_factory=dict)

    def overall_wait(self, now: float, in_flight: int, interactive: bool) -> float:
        """Seconds until one more message may leave (FOREVER: wait for a request to complete)."""
        recent = self._recent
        while recent and now - recent[0] >= 1.0 - SLACK:
            recent.popleft()
        cap = int(self.overall_per_second) - (0 if interactive else self.interactive_reserve)
        used = len(recent) + in_flight
        wait = 0.0
        if used >= cap:
            k = used - cap  # this stamp's expiry frees a slot
            if k >= len(recent):
                return FOREVER
            wait = until(recent[k], 1.0, now)
        if not interactive:
            wait = max(wait, until(self._last_bulk, 1.0 / self.overall_per_second, now))
        return wait

    def chat_wait(self, chat_id: int, now: float) -> float:
        """Seconds until `chat_id` may receive its next message."""
        if chat_id > 0:
            last = self._last_private.get(chat_id)
            if last is None:
                return 0.0
            wait = until(last, self.private_interval, now)
            if not wait:
                del self._last_private[chat_id]  # forget idle chats: the dict stays small
            return wait
        times = self._group_times.get(chat_id)
        if times is None:
            return 0.0
        while times and now - times[0] >= 60.0 - SLACK:
            times.popleft()
        if not times:
            del self._group_times[chat_id]
            return 0.0
        if len(times) < self.group_per_minute:
            return 0.0
        return until(times[len(times) - self.group_per_minute], 60.0, now)

    def backlog(self, chat_id: int, queued: int) -> float:
        """Seconds `queued` messages need in `chat_id` at its own limit, however free the rest."""
        if chat_id > 0:
            return (queued - 1) * self.private_interval
        return (queued - 1) // self.group_per_minute * 60.0

    def started(self, interactive: bool, now: float) -> None:
        if not interactive:
            self._last_bulk = now

    def completed(self, chat_id: int, now: float) -> None:
        """Stamp a finished request, accepted or refused (counting a refusal too errs on the safe side)."""
        self._recent.append(now)
        if chat_id > 0:
            self._last_private[chat_id] = now
        else:
            self._group_times.setdefault(chat_id, deque()).append(now)
