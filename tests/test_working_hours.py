"""No reminders at night: a restart outside working hours holds the catch-up until the next send_at."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.schedule import schedule_jobs
from ledger.hours import held_until
from ledger.policy import ConfigError, Policy
from store import Repository
from tests.harness import TZ, running_bot
from tests.test_jobs import EDU, bind_edu, small_ledger

# P1-1 due Fri 06-07 (escalation by 06-18), P1-2 due Fri 06-14 (overdue), P1-3 due 06-28 (yellow).
OWED = {"P1-1", "P1-2", "P1-3"}


def measures_in(texts: list[str]) -> list[str]:
    return [t.split(" · ")[1].split("\n")[0] for t in texts]


@pytest.mark.parametrize(
    "restart,first_send",
    [
        (dt.datetime(2024, 6, 18, 3, 54), dt.datetime(2024, 6, 18, 9, 0)),  # a night restart: this morning
        (dt.datetime(2024, 6, 18, 19, 30), dt.datetime(2024, 6, 19, 9, 0)),  # an evening one: tomorrow
        (dt.datetime(2024, 6, 15, 11, 0), dt.datetime(2024, 6, 17, 9, 0)),  # a Saturday: Monday
        (dt.datetime(2024, 6, 18, 8, 40), dt.datetime(2024, 6, 18, 9, 0)),  # before send_at: one batch a day
    ],
    ids=["03:54", "19:30", "saturday", "08:40"],
)
async def test_a_restart_outside_working_hours_sends_nothing_until_the_next_send_at(
    tmp_path, restart: dt.datetime, first_send: dt.datetime
) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    bind_edu(repo, dt.datetime(2024, 5, 1, tzinfo=TZ))
    restart, first_send = restart.replace(tzinfo=TZ), first_send.replace(tzinfo=TZ)
    assert held_until(restart, Policy()) == first_send
    async for bot in running_bot(repo, restart):
        schedule_jobs(bot.app, bot.s)
        jq = bot.app.job_queue
        assert jq is not None
        await jq.get_jobs_by_name("catch-up")[0].run(bot.app)  # the start-up catch-up
        sweep_job = jq.get_jobs_by_name("sweep")[0]
        moment = restart
        while moment < first_send:  # the daily sweep at each of its fire times: nothing yet
            moment = sweep_job.job.trigger.get_next_fire_time(None, moment + dt.timedelta(minutes=1))
            if moment < first_send:
                bot.clock.set(moment)
                await sweep_job.run(bot.app)
        assert bot.emu.bot_messages(EDU) == []
        bot.clock.set(first_send)
        await sweep_job.run(bot.app)
        bot.clock.set(first_send + dt.timedelta(hours=2))
        await sweep_job.run(bot.app)  # a second run (a restart at 11:00) adds nothing
        got = measures_in([m.text for m in bot.emu.bot_messages(EDU)])
    repo.close()
    assert sorted(got) == sorted(OWED)
    assert len(got) == len(set(got))  # each owed reminder exactly once


async def test_a_restart_at_10_15_on_a_working_day_catches_up_at_once(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    bind_edu(repo, dt.datetime(2024, 5, 1, tzinfo=TZ))
    async for bot in running_bot(repo, dt.datetime(2024, 6, 18, 10, 15, tzinfo=TZ)):
        schedule_jobs(bot.app, bot.s)
        jq = bot.app.job_queue
        assert jq is not None
        await jq.get_jobs_by_name("catch-up")[0].run(bot.app)
        assert sorted(measures_in([m.text for m in bot.emu.bot_messages(EDU)])) == sorted(OWED)
    repo.close()


@pytest.mark.parametrize(
    "bad",
    [{"working_hours": "9-18"}, {"working_hours": "18:00-08:30"}, {"working_hours": "10:00-18:00"}],
    ids=["shape", "reversed", "send_at-outside"],
)
def test_bad_working_hours_are_refused_naming_the_key(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError, match="working_hours"):
        Policy.from_config(bad)
