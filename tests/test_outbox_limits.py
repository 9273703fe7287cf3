"""The emulator holds the bot to Telegram's real limits, and the outbox keeps within them.

First the model (a sender that does not pace is refused as Telegram would refuse it), then the
outbox against it: 1 000 messages to 200 chats in three orders, in virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import Conflict, Forbidden, RetryAfter

from bot.outbox import Outbox
from devtools.emulator import Emulator
from devtools.emulator import VirtualClock as Clock
from devtools.loadgen import ORDERS, ceiling, mix, order
from tests.harness import TZ


@contextlib.asynccontextmanager
async def telegram_like() -> AsyncIterator[tuple[Emulator, Bot, Clock]]:
    clock = Clock(dt.datetime(2024, 8, 21, 9, tzinfo=TZ))
    emu = Emulator(max_per_second=30, chat_limits=True, clock=clock.monotonic)
    await emu.start()
    try:
        async with Bot(emu.token, base_url=emu.base_url) as raw:
            yield emu, raw, clock
    finally:
        await emu.stop()


async def refused(coro: object) -> int | None:
    try:
        await coro  # type: ignore[misc]
    except RetryAfter as e:
        return int(e._retry_after.total_seconds()) if hasattr(e, "_retry_after") else 0
    return None


async def test_a_person_gets_one_message_a_second_and_a_group_twenty_a_minute() -> None:
    async with telegram_like() as (emu, raw, clock):
        assert await refused(raw.send_message(7, "一")) is None
        assert await refused(raw.send_message(7, "二")) == 1  # too soon for the same person
        assert await refused(raw.send_message(8, "别人")) is None  # another person is fine
        clock.mono += 1.0
        assert await refused(raw.send_message(7, "二")) is None
        answers = [await refused(raw.send_message(-100, f"群{i}")) for i in range(22)]
        assert answers[:20] == [None] * 20 and answers[20:] == [60, 60]  # retry_after: the window's end
        clock.mono += 60.0
        assert await refused(raw.send_message(-100, "一分钟后")) is None
        assert emu.flood.throttled_chats == 3


async def test_messages_are_measured_in_utf16_code_units() -> None:
    async with telegram_like() as (_, raw, _):
        await raw.send_message(1, "中" * 4096)  # 4 096 units: fits
        with pytest.raises(Exception, match="too long"):
            await raw.send_message(2, "😀" * 2049)  # 2 049 characters, 4 098 units


async def test_a_403_says_who_removed_the_bot() -> None:
    async with telegram_like() as (emu, raw, _):
        emu.chat(-100, "group")
        emu.chat(-1001, "supergroup")
        emu.blocked |= {5, -100, -1001}
        said = []
        for chat in (5, -100, -1001):
            with pytest.raises(Forbidden) as e:
                await raw.send_message(chat, "在吗")
            said.append(e.value.message)
    assert said == [
        "Forbidden: bot was blocked by the user",
        "Forbidden: bot was kicked from the group chat",
        "Forbidden: bot was kicked from the supergroup chat",
    ]


async def test_a_second_poller_ends_the_first_with_409_conflict() -> None:
    async with telegram_like() as (emu, raw, _), Bot(emu.token, base_url=emu.base_url) as other_instance:
        first = asyncio.ensure_future(raw.get_updates(timeout=5))
        await emu.wait_for(lambda: emu.polls >= 1)  # the first long poll waits at the emulator
        second = await other_instance.get_updates(timeout=0)
        with pytest.raises(Conflict, match="only one bot instance"):
            await first
        assert second == ()


@pytest.mark.parametrize("kind", ORDERS)
async def test_the_outbox_delivers_a_mix_near_the_ceiling_without_a_429(kind: str) -> None:
    counts = mix(1000, 200, 40)
    async with telegram_like() as (emu, raw, clock):
        box = Outbox(raw, clock=clock.monotonic, sleep=clock.sleep, settle_in_flight=True)
        results = await asyncio.gather(*(box.send(chat, f"提醒 {i}") for i, chat in enumerate(order(counts, kind))))
    assert all(r.ok for r in results) and emu.throttled == 0
    span = emu.log[-1].at - emu.log[0].at
    assert len(emu.log) / span >= 0.9 * ceiling(counts)
