"""Working hours: when the bot may send on its own ("no reminders at night").

A sweep sends from the day's `send_at` until the end of `working_hours`, on a working day when
`workdays_only` is set. A sweep at any other moment (a restart at 03:54, at 19:30, on a
Saturday, or in the morning before `send_at`) sends nothing: what it owes waits for the next
`send_at` on a working day, not merely for the start of working hours, so units get one batch a
day. Digests and progress requests go out only inside working hours. Replies to what a person
just did (a button, a command, a reply) never pass through here and are never held.
"""

from __future__ import annotations

import datetime as dt

from ledger.calendar_cn import is_workday
from ledger.policy import Policy


def working_day(day: dt.date, policy: Policy) -> bool:
    return not policy.workdays_only or is_workday(day)


def local(now: dt.datetime, policy: Policy) -> dt.datetime:
    return now.astimezone(policy.tz) if now.tzinfo else now.replace(tzinfo=policy.tz)


def in_working_hours(now: dt.datetime, policy: Policy) -> bool:
    """Whether `now` is inside working hours on a working day (digests, progress requests)."""
    now = local(now, policy)
    start, end = policy.working_hours
    return working_day(now.date(), policy) and start <= now.time() < end


def held_until(now: dt.datetime, policy: Policy) -> dt.datetime | None:
    """None when a sweep at `now` may send; else the moment it may: the next working day's send_at."""
    now = local(now, policy)
    end = policy.working_hours[1]
    if working_day(now.date(), policy) and policy.send_at <= now.time() < end:
        return None
    day = now.date() if now.time() < policy.send_at else now.date() + dt.timedelta(days=1)
    for _ in range(60):  # the longest run of days off is well under two months
        if working_day(day, policy):
            break
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, policy.send_at, tzinfo=policy.tz)
