"""What one planning sweep knows before looking at any measure, and the per-measure work.

A large ledger has a few hundred distinct due dates for tens of thousands of measures: everything
that depends only on the due date (working-day arithmetic, the tier and moment owed, the key's
tail, days left, the sort rank) is worked out once per due date per sweep, and the per-measure
work is a key concatenation, a sent-log lookup or two and one tuple.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ledger import calendar_cn
from ledger.calendar_cn import add_workdays, workdays_between
from ledger.models import Measure
from ledger.occurrences import Occurrence
from ledger.plan_types import Directory, Recipient, Reminder, Slot, rank
from ledger.policy import Policy

Chats = tuple[Recipient, ...]

# What a dated measure is owed, per due date: (tier, stage, day, key tail, days left, working days
# late, the overdue repeat an escalation stands for or None, that repeat's key tail, sort rank).
Choice = tuple[str, int, dt.date, str, int, int, "Slot | None", str, int]
# Per due date: (whether the choice hangs on the escalation's key being in the sent-log, the choice
# when it is not (or always; None: nothing owed yet), the choice when it is).
Owed = tuple[bool, "Choice | None", "Choice | None"]
NOTHING: Owed = (False, None, None)
Slots = tuple[Slot, "Slot | None", "Slot | None", int] | None


class Sweep:
    """Caches of one sweep; `owed` feeds the planner's hot path (dated measures), `one` is the
    general one (recurring periods)."""

    def __init__(self, now: dt.datetime, policy: Policy, d: Directory, sent: Collection[str]) -> None:
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
        self.chats: dict[tuple[str, str, str], tuple[Chats, str, tuple[str, ...]]] = {}
        self.owed_by_due: dict[dt.date, Owed] = {}  # a dated measure's (no period), read by the planner
        self.owed_by_period: dict[tuple[dt.date, dt.date | None, str], Owed] = {}
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

    def slots(self, due: dt.date, period_start: dt.date | None) -> Slots:
        """The latest reminder moment of a due date by `day` (the most urgent), and days late:
        (that moment, the later overdue repeat it may stand for, the moment instead when it was
        sent already, days late). The second and third are set together, for an escalation only.

        Catch-up policy: earlier moments missed while the bot was down are superseded by the
        latest; only a missed escalation is still sent, so the admins always hear of a late item.
        """
        p, day = self.policy, self.day
        wd = p.workdays_only
        late = (self.workdays_between(due, day) if wd else (day - due).days) if day > due else 0
        if late >= 1:
            every, esc = p.overdue_every_days, p.escalate_after_days
            k = (late - 1) // every
            overdue = Slot(
                "overdue", self.add_workdays(due, 1 + k * every) if wd else due + dt.timedelta(days=1 + k * every), k
            )
            if late >= esc:
                escalation = Slot("escalation", self.add_workdays(due, esc) if wd else due + dt.timedelta(days=esc), 0)
                if escalation.day >= overdue.day:
                    return escalation, None, None, late
                return escalation, overdue, overdue, late  # the escalation stands for the overdue repeat too
            return overdue, None, None, late
        for lead, tier, stage in self.leads:
            slot_day = due - dt.timedelta(days=lead)
            if period_start and slot_day < period_start:
                break
            if wd:
                slot_day = self.last_workday_on_or_before(slot_day)
            if slot_day <= day:
                return Slot(tier, slot_day, stage), None, None, 0
        return None

    def owed(self, due: dt.date, start: dt.date | None = None, label: str = "0") -> Owed:
        """`slots` of a due date (and period), as the parts of its reminder: worked out once per
        due date in a sweep, for every measure that has it."""
        found = self.slots(due, start) if due <= self.horizon else None
        if found is None:
            return NOTHING
        best, covered, instead, late = found
        if late and self.day != self.today:
            late = self.workdays_between(due, self.today)
        due_iso, days = self.iso(due), (due - self.today).days

        def choice(s: Slot, c: Slot | None) -> Choice:
            tail = f"|{c.tier}{c.stage}|{due_iso}|{label}" if c else ""
            wl = late if s.tier in ("overdue", "escalation") else 0
            key_tail = f"|{s.tier}{s.stage}|{due_iso}|{label}"
            return (s.tier, s.stage, s.day, key_tail, days, wl, c, tail, rank(s.tier, days))

        return (instead is not None, choice(best, covered), choice(instead, None) if instead else None)

    def recipients(self, m: Measure, tier: str) -> tuple[Chats, str, tuple[str, ...]]:
        """(chats, reason, each chat's sent-log key tail "@chat")."""
        key = (m.unit, m.leader, tier)
        got = self.chats.get(key)
        if got is None:
            chats, reason = _recipients(m, tier, self.d)
            got = self.chats[key] = (chats, reason, tuple(f"@{c}" for c in chats))
        return got

    def one(self, m: Measure, due: dt.date, occ: Occurrence | None) -> list[Reminder]:
        """The reminder a measure needs now, unless it was already sent (and, while an escalation
        is still owed to some chats, the overdue repeat owed to the chats that had it)."""
        label, start = (occ.label, occ.start) if occ else ("0", None)
        period = (due, start, label)
        owed = self.owed_by_period.get(period)
        if owed is None:
            owed = self.owed_by_period[period] = self.owed(due, start, label)
        conditional, pick, instead = owed
        if pick is None:
            return []
        mid, sent = m.id, self.sent
        key = mid + pick[3]
        if conditional and key in sent:  # the escalation went out: the overdue repeat is owed now
            assert instead is not None
            pick = instead
            key = mid + pick[3]
        tier, stage, day, _, days, wl, covered, tail, _rank = pick
        chats, reason, ats = self.recipients(m, tier)
        bound = bool(chats)
        if len(chats) == 1 and covered is None:  # the common case: one chat per unit
            if key + ats[0] in sent:
                return []
        elif chats:  # owed reminders follow the chat: every chat that has not had this one gets it
            chats = tuple(c for c, at in zip(chats, ats) if key + at not in sent)
            if not chats and covered is None:
                return []
        elif key in sent:
            return []
        supersedes = mid + tail if covered else ""
        r = Reminder(mid, tier, due, label, key, chats, m.unit, day, days, wl, reason, stage, supersedes)
        if covered is None:
            return [r]
        return ([r] if chats or not bound else []) + self.held_back(m, r, covered)

    def held_back(self, m: Measure, escalation: Reminder, repeat: Slot) -> list[Reminder]:
        """The later overdue repeat an escalation stands for, to the chats that had the escalation.

        The escalation stands for it only where it has not arrived yet: while the office refuses
        it (retried each sweep), the unit's chats that had it still get their overdue repeats.
        """
        key = escalation.supersedes
        chats, reason, _ = self.recipients(m, repeat.tier)
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


def _recipients(m: Measure, tier: str, d: Directory) -> tuple[Chats, str]:
    unit = tuple(d.unit_chats.get(m.unit, ()))
    leader = tuple(d.leader_chats.get(m.leader, ())) if m.leader else ()
    chats: Chats = unit
    if tier in ("yellow", "due"):
        chats = unit + leader
    elif tier == "escalation":
        chats = unit + leader + d.admin_chats
    reason = ""
    if not unit:
        chats = chats + d.admin_chats  # nobody bound: the office hears instead of silence
        reason = "unbound"
    return tuple(dict.fromkeys(chats)), reason
