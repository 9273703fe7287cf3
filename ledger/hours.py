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


# -- runs owed by the wall clock -----------------------------------------------------------------
# The JobQueue's timers count monotonic time, so a suspended machine or an NTP step leaves the
# daily sweep waiting for its old 24-hour timer. A watch every minute compares the wall clock
# with these moments instead; the sweep and digest remember when they last ran.


def sweep_owed(now: dt.datetime, policy: Policy, last: dt.datetime | None) -> bool:
    """Whether today's sweep is due at `now` and has not run since today's `send_at`."""
    now = local(now, policy)
    if held_until(now, policy) is not None:
        return False
    today_at = dt.datetime.combine(now.date(), policy.send_at, tzinfo=policy.tz)
    return last is None or local(last, policy) < today_at


def digest_day(day: dt.date, policy: Policy) -> dt.date | None:
    """The digest's day in `day`'s week: the configured weekday, or, when that is a day off, the last
    working day before it in the same week (None when the week has none before it)."""
    monday = day - dt.timedelta(days=day.weekday())
    target = monday + dt.timedelta(days=policy.digest_weekday)
    while target >= monday:
        if working_day(target, policy):
            return target
        target -= dt.timedelta(days=1)
    return None


def digest_owed(now: dt.datetime, policy: Policy, last: dt.datetime | None) -> bool:
    """Whether this week's digest is due at `now` (inside working hours) and has not gone out."""
    now = local(now, policy)
    day = digest_day(now.date(), policy)
    if day is None or now.date() < day or not in_working_hours(now, policy):
        return False
    moment = dt.datetime.combine(day, policy.digest_at, tzinfo=policy.tz)
    return now >= moment and (last is None or local(last, policy) < moment)
