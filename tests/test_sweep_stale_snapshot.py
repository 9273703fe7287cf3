"""People act while a sweep plans (the loop is free for that: planning runs in a thread) and while
it sends (minutes at Telegram's pace). A reminder is never sent for a measure as it was: one
reported done or reassigned meanwhile gets no reminder (nor does the unit it was taken from), one
renumbered does not stop the sweep, and one that only gained a progress note keeps its reminder."""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot import sweeping
from bot.sweeping import sweep
from ledger import planner
from ledger.service import import_file
from store import Repository
from tests.harness import ADMIN, TZ, Bot, running_bot
from tests.test_office_ids import EDU, office_ledger

BOUND = dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)  # yellow: the binding's own catch-up sends it
OVERDUE = dt.datetime(2024, 8, 27, 9, 0, tzinfo=TZ)  # the deadline (8月25日前) passed: red is owed


async def held_sweep(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Bot, Repository, threading.Event, asyncio.Task[Any]]]:
    """A bot with 区教育局 bound, at a moment the sweep owes red reminders, and a sweep held in its
    planning thread until the caller sets the event (the loop keeps answering meanwhile)."""
    repo = Repository.open(str(tmp_path / "s.json"))
    import_file(repo, office_ledger(tmp_path / "台账.csv", 2), dt.datetime(2024, 3, 1, tzinfo=TZ), "t")
    planning, go = threading.Event(), threading.Event()
    real = planner.plan

    def held_plan(*args: Any, **kw: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():  # only the sweep's planning thread
            planning.set()
            go.wait(timeout=10)
        return real(*args, **kw)

    async for bot in running_bot(repo, BOUND):
        link = await bot.say(ADMIN, "/invite 区教育局")
        await bot.say(EDU, "/start " + link.text.rsplit("start=", 1)[1].strip())
        await sweep(bot.s)  # what is owed today went out
        bot.clock.set(OVERDUE)
        monkeypatch.setattr(sweeping, "plan", held_plan)
        task = asyncio.create_task(sweep(bot.s))
        assert await asyncio.to_thread(planning.wait, 10)
        yield bot, repo, go, task
    repo.close()


def reminders_since(bot: Bot, before: int) -> list[str]:
    return [m.text for m in bot.emu.bot_messages(EDU)[before:] if "逾期" in m.text]


async def test_no_reminder_for_a_measure_reported_done_or_reassigned_during_planning(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async for bot, repo, go, task in held_sweep(tmp_path, monkeypatch):
        await bot.say(EDU, "/done ZG-01 已整治完毕")
        await bot.say(ADMIN, "/reassign 2024-整改-015 单位0 转办")
        assert repo.measure("ZG-01").status == "submitted"
        assert repo.measure("2024-整改-015").unit != "区教育局"
        before = len(bot.emu.bot_messages(EDU))
        go.set()
        await task
        after = reminders_since(bot, before)
        assert [t for t in after if "（二）4" in t], f"the unchanged measure lost its reminder: {after}"
        assert not [t for t in after if "ZG-01" in t], f"reminder for a measure just reported done: {after}"
        assert not [t for t in after if "2024-整改-015" in t], f"reminder to the old unit: {after}"


async def test_a_renumbering_during_planning_does_not_abort_the_sweep(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async for bot, repo, go, task in held_sweep(tmp_path, monkeypatch):
        repo.rename_measures([("ZG-01", "ZG-99")])  # what a renumbering re-import does on the loop
        before = len(bot.emu.bot_messages(EDU))
        go.set()
        report = await task  # before: UnknownMeasure for ZG-01 stopped every chat's delivery
        after = reminders_since(bot, before)
        assert [t for t in after if "ZG-99" in t] and not [t for t in after if "ZG-01" in t], after
        assert report.failed == 0


async def test_a_note_added_during_planning_does_not_cost_the_measure_its_reminder(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed measure is planned again, not dropped: a progress note changes nothing the reminder
    depends on, so it still goes out (the next sweep is tomorrow)."""
    async for bot, repo, go, task in held_sweep(tmp_path, monkeypatch):
        events = len(repo.measure("ZG-01").history)
        await bot.say(EDU, "/note ZG-01 已完成招标，下周进场")
        assert len(repo.measure("ZG-01").history) == events + 1
        before = len(bot.emu.bot_messages(EDU))
        go.set()
        await task
        after = reminders_since(bot, before)
        assert [t for t in after if "ZG-01" in t], f"no reminder for ZG-01 after a note: {after}"
