"""A sweep plans in a worker thread: the bot answers while a large sweep is being planned.

Planning is held, without any sleep, until the /help sent meanwhile has its answer: if planning ran
on the event loop again, the loop would be stuck in it, /help would wait for the whole sweep (here:
for the gate's 10 s timeout, and then behind the reminders) and the test fails.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
import threading
from typing import Any

import pytest

from bot import sweeping
from bot.sweeping import sweep
from ledger import planner
from ledger.planner import Reminder
from ledger.service import import_file
from store import Repository
from tests.harness import ADMIN, TZ, running_bot
from tests.test_office_ids import EDU, IDS, office_ledger


async def test_help_is_answered_while_a_sweep_is_being_planned(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    import_file(repo, office_ledger(tmp_path / "台账.csv", 200), dt.datetime(2024, 3, 1, tzinfo=TZ), "t")
    planning, go = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}
    real = planner.plan

    def held_plan(*args: Any, **kw: Any) -> list[Reminder]:
        seen["thread"] = threading.current_thread()
        seen["sent"] = args[1]
        planning.set()
        seen["released"] = go.wait(timeout=10)  # False: nobody could answer while planning held the loop
        return real(*args, **kw)

    monkeypatch.setattr(sweeping, "plan", held_plan)
    async for bot in running_bot(repo, dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)):
        link = await bot.say(ADMIN, "/invite 区教育局")
        await bot.say(EDU, "/start " + link.text.rsplit("start=", 1)[1].strip())
        before = len(bot.emu.bot_messages(EDU))
        task = asyncio.create_task(sweep(bot.s))
        assert await asyncio.to_thread(planning.wait, 10), "the sweep never started planning"
        answer = await bot.say(EDU, "/help")
        assert bot.emu.bot_messages(EDU)[before:] == [answer], "/help waited for the sweep's reminders"
        go.set()
        report = await task
        assert seen["released"], "planning held the event loop: /help could not be answered meanwhile"
        assert seen["thread"] is not threading.main_thread()
        assert isinstance(seen["sent"], frozenset)  # a snapshot: the loop may record keys meanwhile
        reminders = bot.emu.bot_messages(EDU)[before + 1 :]
        assert report.sent >= 1 and all(any(mid in m.text for m in reminders) for mid in IDS)
        assert not bot.emu.errors
    repo.close()


async def test_only_one_sweep_plans_at_a_time(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two sweeps started together (the catch-up and the daily job): the second plans after the
    first has recorded what it sent, so nothing goes out twice."""
    repo = Repository.open(str(tmp_path / "s.json"))
    import_file(repo, office_ledger(tmp_path / "台账.csv"), dt.datetime(2024, 3, 1, tzinfo=TZ), "t")
    active, most = [0], [0]
    real = planner.plan

    def counted(*args: Any, **kw: Any) -> list[Reminder]:
        active[0] += 1
        most[0] = max(most[0], active[0])
        try:
            return real(*args, **kw)
        finally:
            active[0] -= 1

    monkeypatch.setattr(sweeping, "plan", counted)
    async for bot in running_bot(repo, dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)):
        link = await bot.say(ADMIN, "/invite 区教育局")
        await bot.say(EDU, "/start " + link.text.rsplit("start=", 1)[1].strip())
        first, second = await asyncio.gather(sweep(bot.s), sweep(bot.s))
        assert most[0] == 1
        assert first.sent >= 1 and second.planned == 0
    repo.close()
