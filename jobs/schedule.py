"""Wiring the sweep and the digest onto PTB's JobQueue.

Jobs have stable ids and `replace_existing`, and APScheduler's misfire grace time is lifted
(`misfire_grace_time=None`, `coalesce=True`): a sweep that runs late (the machine slept, the loop
was busy) still runs once instead of being silently skipped after APScheduler's default of about
a second. A sweep also runs at start-up: reminders missed while the bot was down go out then,
the most urgent per measure (see ledger.planner). And a watch runs every minute on the wall
clock: after a suspend or a clock step the sweep and the digest that are owed run at once
(`ledger.hours.sweep_owed`, `digest_owed`), and a digest whose weekday is a day off goes out on
the last working day before it. Retention (`[store]`) runs once a day off hours.
"""

from __future__ import annotations

import datetime as dt

from telegram.ext import ContextTypes

from bot.app import App
from bot.evidence import fetch_pending
from bot.services import Services
from bot.sweeping import Retention, digest_if_owed, retain, sweep
from bot.turn import services_of
from ledger.hours import sweep_owed

JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "replace_existing": True}


async def sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep(services_of(context))
    await fetch_pending(services_of(context))  # evidence files whose download failed are retried


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await digest_if_owed(services_of(context))


async def watch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every minute: run what the wall clock says is owed (sweeps are idempotent: the sent-log)."""
    s = services_of(context)
    if sweep_owed(s.now(), s.policy, s.last_run("sweep")):
        await sweep(s)
    await digest_if_owed(s)


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Once a day, off hours: the live store keeps only what sweeps and the office still need."""
    job = context.job
    retain(services_of(context), job.data if job is not None and isinstance(job.data, Retention) else Retention())


def ptb_day(weekday: int) -> int:
    """Python's Monday=0 to PTB's Sunday=0 day numbers."""
    return (weekday + 1) % 7


def schedule_jobs(app: App, s: Services, catch_up_after: float = 1.0, retention: Retention | None = None) -> None:
    jq = app.job_queue
    assert jq is not None, "python-telegram-bot[job-queue] is required"
    tz = s.policy.tz
    jq.run_daily(
        sweep_job, time=s.policy.send_at.replace(tzinfo=tz), name="sweep", job_kwargs={**JOB_KWARGS, "id": "sweep"}
    )
    jq.run_daily(
        digest_job,
        time=s.policy.digest_at.replace(tzinfo=tz),
        days=(ptb_day(s.policy.digest_weekday),),
        name="digest",
        job_kwargs={**JOB_KWARGS, "id": "digest"},
    )
    keep = retention or Retention()
    jq.run_daily(
        retention_job,
        time=keep.at.replace(tzinfo=tz),
        data=keep,
        name="retention",
        job_kwargs={**JOB_KWARGS, "id": "retention"},
    )
    jq.run_repeating(watch_job, interval=60, first=60, name="watch", job_kwargs={**JOB_KWARGS, "id": "watch"})
    jq.run_once(
        sweep_job,
        when=dt.timedelta(seconds=catch_up_after),
        name="catch-up",
        job_kwargs={**JOB_KWARGS, "id": "catch-up"},
    )
