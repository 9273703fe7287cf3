"""The JobQueue wiring: the real PTB JobQueue (APScheduler 3) driven by an injected clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from bot.sweeping import sweep
from jobs.schedule import schedule_jobs
from ledger.actions import Actor, add_note, create_invite, redeem_invite
from ledger.models import Deadline, Measure, Problem
from ledger.policy import Policy
from store import Repository
from tests.harness import ADMIN, TZ, running_bot

EDU = 501


def small_ledger(repo: Repository, n: int = 3) -> None:
    repo.put_problem(Problem(1, "教育资源投入不足"))
    dues = [dt.date(2024, 6, 7), dt.date(2024, 6, 14), dt.date(2024, 6, 28)]
    repo.put_measures(
        [
            Measure(
                id=f"P1-{i + 1}",
                problem=1,
                text=f"措施{i + 1}",
                unit="区教育局",
                deadline=Deadline("date", dues[i % 3] + dt.timedelta(days=7 * (i // 3))),
            )
            for i in range(n)
        ]
    )


def bind_edu(repo: Repository, now: dt.datetime) -> None:
    inv = create_invite(repo, Actor(0, 0, True), "区教育局", now)
    redeem_invite(repo, inv["code"], EDU, EDU, "王老师", now)


async def test_a_simulated_month_on_the_real_job_queue(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    start = dt.datetime(2024, 5, 27, 8, 0, tzinfo=TZ)
    bind_edu(repo, start)
    async for bot in running_bot(repo, start):
        schedule_jobs(bot.app, bot.s, catch_up_after=3600)
        jq = bot.app.job_queue
        assert jq is not None
        sweep_job = jq.get_jobs_by_name("sweep")[0]
        assert sweep_job.job.misfire_grace_time is None and sweep_job.job.coalesce
        assert sweep_job.job.trigger.get_next_fire_time(None, start).isoformat() == "2024-05-27T09:00:00+08:00"
        digest_job = jq.get_jobs_by_name("digest")[0]
        assert digest_job.job.trigger.get_next_fire_time(None, start).isoformat() == "2024-05-31T16:00:00+08:00"
        day = start
        got = []
        for _ in range(35):  # five weeks, each day at the trigger's own next fire time
            fire = sweep_job.job.trigger.get_next_fire_time(None, day)
            bot.clock.set(fire)
            before = len(bot.emu.bot_messages(EDU))
            await sweep_job.run(bot.app)
            for m in bot.emu.bot_messages(EDU)[before:]:
                head = m.text.split("\n")[0]
                got.append((fire.date().isoformat(), head.split("<b>")[1].split("</b>")[0], head.rsplit(" ", 1)[1]))
            day = fire + dt.timedelta(minutes=1)
    repo.close()
    assert got == [tuple(x.split()) for x in EXPECTED_MONTH]


# P1-1 due Fri 06-07, P1-2 due Fri 06-14, P1-3 due Fri 06-28; 端午 (Mon 06-10) is a holiday.
# The sweep starts Mon 05-27, so the 20-day notices of P1-1/P1-2 (05-17, 05-24) go out then;
# no message on a weekend or on 06-10; overdue every 3 working days, escalation on the 5th.
EXPECTED_MONTH = [
    "2024-05-27 整改提醒 P1-1",
    "2024-05-27 整改提醒 P1-2",
    "2024-05-28 临期预警 P1-1",
    "2024-06-04 临期预警 P1-1",
    "2024-06-04 临期预警 P1-2",
    "2024-06-06 临期预警 P1-1",
    "2024-06-07 今日到期 P1-1",
    "2024-06-07 整改提醒 P1-3",
    "2024-06-11 逾期警示 P1-1",
    "2024-06-11 临期预警 P1-2",
    "2024-06-13 临期预警 P1-2",
    "2024-06-14 逾期警示 P1-1",
    "2024-06-14 今日到期 P1-2",
    "2024-06-17 逾期督办 P1-1",
    "2024-06-17 逾期警示 P1-2",
    "2024-06-18 临期预警 P1-3",
    "2024-06-19 逾期警示 P1-1",
    "2024-06-20 逾期警示 P1-2",
    "2024-06-21 逾期督办 P1-2",
    "2024-06-24 逾期警示 P1-1",
    "2024-06-25 逾期警示 P1-2",
    "2024-06-25 临期预警 P1-3",
    "2024-06-27 逾期警示 P1-1",
    "2024-06-27 临期预警 P1-3",
    "2024-06-28 逾期警示 P1-2",
    "2024-06-28 今日到期 P1-3",
]


async def test_nothing_goes_out_on_dragon_boat_festival(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    bind_edu(repo, dt.datetime(2024, 6, 1, tzinfo=TZ))
    async for bot in running_bot(repo, dt.datetime(2024, 6, 10, 9, 0, tzinfo=TZ)):  # 端午节 2024
        report = await sweep(bot.s)
        assert report.planned == 0 and not bot.emu.bot_messages(EDU)
        bot.clock.set(dt.datetime(2024, 6, 11, 9, 0, tzinfo=TZ))
        report = await sweep(bot.s)
        assert report.sent >= 1  # the day after, what was due goes out
    repo.close()


async def test_restart_mid_sweep_delivers_every_reminder_once_but_the_one_in_flight(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path)
    small_ledger(repo, n=12)
    now = dt.datetime(2024, 8, 1, 9, 0, tzinfo=TZ)
    bind_edu(repo, now)
    transcript = []
    unbundled = Policy(bundle_above=100)  # twelve individual messages, so a restart can cut in
    async for bot in running_bot(repo, now, policy=unbundled):
        task = asyncio.create_task(sweep(bot.s))
        await bot.emu.wait_for(lambda: len(bot.emu.bot_messages(EDU)) >= 5)
        task.cancel()  # the process is stopped mid-sweep
        await asyncio.gather(task, return_exceptions=True)
        transcript += bot.emu.bot_messages(EDU)
    repo.close()
    repo = Repository.open(path)  # a new process on the same store
    async for bot in running_bot(repo, now + dt.timedelta(minutes=2), policy=unbundled):
        await sweep(bot.s)
        transcript += bot.emu.bot_messages(EDU)
        count = len(bot.emu.bot_messages(EDU))
        await sweep(bot.s)  # and once more: nothing new
        assert len(bot.emu.bot_messages(EDU)) == count
    repo.close()
    per_measure = Counter(m.text.split(" · ")[1].split("\n")[0] for m in transcript)
    assert set(per_measure) == {f"P1-{i}" for i in range(1, 13)}
    assert sum(n - 1 for n in per_measure.values()) <= 1  # at most the one in flight arrives twice


async def test_admin_gets_the_weekly_digest(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    async for bot in running_bot(repo, dt.datetime(2024, 6, 21, 16, 0, tzinfo=TZ)):
        from bot.sweeping import digest

        assert await digest(bot.s) >= 2
        photo = bot.emu.bot_messages(ADMIN)[-1]
        assert photo.kind == "photo" and photo.file_bytes[:4] == b"\x89PNG"  # the digest comes with the chart
        text = bot.emu.bot_messages(ADMIN)[-2].text
        assert "整改调度周报" in text and "区教育局" in text and "完成率" in text and "逾期" in text
    repo.close()


async def test_retention_runs_each_night_on_the_job_queue(tmp_path) -> None:
    """The daily retention job: sent keys of a measure signed off long ago leave the live store, and
    audit events older than `events_kept_days` move to the store's yearly file beside it."""
    import dataclasses

    from bot.sweeping import Retention

    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo)
    start = dt.datetime(2024, 5, 27, 10, 0, tzinfo=TZ)
    bind_edu(repo, start)
    async for bot in running_bot(repo, start):
        await sweep(bot.s)  # reminders of 2024-05-27 reach the sent-log
        for i in (1, 2):  # the audit log: progress notes
            add_note(repo, Actor(EDU, EDU, False), f"P1-{i}", "已联系施工单位", start)
        sent_before = len(repo.sent_keys())
        assert sent_before > 0
        events_before = len(list(repo._raw_items("events")))
        # the office signs everything off; a year and a half passes
        repo.put_measures([dataclasses.replace(m, status="done") for m in repo.measures()])
        schedule_jobs(bot.app, bot.s, catch_up_after=3600, retention=Retention(60, 400, dt.time(3, 30)))
        jq = bot.app.job_queue
        assert jq is not None
        job = jq.get_jobs_by_name("retention")[0]
        later = dt.datetime(2025, 11, 3, 0, 0, tzinfo=TZ)
        fire = job.job.trigger.get_next_fire_time(None, later)
        assert fire.isoformat() == "2025-11-03T03:30:00+08:00"  # off hours, local time
        bot.clock.set(fire)
        await job.run(bot.app)
        assert len(repo.sent_keys()) < sent_before
        assert len(list(repo._raw_items("events"))) < events_before
        assert list(tmp_path.glob("s.events-2024.jsonl"))
    repo.close()
