"""What every channel shares: the message it renders, pacing to a vendor's limit, and retries.

Pacing is a sliding window per address (WeCom and DingTalk: 20 a minute per robot; Feishu: 100 a
minute and 5 a second per robot). Retries: a vendor's own "too fast" / "busy" codes, HTTP 429 and
5xx, and timeouts are retried with exponential backoff; "robot removed / key invalid" is final
(`gone`), like Telegram's 403. Clock and sleep are injected, so tests run in virtual time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Note:
    """One message, channel-neutral: a title, Markdown lines, and the measure page's link if any."""

    title: str
    lines: tuple[str, ...]
    link: str = ""
    link_label: str = ""

    @property
    def markdown(self) -> str:
        return "\n".join(self.lines)


class Outcome(Enum):
    OK = "ok"
    RETRY = "retry"  # rate limited, busy, 5xx, timeout: try again after a wait
    FAILED = "failed"  # refused for this message (bad request): retried at the next sweep
    GONE = "gone"  # robot removed or key/secret invalid: the address is marked inactive


@dataclass
class Reply:
    outcome: Outcome
    detail: str = ""  # the vendor's code and message (never the URL)
    wait: float = 0.0  # a vendor-told wait before retrying


@dataclass
class Pacer:
    """At most `count` sends per `window` seconds per address, for each (count, window) limit."""

    limits: tuple[tuple[int, float], ...]
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    _sent: dict[str, deque[float]] = field(default_factory=dict)

    async def wait(self, address: str) -> None:
        times = self._sent.setdefault(address, deque())
        longest = max(w for _, w in self.limits)
        while True:
            now = self.clock()
            while times and now - times[0] >= longest:
                times.popleft()
            wait = 0.0
            for count, window in self.limits:
                recent = [t for t in times if now - t < window]
                if len(recent) >= count:
                    wait = max(wait, window - (now - recent[-count]))
            if wait <= 0:
                times.append(now)
                return
            await self.sleep(wait)


async def with_retries(
    attempt: Callable[[], Awaitable[Reply]], sleep: Sleep, *, attempts: int = 5, base: float = 1.0
) -> Reply:
    """Run `attempt` until it is final; retryable replies wait (the vendor's wait, or backoff)."""
    reply = Reply(Outcome.RETRY)
    for n in range(attempts):
        reply = await attempt()
        if reply.outcome is not Outcome.RETRY:
            return reply
        await sleep(max(reply.wait, base * 2**n))
    return Reply(Outcome.FAILED, f"gave up after {attempts} attempts: {reply.detail}")
