"""Dates typed in chat (a new due date, an extension): what is readable and what to confirm.

Reading is strict where chat input is ambiguous: "2025-13-01" is no date (not 2025-01-13),
a bare "12" is no date, and a year outside 1900–2199 ("9999-12-31") is refused. Whether a
readable date is acceptable depends on the day it is typed: `check_user_date(due, today)`
tells a caller to refuse a past date and to ask before taking one more than five years ahead.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from ledger.dates import add_months, infer_year, safe_date

UserDateCheck = Literal["ok", "past", "far"]
FAR_AHEAD_YEARS = 5
_MONTH_DAY = re.compile(r"^\s*(?P<m>\d{1,2})\s*[/.\-]\s*(?P<d>\d{1,2})\s*$")


def plausible_user_date(due: dt.date) -> bool:
    """A year a rectification deadline can have; 9999-12-31 is a placeholder, not a date."""
    return 1900 <= due.year <= 2199


def read_numeric_date(text: str, ref: dt.date) -> dt.date | None:
    """ "6/30", "6.30", "6-30": month then day, as Chinese writes them, next on or after `ref`."""
    m = _MONTH_DAY.match(text)
    if m is None:
        return None
    month, day = int(m["m"]), int(m["d"])
    return infer_year(ref, lambda y: safe_date(y, month, day), None)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_END_OF = re.compile(
    r"^\s*(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?:(?P<which>this|next)\s+)?"
    r"(?:(?P<unit>month|year|quarter|week)|(?P<month>[a-z]{3,9})\.?(?:\s+(?P<y>\d{4}))?)\s*$",
    re.IGNORECASE,
)
_DAY_OF_MONTH = re.compile(r"^\s*(?:本月|这个月)?(?P<d>\d{1,2})\s*[号日]\s*(?:前|之前|以前)?\s*$")


def read_chat_phrase(text: str, ref: dt.date) -> dt.date | None:
    """What people type that report prose never holds: "end of June", "end of next month", "30/6", "15号".

    "30/6" is read day first only when the first number cannot be a month; "15号" is the next 15th.
    """
    m = _END_OF.match(text)
    if m is not None:
        return _end_of(m, ref)
    m = _DAY_MONTH.match(text)
    if m is not None and int(m["a"]) > 12:
        day, month = int(m["a"]), int(m["b"])
        return infer_year(ref, lambda y: safe_date(y, month, day), None)
    m = _DAY_OF_MONTH.match(text)
    if m is not None:
        day = int(m["d"])
        for k in range(12):  # the next month that has this day, this month included
            first = add_months(ref.replace(day=1), k)
            d = safe_date(first.year, first.month, day)
            if d is not None and d >= ref:
                return d
    return None


_DAY_MONTH = re.compile(r"^\s*(?P<a>\d{1,2})\s*/\s*(?P<b>\d{1,2})\s*$")


def _end_of(m: re.Match[str], ref: dt.date) -> dt.date | None:
    step = 1 if (m["which"] or "").lower() == "next" else 0
    unit = (m["unit"] or "").lower()
    if unit == "week":
        return ref + dt.timedelta(days=6 - ref.weekday() + 7 * step)
    if unit == "month":
        first = add_months(ref.replace(day=1), step)
        return add_months(first, 1) - dt.timedelta(days=1)
    if unit == "quarter":
        q_first = dt.date(ref.year, 3 * ((ref.month - 1) // 3) + 1, 1)
        return add_months(q_first, 3 * (step + 1)) - dt.timedelta(days=1)
    if unit == "year":
        return dt.date(ref.year + step, 12, 31)
    name = (m["month"] or "").lower()[:3]
    if name not in _MONTHS:
        return None
    month = _MONTHS.index(name) + 1

    def last(y: int) -> dt.date:
        return add_months(dt.date(y, month, 1), 1) - dt.timedelta(days=1)

    return infer_year(ref, last, int(m["y"]) if m["y"] else None)


def check_user_date(due: dt.date, today: dt.date, *, far_years: int = FAR_AHEAD_YEARS) -> UserDateCheck:
    """ "past" (refuse), "far" (more than `far_years` ahead: ask to confirm) or "ok"."""
    if due < today:
        return "past"
    if due > add_months(today, 12 * far_years):
        return "far"
    return "ok"
