"""Wiring the sweep and the digest onto PTB's JobQueue.

Jobs have stable ids and `replace_existing`, and APScheduler's misfire grace time is lifted
(`misfire_grace_time=None`, `coalesce=True`): a sweep that runs late (the machine slept, the loop
was busy) still runs once instead of being silently skipped after APScheduler's default of about
a second. A sweep also runs at start-up: reminders missed while the bot was down go out then,
the most urgent per measure (see ledger.planner).
"""

from __future__ import annotations

import datetime as dt

from telegram.ext import ContextTypes

from bot.app import App
from bot.delivery import digest, sweep
from bot.evidence import fetch_pending
from bot.services import Services
from bot.turn import services_of

JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "replace_existing": True}


async def sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep(services_of(context))
    await fetch_pending(services_of(context))  # evidence files whose download failed are retried


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await digest(services_of(context))


def ptb_day(weekday: int) -> int:
    """Python's Monday=0 to PTB's Sunday=0 day numbers."""
    return (weekday + 1) % 7


def schedule_jobs(app: App, s: Services, catch_up_after: float = 1.0) -> None:
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
    jq.run_once(
        sweep_job,
        when=dt.timedelta(seconds=catch_up_after),
        name="catch-up",
        job_kwargs={**JOB_KWARGS, "id": "catch-up"},
    )
