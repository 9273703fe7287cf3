"""Progress requests (定期调度): open measures without a date are chased by asking for a note.

Measures with no date (kinds none and ongoing, and 定期 duties with no period) get no deadline
reminders. Each period (`[schedule] progress_every`: monthly, weekly or biweekly; "" off), on
the period's `progress_day`-th working day, each unit gets one message listing its open undated
measures, with a 📝 button each. A progress note recorded in the period satisfies it for that
measure. A unit that has not reported on all of them `escalate_after_days` working days after the
request is listed in the office's bundle (once a period) and in the weekly digest ("未报进展").
Like reminders, requests are kept in the sent-log per chat: a chat bound later in the period
gets the request at the next sweep. Pure: the ledger, the sent-log and `now` go in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from ledger.calendar_cn import add_workdays
from ledger.hours import held_until, local, working_day
from ledger.i18n import t
from ledger.messages import h
from ledger.models import Measure
from ledger.occurrences import occurrence_on
from ledger.planner import Directory, Recipient
from ledger.policy import Policy
from ledger.views import deadline_label, shorten

EPOCH = dt.date(2024, 1, 1)  # a Monday: biweekly periods count from it


class ProgressRequest(NamedTuple):
    unit: str
    period: str  # "2024-12", "2024-W50", "2024-12-09/2w"
    measure_ids: tuple[str, ...]
    key: str
    recipients: tuple[Recipient, ...]

    def chat_key(self, chat_id: Recipient) -> str:
        return f"{self.key}@{chat_id}"


def undated(m: Measure) -> bool:
    """Open, and nothing to remind by: no date, a standing duty, or 定期 with no period."""
    if m.status != "open" or m.due_override is not None:
        return False
    kind = m.deadline.kind
    if kind in ("none", "ongoing"):
        return True
    return kind == "recurring" and occurrence_on(m.deadline.recur, EPOCH) is None


def period_of(day: dt.date, every: str) -> tuple[dt.date, str]:
    """The start and label of the progress period containing `day`."""
    if every == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        y, w, _ = start.isocalendar()
        return start, f"{y}-W{w:02d}"
    if every == "biweekly":
        monday = day - dt.timedelta(days=day.weekday())
        start = monday - dt.timedelta(days=((monday - EPOCH).days // 7) % 2 * 7)
        return start, f"{start.isoformat()}/2w"
    start = day.replace(day=1)
    return start, f"{start:%Y-%m}"


def request_day(start: dt.date, policy: Policy) -> dt.date:
    """The period's `progress_day`-th working day."""
    day, n = start - dt.timedelta(days=1), 0
    while n < policy.progress_day:
        day += dt.timedelta(days=1)
        n += working_day(day, policy)
    return day


def noted_since(m: Measure, start: dt.date) -> bool:
    return any(e.action == "note" and e.at.date() >= start for e in m.history)


def pending(measures: Iterable[Measure], today: dt.date, policy: Policy) -> dict[str, tuple[str, ...]]:
    """Per unit, its open undated measures with no note this period."""
    start, _ = period_of(today, policy.progress_every)
    out: dict[str, list[str]] = defaultdict(list)
    for m in measures:
        if undated(m) and not noted_since(m, start):
            out[m.unit].append(m.id)
    return {u: tuple(ids) for u, ids in sorted(out.items())}


def plan_progress(
    measures: Iterable[Measure], sent: frozenset[str], now: dt.datetime, policy: Policy, d: Directory
) -> list[ProgressRequest]:
    """The progress requests a sweep at `now` sends: one per unit and chat, once a period."""
    now = local(now, policy)
    today = now.date()
    if not policy.progress_every or held_until(now, policy) is not None:
        return []
    start, label = period_of(today, policy.progress_every)
    if today < request_day(start, policy):
        return []
    out = []
    for unit, ids in pending(measures, today, policy).items():
        key = f"progress|{unit}|{label}"
        chats = tuple(c for c in d.unit_chats.get(unit, ()) if f"{key}@{c}" not in sent)
        if chats:
            out.append(ProgressRequest(unit, label, ids, key, chats))
    return out


def late_progress(
    measures: Iterable[Measure], sent: frozenset[str], now: dt.datetime, policy: Policy
) -> tuple[str, dict[str, tuple[str, ...]]]:
    """Units that have not reported `escalate_after_days` working days after the request.

    Returns the office's sent-log key for this period (listed once a period) and the units.
    """
    now = local(now, policy)
    today = now.date()
    if not policy.progress_every:
        return "", {}
    start, label = period_of(today, policy.progress_every)
    if today < add_workdays(request_day(start, policy), policy.escalate_after_days):
        return "", {}
    return f"progress-late|{label}", pending(measures, today, policy)


def render_request(r: ProgressRequest, measures: dict[str, Measure], lang: str = "zh") -> list[str]:
    """The request: the unit's undated open measures, each with what kind of duty it is."""
    lines = [t(lang, "progress_request_head", period=r.period, unit=r.unit, n=len(r.measure_ids))]
    for mid in r.measure_ids:
        m = measures[mid]
        lines.append(f"{h(mid)} · {h(deadline_label(m, lang))} · {h(shorten(m.text, 36))}")
    lines.append(t(lang, "progress_request_foot"))
    return lines


def render_no_progress(units: dict[str, tuple[str, ...]], lang: str = "zh") -> list[str]:
    """The digest's "未报进展" lines."""
    if not units:
        return []
    return [t(lang, "bundle_no_progress")] + [
        t(lang, "no_progress_unit", unit=u, ids="、".join(ids), n=len(ids)) for u, ids in units.items()
    ]
