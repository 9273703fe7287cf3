"""The outbox schedules: each chat has its own queue, and whichever chat may be sent to next is.

All in virtual time, against a fake bot that records when each request started and ended.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

from telegram.error import RetryAfter

from bot.outbox import Outbox
from devtools.emulator import VirtualClock as Clock
from tests.harness import TZ


class FakeBot:
    """Records (start, end, chat, text) per request; `latency` virtual seconds per request."""

    def __init__(self, clock: Clock, latency: float = 0.0) -> None:
        self.clock, self.latency = clock, latency
        self.sent: list[tuple[float, float, int, str]] = []
        self.refuse: dict[int, int] = {}  # chat -> retry_after of a 429 it answers once
        self.in_flight = self.most_in_flight = 0
        self.gate: asyncio.Event | None = None

    async def send_message(self, chat_id: int, text: str, **kw: object) -> object:
        start = self.clock.mono
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(0)
            self.clock.mono += self.latency
            if chat_id in self.refuse:
                raise RetryAfter(self.refuse.pop(chat_id))
            self.sent.append((start, self.clock.mono, chat_id, text))
            return object()
        finally:
            self.in_flight -= 1

    def starts(self, chat: int) -> list[float]:
        return [s for s, _, c, _ in self.sent if c == chat]


def box_and_bot(latency: float = 0.0) -> tuple[Outbox, FakeBot, Clock]:
    clock = Clock(dt.datetime(2024, 8, 21, 9, tzinfo=TZ))
    bot = FakeBot(clock, latency)
    return Outbox(bot, clock=clock.monotonic, sleep=clock.sleep), bot, clock  # type: ignore[arg-type]


async def test_one_chats_backlog_does_not_stall_the_others() -> None:
    box, bot, _ = box_and_bot()
    sends = [box.send(1, f"单位1 第{i}条") for i in range(5)]  # one unit's reminders, adjacent
    sends += [box.send(chat, "提醒") for chat in range(2, 26)]
    await asyncio.gather(*sends)
    assert max(max(bot.starts(chat)) for chat in range(2, 26)) < 1.0  # nobody waited for chat 1
    assert [t for _, _, c, t in bot.sent if c == 1] == [f"单位1 第{i}条" for i in range(5)]  # in order
    assert all(b - a >= 1.0 - 1e-6 for a, b in itertools.pairwise(bot.starts(1)))


async def test_a_reply_to_a_person_jumps_ahead_of_queued_reminders() -> None:
    box, bot, clock = box_and_bot()
    sweep = [asyncio.ensure_future(box.send(chat, "提醒")) for chat in range(1, 301)]
    await asyncio.sleep(0)
    t0 = clock.mono
    await box.send(9999, "/help 的回答", interactive=True)
    assert clock.mono - t0 <= 0.1  # not behind 300 reminders (10 s of them)
    await asyncio.gather(*sweep)
    assert len(bot.sent) == 301


async def test_a_429_parks_only_its_chat() -> None:
    box, bot, clock = box_and_bot()
    bot.refuse[1] = 45
    parked = asyncio.ensure_future(box.send(1, "被限流的群提醒"))
    for _ in range(5):
        await asyncio.sleep(0)
    t0 = clock.mono
    await box.send(2, "/help 的回答", interactive=True)
    assert clock.mono - t0 < 1.0  # issue 19 item 11: 45 s for chat 1, nothing for chat 2
    assert (await parked).ok and bot.starts(1)[0] >= 45.0


async def test_sends_are_stamped_when_they_complete() -> None:
    box, bot, _ = box_and_bot(latency=0.4)
    await asyncio.gather(*(box.send(7, f"m{i}") for i in range(4)))
    ends = [e for _, e, _, _ in bot.sent]
    starts = bot.starts(7)
    assert all(starts[i + 1] - ends[i] >= 1.0 - 1e-6 for i in range(3))  # Telegram counts on arrival


async def test_several_requests_are_in_flight_but_never_more_than_the_bound() -> None:
    box, bot, _ = box_and_bot()
    bot.gate = asyncio.Event()
    sends = asyncio.ensure_future(asyncio.gather(*(box.send(chat, "提醒") for chat in range(1, 41))))
    for _ in range(500):
        await asyncio.sleep(0)
        if bot.in_flight == 8:
            break
    assert bot.in_flight == box.max_in_flight == 8
    bot.gate.set()
    await sends
    assert bot.most_in_flight == 8 and len(bot.sent) == 40


async def test_a_sender_that_stops_waiting_leaves_nothing_behind() -> None:
    box, bot, _ = box_and_bot()
    waiting = [asyncio.ensure_future(box.send(5, f"m{i}")) for i in range(3)]
    await asyncio.sleep(0)
    waiting[2].cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    assert [t for _, _, _, t in bot.sent] == ["m0", "m1"] and box.pending == 0
