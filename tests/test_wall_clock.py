"""The wall clock decides: a sweep owed after a suspend or a clock step runs, and a digest whose
weekday is a holiday goes out on the last working day before it."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.schedule import schedule_jobs
from ledger.hours import digest_day, digest_owed, sweep_owed
from ledger.policy import Policy
from store import Repository
from tests.harness import ADMIN, TZ, running_bot
from tests.test_jobs import EDU, bind_edu, small_ledger

POLICY = Policy()


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


@pytest.mark.parametrize(
    "week_of,expected",
    [
        (dt.date(2024, 6, 3), dt.date(2024, 6, 7)),  # an ordinary week: Friday
        (dt.date(2024, 10, 2), dt.date(2024, 9, 30)),  # National Day week: Friday is off, Monday works
        (dt.date(2025, 1, 29), dt.date(2025, 1, 27)),  # Spring Festival: the Monday before the holiday
        (dt.date(2024, 2, 14), None),  # Spring Festival week 2024: no working day up to Friday
    ],
)
def test_the_digest_moves_to_the_last_working_day_before_a_day_off(week_of: dt.date, expected: dt.date) -> None:
    assert digest_day(week_of, POLICY) == expected


def test_what_is_owed_by_the_wall_clock() -> None:
    assert sweep_owed(at(2024, 6, 4, 10, 30), POLICY, at(2024, 6, 3, 9))  # yesterday's run: today's is owed
    assert not sweep_owed(at(2024, 6, 4, 10, 30), POLICY, at(2024, 6, 4, 9))  # already ran today
    assert not sweep_owed(at(2024, 6, 4, 8, 30), POLICY, None)  # before send_at
    assert not sweep_owed(at(2024, 6, 8, 10, 0), POLICY, None)  # a Saturday
    assert digest_owed(at(2024, 9, 30, 16, 5), POLICY, at(2024, 9, 27, 16))
    assert not digest_owed(at(2024, 9, 30, 16, 5), POLICY, at(2024, 9, 30, 16))
    assert not digest_owed(at(2024, 10, 4, 16, 5), POLICY, None) or digest_day(dt.date(2024, 10, 4), POLICY) != dt.date(
        2024, 10, 4
    )


async def test_after_a_suspend_the_watch_runs_the_owed_sweep_and_digest_once(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    start = at(2024, 6, 3, 8, 0)
    bind_edu(repo, start)
    async for bot in running_bot(repo, start):
        schedule_jobs(bot.app, bot.s, catch_up_after=3600)
        jq = bot.app.job_queue
        assert jq is not None
        watch = jq.get_jobs_by_name("watch")[0]
        bot.clock.set(at(2024, 6, 3, 9, 0))
        await jq.get_jobs_by_name("sweep")[0].run(bot.app)
        first = len(bot.emu.bot_messages(EDU))
        assert first > 0
        await watch.run(bot.app)  # the same day: nothing more
        assert len(bot.emu.bot_messages(EDU)) == first
        # the machine slept from Monday evening to Tuesday 10:30; the 24-hour timer has not fired
        bot.clock.set(at(2024, 6, 4, 10, 30))
        await watch.run(bot.app)
        second = len(bot.emu.bot_messages(EDU))
        assert second > first  # Tuesday's yellow warning went out
        await watch.run(bot.app)
        assert len(bot.emu.bot_messages(EDU)) == second
        bot.clock.set(at(2024, 6, 7, 16, 1))  # Friday after 16:00: the digest, once
        await watch.run(bot.app)
        await watch.run(bot.app)
        digests = [m for m in bot.emu.bot_messages(ADMIN) if "整改调度周报" in m.text]
        assert len(digests) == 1
    repo.close()
