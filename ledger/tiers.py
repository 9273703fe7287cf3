"""Traffic-light colour of a measure on a given day (红黄绿灯).

green: due later than `yellow_days`; yellow: due within `yellow_days`; red: past due;
done: signed off. Measures with no due date (recurring, ongoing, none) have no colour.
"""

from __future__ import annotations

import datetime as dt

from ledger.models import Measure

TIER_MARK = {"green": "🟢", "yellow": "🟡", "red": "🔴", "done": "✅", "": "⚪"}


def colour(m: Measure, today: dt.date, yellow_days: int = 10) -> str:
    if m.status == "done":
        return "done"
    due = m.due
    if due is None:
        return ""
    if due < today:
        return "red"
    if (due - today).days <= yellow_days:
        return "yellow"
    return "green"
