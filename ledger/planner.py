"""Reminder planning: which reminders a sweep at `now` sends. Pure: the ledger, the sent-log and
the clock go in, a list of `Reminder`s comes out.

Tiers (三色预警): green (lead days beyond `yellow_days`), yellow (within them), due (the due
day), overdue (the working day after, then every `overdue_every_days` working days) and
escalation (after `escalate_after_days` working days late, to the admins).

Missed-reminder policy: a reminder whose moment has passed and whose key is not in the
sent-log is due now, however long ago its moment was (the bot may have been down). If several
moments of one measure have passed, only the latest (the most urgent) is sent; the earlier ones
are superseded by it and never sent, so a restart after ten days sends one message per measure.
With `workdays_only`, nothing is sent on a day off; a pre-due reminder whose day is a day off
moves to the last working day before it, never after the due date.

Working hours (`ledger.hours`): the planner is told the moment through `now` and the policy; a
sweep outside the sending window (before `send_at`, after working hours, on a day off) plans
nothing, and what it owes goes out once at the next working day's `send_at`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Collection, Iterable

from ledger.calendar_cn import add_workdays
from ledger.hours import held_until
from ledger.models import Measure
from ledger.occurrences import open_periods
from ledger.plan_sweep import Sweep
from ledger.plan_types import (
    TIERS,
    URGENCY,
    Directory,
    Recipient,
    Reminder,
    key_for,
    rank,
    recipient_order,
)
from ledger.policy import Policy
from ledger.status import submitted_since

_new = tuple.__new__  # a Reminder built without the NamedTuple's Python-level __new__ (all 14 fields given)

__all__ = [
    "TIERS",
    "URGENCY",
    "Directory",
    "Recipient",
    "Reminder",
    "key_for",
    "keys_to_record",
    "one_per_chat",
    "plan",
    "recipient_order",
    "urgency",
]


def plan(
    measures: Iterable[Measure],
    sent: Collection[str],
    now: dt.datetime,
    policy: Policy,
    directory: Directory | None = None,
    ledger_start: dt.date | None = None,
) -> list[Reminder]:
    """The reminders a sweep at `now` sends, most urgent first; nothing outside the sending window.

    `ledger_start` (the report's date): periods of recurring duties that ended before the
    ledger existed are not chased.
    """
    d = directory or Directory()
    local = now.astimezone(policy.tz) if now.tzinfo else now.replace(tzinfo=policy.tz)
    if held_until(local, policy) is not None:
        return []
    paused = gc.isenabled()
    gc.disable()  # a sweep allocates tuples for every measure and frees few: a collection only walks the ledger
    try:
        return _plan(measures, sent, local, policy, d, ledger_start)
    finally:
        if paused:
            gc.enable()


def _plan(
    measures: Iterable[Measure],
    sent: Collection[str],
    local: dt.datetime,
    policy: Policy,
    d: Directory,
    ledger_start: dt.date | None,
) -> list[Reminder]:
    today = local.date()
    out: list[Reminder] = []
    ranks: list[int] = []  # each reminder's `rank`, side by side with `out`
    periods: list[Reminder] = []
    sweep = Sweep(local, policy, d, sent)
    one, horizon, held_back = sweep.one, sweep.horizon, sweep.held_back
    owed_by_due, owe, chats_of, recipients = sweep.owed_by_due, sweep.owed, sweep.chats, sweep.recipients
    for m in measures:
        status = m.status
        if status == "done":
            continue
        if status == "submitted":
            r = _plan_signoff(m, local, today, policy, sent, d)
            if r:
                out.append(r)
                ranks.append(rank(r.tier, r.days))
            continue
        deadline, override = m.deadline, m.due_override
        if override is None and deadline.kind == "recurring":
            for o in open_periods(m, today):
                if ledger_start and o.due < ledger_start:
                    continue
                periods += one(m, o.due, o)
            for r in one_per_chat(periods):
                out.append(r)
                ranks.append(rank(r.tier, r.days))
            periods.clear()
            continue
        due = override or deadline.due
        if due is None or due > horizon:  # (most of a large ledger is far ahead)
            continue
        # What `sweep.one(m, due, None)` plans, on the parts worked out once per due date: the hot
        # path of a large sweep, so written out here (a call per measure was a tenth of it).
        owed = owed_by_due.get(due)
        if owed is None:
            owed = owed_by_due[due] = owe(due)
        conditional, pick, instead = owed
        if pick is None:
            continue
        mid = m.id
        key = mid + pick[3]
        if conditional and key in sent:  # the escalation went out: the overdue repeat is owed now
            assert instead is not None
            pick = instead
            key = mid + pick[3]
        tier, stage, day, _, days, wl, covered, tail, rk = pick
        got = chats_of.get((m.unit, m.leader, tier)) or recipients(m, tier)
        full, reason, ats = got
        n = len(full)
        chats = full
        if n == 1:  # the common case: one chat per unit (two with the admins: an escalation)
            if key + ats[0] in sent:
                if covered is None:
                    continue
                chats = ()
        elif n == 2:
            first, second = key + ats[0] not in sent, key + ats[1] not in sent
            if not (first and second):
                chats = full[:1] if first else (full[1:] if second else ())
                if not chats and covered is None:
                    continue
        elif n:  # owed reminders follow the chat: every chat that has not had this one gets it
            chats = tuple(c for c, at in zip(full, ats) if key + at not in sent)
            if not chats and covered is None:
                continue
        elif key in sent:
            continue
        r = _new(
            Reminder,
            (mid, tier, due, "0", key, chats, m.unit, day, days, wl, reason, stage, mid + tail if covered else "", ()),
        )
        if covered is None:
            out.append(r)
            ranks.append(rk)
            continue
        if chats or not n:
            out.append(r)
            ranks.append(rk)
        # The overdue repeat goes to the chats that had the escalation: its chats are among the
        # escalation's (unit ⊆ unit + leader + admins), so when every chat still owes it there is none.
        if len(chats) != n:
            for x in held_back(m, r, covered):
                out.append(x)
                ranks.append(rank(x.tier, x.days))
    # Sorted by `urgency` (rank, then measure id; ties keep their order) with keys the sort reads
    # in C: by measure id, then stably by rank.
    ids = [r[0] for r in out]
    order = sorted(range(len(out)), key=ids.__getitem__)
    order.sort(key=ranks.__getitem__)
    return [out[i] for i in order]


def urgency(r: Reminder) -> tuple[int, int, str]:
    """Most urgent first: tier, then fewest days left (most days late)."""
    return (-URGENCY[r.tier], r.days, r.measure_id)


def one_per_chat(rs: list[Reminder]) -> list[Reminder]:
    """One message per measure per chat: each chat hears of the most urgent period it is owed,
    and that message names the other periods it owes ("本期2024-W50到期；上期2024-W49未报")."""
    if len(rs) <= 1:
        return rs
    rs = sorted(rs, key=urgency)
    out: list[Reminder] = []
    taken: set[Recipient] = set()
    for r in rs:
        mine = tuple(c for c in r.recipients if c not in taken)
        if r.recipients and not mine:
            continue  # each of its chats hears of it in a more urgent message
        also = tuple(x for x in rs if x is not r and set(x.recipients) & set(mine))
        taken.update(mine)
        out.append(r._replace(recipients=mine, also=also))
    return out


def _plan_signoff(
    m: Measure, now: dt.datetime, today: dt.date, policy: Policy, sent: Collection[str], d: Directory
) -> Reminder | None:
    since = submitted_since(m)
    if since is None:
        return None
    waited = add_workdays(since.date(), policy.escalate_after_days)
    moment = dt.datetime.combine(waited, policy.send_at, tzinfo=policy.tz)
    key = key_for(m.id, "signoff", since.date().isoformat(), "0")
    if moment > now or key in sent or not d.admin_chats:
        return None
    chats = tuple(c for c in d.admin_chats if f"{key}@{c}" not in sent)
    return Reminder(
        measure_id=m.id,
        tier="escalation",
        due=m.due or since.date(),
        occurrence="0",
        key=key,
        recipients=chats,
        unit=m.unit,
        day=waited,
        days=(waited - today).days,
        reason="signoff",
    )


def keys_to_record(r: Reminder, accepted: Iterable[Recipient]) -> list[str]:
    """Sent-log keys once Telegram accepted the reminder for `accepted` chats.

    Each chat is recorded on its own, so a failed chat is retried at the next sweep; when every
    recipient has it, the reminder itself is recorded too.
    """
    accepted = list(accepted)
    keys = [r.chat_key(c) for c in accepted]
    keys += [f"{r.supersedes}@{c}" for c in accepted if r.supersedes]
    if r.recipients and set(r.recipients) <= set(accepted):
        keys.append(r.key)
        if r.supersedes:
            keys.append(r.supersedes)
    for x in r.also:  # the other periods this message spoke for, for the chats that owed them
        keys += keys_to_record(x._replace(also=()), [c for c in accepted if c in x.recipients])
    return keys
