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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ledger import calendar_cn
from ledger.calendar_cn import add_workdays, workdays_between
from ledger.hours import held_until
from ledger.models import Measure
from ledger.occurrences import Occurrence, open_periods
from ledger.policy import Policy
from ledger.status import submitted_since

TIERS = ("green", "yellow", "due", "overdue", "escalation")
URGENCY = {t: i for i, t in enumerate(TIERS)}


Recipient = int | str
"""A Telegram chat id, or a channel address's recipient id (`"wecom:3"`, see `channels/`): the
sent-log key `{key}@{recipient}` is per recipient either way, so every channel follows one policy."""


def recipient_order(r: Recipient) -> tuple[int, int, str]:
    """Telegram chats (by id) before channel addresses (by name): a stable order for mixed ids."""
    return (1, 0, r) if isinstance(r, str) else (0, r, "")


@dataclass(frozen=True)
class Directory:
    """Who receives what: recipients per unit, per lead official, and the admins'."""

    unit_chats: dict[str, tuple[Recipient, ...]] = field(default_factory=dict)
    leader_chats: dict[str, tuple[Recipient, ...]] = field(default_factory=dict)
    admin_chats: tuple[Recipient, ...] = ()


class Reminder(NamedTuple):
    measure_id: str
    tier: str
    due: dt.date
    occurrence: str
    key: str
    recipients: tuple[Recipient, ...]
    unit: str
    day: dt.date  # the day whose send_at made it due (a day off moves it to the working day before)
    days: int  # calendar days left (negative: days late)
    workdays_late: int = 0
    reason: str = ""  # "" | "signoff" (awaiting sign-off too long) | "unbound" (unit has no chat)
    stage: int = 0
    supersedes: str = ""  # a later overdue repeat this catch-up escalation stands for
    also: tuple[Reminder, ...] = ()  # other periods of the same measure this one message speaks for

    def chat_key(self, chat_id: Recipient) -> str:
        return f"{self.key}@{chat_id}"


class _Slot(NamedTuple):
    tier: str
    day: dt.date
    stage: int  # orders slots of one tier by urgency


def key_for(measure_id: str, tier: str, due_iso: str, occurrence: str, stage: int | str = "") -> str:
    """The sent-log key of a reminder: measure, tier and stage, due date, period."""
    return f"{measure_id}|{tier}{stage}|{due_iso}|{occurrence}"


class _Sweep:
    """What one sweep knows before looking at any measure (computed once, not per measure)."""

    def __init__(self, now: dt.datetime, policy: Policy, d: Directory, sent: frozenset[str]) -> None:
        self.now, self.policy, self.d, self.sent = now, policy, d, sent
        self.today = now.date()
        # A moment counts once its day's send_at has passed: before it, look as of yesterday.
        self.day = self.today if now.time() >= policy.send_at else self.today - dt.timedelta(days=1)
        longest = max(policy.lead_days, default=0)
        self.horizon = self.today + dt.timedelta(days=longest + 15)  # 15 days covers the longest holiday shift
        self.leads = tuple(
            (lead, "due" if lead == 0 else ("yellow" if lead <= policy.yellow_days else "green"), 1000 - lead)
            for lead in sorted(policy.lead_days)
        )
        self._chats: dict[tuple[str, str, str], tuple[tuple[Recipient, ...], str]] = {}
        # A large ledger has a few hundred distinct due dates: each sweep does their working-day
        # arithmetic once (the calendar's binary searches were a quarter of a 100 000-measure sweep).
        self._added: dict[tuple[dt.date, int], dt.date] = {}
        self._between: dict[tuple[dt.date, dt.date], int] = {}
        self._last: dict[dt.date, dt.date] = {}
        self._iso: dict[dt.date, str] = {}

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        got = self._added.get((day, n))
        if got is None:
            got = self._added[day, n] = add_workdays(day, n)
        return got

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        got = self._between.get((start, end))
        if got is None:
            got = self._between[start, end] = workdays_between(start, end)
        return got

    def last_workday_on_or_before(self, day: dt.date) -> dt.date:
        got = self._last.get(day)
        if got is None:
            got = self._last[day] = calendar_cn.last_workday_on_or_before(day)
        return got

    def iso(self, day: dt.date) -> str:
        got = self._iso.get(day)
        if got is None:
            got = self._iso[day] = day.isoformat()
        return got

    def latest_slot(
        self, due: dt.date, period_start: dt.date | None, key_parts: tuple[str, str, str]
    ) -> tuple[_Slot, _Slot | None, int] | None:
        """The latest reminder moment of a due date by `day` (the most urgent), and days late.

        Catch-up policy: earlier moments missed while the bot was down are superseded by the
        latest; only a missed escalation is still sent, so the admins always hear of a late item.
        """
        p, day = self.policy, self.day
        wd = p.workdays_only
        late = (self.workdays_between(due, day) if wd else (day - due).days) if day > due else 0
        if late >= 1:
            every, esc = p.overdue_every_days, p.escalate_after_days
            k = (late - 1) // every
            overdue = _Slot(
                "overdue", self.add_workdays(due, 1 + k * every) if wd else due + dt.timedelta(days=1 + k * every), k
            )
            if late >= esc:
                escalation = _Slot("escalation", self.add_workdays(due, esc) if wd else due + dt.timedelta(days=esc), 0)
                if escalation.day >= overdue.day:
                    return escalation, None, late
                mid, due_iso, label = key_parts
                if key_for(mid, "escalation", due_iso, label, 0) not in self.sent:
                    return escalation, overdue, late  # the escalation stands for the overdue repeat too
            return overdue, None, late
        for lead, tier, stage in self.leads:
            slot_day = due - dt.timedelta(days=lead)
            if period_start and slot_day < period_start:
                break
            if wd:
                slot_day = self.last_workday_on_or_before(slot_day)
            if slot_day <= day:
                return _Slot(tier, slot_day, stage), None, 0
        return None

    def recipients(self, m: Measure, tier: str) -> tuple[tuple[Recipient, ...], str]:
        key = (m.unit, m.leader, tier)
        got = self._chats.get(key)
        if got is None:
            got = self._chats[key] = _recipients(m, tier, self.d)
        return got

    def one(self, m: Measure, due: dt.date, occ: Occurrence | None) -> list[Reminder]:
        """The reminder a measure needs now, unless it was already sent (and, while an escalation
        is still owed to some chats, the overdue repeat owed to the chats that had it).

        Runs for every open measure of a sweep, so it is written for speed: each key is built
        once, dates are formatted once per sweep, and the reminder is built positionally.
        """
        if due > self.horizon:
            return []
        label = occ.label if occ else "0"
        due_iso = self.iso(due)
        found = self.latest_slot(due, occ.start if occ else None, (m.id, due_iso, label))
        if found is None:
            return []
        best, covered, late = found
        tier = best.tier
        key = key_for(m.id, tier, due_iso, label, best.stage)
        chats, reason = self.recipients(m, tier)
        bound = bool(chats)
        sent = self.sent
        if len(chats) == 1 and covered is None:  # the common case: one chat per unit
            if f"{key}@{chats[0]}" in sent:
                return []
        elif chats:  # owed reminders follow the chat: every chat that has not had this one gets it
            chats = tuple(c for c in chats if f"{key}@{c}" not in sent)
            if not chats and covered is None:
                return []
        elif key in sent:
            return []
        if late and self.day != self.today:
            late = self.workdays_between(due, self.today)
        supersedes = key_for(m.id, covered.tier, due_iso, label, covered.stage) if covered else ""
        r = Reminder(
            m.id,  # measure_id
            tier,
            due,
            label,  # occurrence
            key,
            chats,  # recipients
            m.unit,
            best.day,
            (due - self.today).days,  # days
            late if tier in ("overdue", "escalation") else 0,  # workdays_late
            reason,
            best.stage,
            supersedes,
        )
        if covered is None:
            return [r]
        return ([r] if chats or not bound else []) + self.held_back(m, r, covered)

    def held_back(self, m: Measure, escalation: Reminder, repeat: _Slot) -> list[Reminder]:
        """The later overdue repeat an escalation stands for, to the chats that had the escalation.

        The escalation stands for it only where it has not arrived yet: while the office refuses
        it (retried each sweep), the unit's chats that had it still get their overdue repeats.
        """
        key = escalation.supersedes
        chats, reason = self.recipients(m, repeat.tier)
        had = tuple(c for c in chats if escalation.chat_key(c) in self.sent and f"{key}@{c}" not in self.sent)
        if not had:
            return []
        return [
            escalation._replace(
                tier=repeat.tier,
                key=key,
                recipients=had,
                day=repeat.day,
                stage=repeat.stage,
                reason=reason,
                supersedes="",
            )
        ]


def _recipients(m: Measure, tier: str, d: Directory) -> tuple[tuple[Recipient, ...], str]:
    unit = tuple(d.unit_chats.get(m.unit, ()))
    leader = tuple(d.leader_chats.get(m.leader, ())) if m.leader else ()
    chats: tuple[Recipient, ...] = unit
    if tier in ("yellow", "due"):
        chats = unit + leader
    elif tier == "escalation":
        chats = unit + leader + d.admin_chats
    reason = ""
    if not unit:
        chats = chats + d.admin_chats  # nobody bound: the office hears instead of silence
        reason = "unbound"
    return tuple(dict.fromkeys(chats)), reason


def plan(
    measures: Iterable[Measure],
    sent: frozenset[str],
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
    sent: frozenset[str],
    local: dt.datetime,
    policy: Policy,
    d: Directory,
    ledger_start: dt.date | None,
) -> list[Reminder]:
    today = local.date()
    out: list[Reminder] = []
    periods: list[Reminder] = []
    sweep = _Sweep(local, policy, d, sent)
    one, horizon = sweep.one, sweep.horizon
    for m in measures:
        if m.status == "done":
            continue
        if m.status == "submitted":
            r = _plan_signoff(m, local, today, policy, sent, d)
            if r:
                out.append(r)
            continue
        if m.deadline.kind == "recurring" and m.due_override is None:
            for o in open_periods(m, today):
                if ledger_start and o.due < ledger_start:
                    continue
                periods += one(m, o.due, o)
            out += one_per_chat(periods)
            periods.clear()
            continue
        due = m.due_override or m.deadline.due
        if due is None or due > horizon:  # (`one` says the same; most of a large ledger is far ahead)
            continue
        out += one(m, due, None)
    out.sort(key=urgency)
    return out


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
    m: Measure, now: dt.datetime, today: dt.date, policy: Policy, sent: frozenset[str], d: Directory
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
