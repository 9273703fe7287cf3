"""Occurrences of recurring duties (每周/每月/每季度…): each period is due at its end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from ledger.dates import month_end
from ledger.models import Measure


@dataclass(frozen=True)
class Occurrence:
    label: str  # "2024-W26", "2024-06", "2024-Q2", "2024-H1", "2024"
    start: dt.date
    due: dt.date


@lru_cache(maxsize=1024)  # a sweep asks this for every recurring duty, on the same day
def occurrence_on(recur: str | None, day: dt.date) -> Occurrence | None:
    """The period of a recurring duty that contains `day`; None for daily/unspecified duties."""
    if recur == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        y, w, _ = day.isocalendar()
        return Occurrence(f"{y}-W{w:02d}", start, start + dt.timedelta(days=6))
    if recur == "monthly":
        return Occurrence(f"{day.year}-{day.month:02d}", day.replace(day=1), month_end(day.year, day.month))
    if recur == "quarterly":
        q = (day.month - 1) // 3 + 1
        return Occurrence(f"{day.year}-Q{q}", dt.date(day.year, 3 * q - 2, 1), month_end(day.year, 3 * q))
    if recur == "half-yearly":
        h = 1 if day.month <= 6 else 2
        return Occurrence(
            f"{day.year}-H{h}", dt.date(day.year, 1 if h == 1 else 7, 1), month_end(day.year, 6 if h == 1 else 12)
        )
    if recur == "yearly":
        return Occurrence(str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    return None


def previous(recur: str | None, occ: Occurrence) -> Occurrence | None:
    return occurrence_on(recur, occ.start - dt.timedelta(days=1))


def done_occurrences(m: Measure) -> frozenset[str]:
    """Labels of the periods the unit reported done (events `occurrence_done`)."""
    return frozenset(e.note.split(" ", 1)[0] for e in m.history if e.action == "occurrence_done")


def open_periods(m: Measure, today: dt.date) -> list[Occurrence]:
    """The periods of a recurring duty still owed on `today`: the last one if unreported, then this one."""
    occ = occurrence_on(m.deadline.recur, today)
    if occ is None:
        return []
    done = done_occurrences(m)
    prev = previous(m.deadline.recur, occ)
    return [o for o in (prev, occ) if o is not None and o.label not in done]
