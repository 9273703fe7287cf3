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


def check_user_date(due: dt.date, today: dt.date, *, far_years: int = FAR_AHEAD_YEARS) -> UserDateCheck:
    """ "past" (refuse), "far" (more than `far_years` ahead: ask to confirm) or "ok"."""
    if due < today:
        return "past"
    if due > add_months(today, 12 * far_years):
        return "far"
    return "ok"
