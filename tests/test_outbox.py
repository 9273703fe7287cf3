"""The outbox keeps to Telegram's limits, in virtual time."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.outbox import Outbox
from bot.sweeping import sweep
from devtools.emulator import Emulator
from ledger.actions import Actor, bind_group, create_invite, redeem_invite
from ledger.models import Deadline, Measure, Problem
from store import Repository
from tests.harness import TZ, Clock


class FakeBot:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.sent: list[tuple[float, int]] = []

    async def send_message(self, chat_id: int, text: str, **kw: object) -> object:
        self.sent.append((self.clock.mono, chat_id))
        return object()


async def test_group_gets_at_most_20_a_minute_and_a_person_one_a_second() -> None:
    clock = Clock(dt.datetime(2024, 8, 21, 9, tzinfo=TZ))
    bot = FakeBot(clock)
    box = Outbox(bot, clock=clock.monotonic, sleep=clock.sleep)  # type: ignore[arg-type]
    for _ in range(45):
        await box.send(-100, "群消息")
    times = [t for t, _ in bot.sent]
    assert all(times[i + 20] - times[i] >= 60.0 - 1e-6 for i in range(len(times) - 20))
    for _ in range(5):
        await box.send(42, "私聊")
    private = [t for t, c in bot.sent if c == 42]
    assert all(b - a >= 1.0 - 1e-6 for a, b in itertools.pairwise(private))


async def test_at_most_30_a_second_overall() -> None:
    clock = Clock(dt.datetime(2024, 8, 21, 9, tzinfo=TZ))
    bot = FakeBot(clock)
    box = Outbox(bot, clock=clock.monotonic, sleep=clock.sleep)  # type: ignore[arg-type]
    for chat in range(1, 101):
        await box.send(chat, "提醒")
    times = [t for t, _ in bot.sent]
    assert all(times[i + 30] - times[i] >= 1.0 - 1e-6 for i in range(len(times) - 30))
    assert clock.mono >= 3.0


async def test_a_sweep_to_many_units_meets_an_emulator_that_enforces_the_limit(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    repo.put_problem(Problem(1, "大量单位"))
    repo.put_measures(
        [
            Measure(
                id=f"P1-{i}", problem=1, text="措施", unit=f"单位{i}", deadline=Deadline("date", dt.date(2024, 8, 22))
            )
            for i in range(1, 81)
        ]
    )
    now = dt.datetime(2024, 8, 21, 9, tzinfo=TZ)
    for i in range(1, 81):
        inv = create_invite(repo, Actor(0, 0, True), f"单位{i}", now)
        redeem_invite(repo, inv["code"], 1000 + i, 1000 + i, f"u{i}", now)
    bind_group(repo, Actor(0, 0, True), "单位1", -500, "群")
    from bot.services import Services, Settings
    from devtools.serve import serve_on_emulator
    from ledger.policy import Policy

    clock = Clock(now)
    emu = Emulator(max_per_second=30, clock=clock.monotonic)
    s = Services(repo=repo, policy=Policy(), clock=clock, settings=Settings(admins=frozenset({1})))
    async with serve_on_emulator(s, emu, clock.sleep, clock.monotonic):
        report = await sweep(s)
    repo.close()
    assert report.sent == 81 and report.failed == 0
    assert emu.throttled == 0  # the outbox paced itself under the emulator's 30 a second


async def test_the_emulator_does_throttle_a_sender_that_does_not_pace(tmp_path) -> None:
    from telegram import Bot
    from telegram.error import RetryAfter

    clock = Clock(dt.datetime(2024, 8, 21, 9, tzinfo=TZ))
    emu = Emulator(max_per_second=30, clock=clock.monotonic)
    await emu.start()
    try:
        async with Bot(emu.token, base_url=emu.base_url) as raw:
            throttled = 0
            for chat in range(1, 41):
                try:
                    await raw.send_message(chat, "x")
                except RetryAfter:
                    throttled += 1
        assert throttled == 10 and emu.throttled == 10
    finally:
        await emu.stop()
