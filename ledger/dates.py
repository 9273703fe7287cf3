"""Calendar arithmetic the deadline grammar needs: month ends, Civil-Code month steps, year inference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in(y: int, m: int) -> int:
    if m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return 29
    return DAYS_IN_MONTH[m - 1]


def month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, days_in(y, m))


def add_months(d: dt.date, n: int) -> dt.date:
    """Civil-Code month arithmetic: same day-number, or the month's last day."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return dt.date(y, m, min(d.day, days_in(y, m)))


def infer_year(ref: dt.date, make: Callable[[int], dt.date | None], year: int | None) -> dt.date | None:
    """First occurrence on or after ref, unless the year is written."""
    if year is not None:
        return make(year)
    d = make(ref.year)
    for ahead in (1, 2, 3, 4):  # 2月29日 may be four years ahead
        if d is not None and d >= ref:
            break
        d = make(ref.year + ahead)
    return d


def safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def quarter_end(y: int, q: int) -> dt.date:
    return month_end(y, q * 3)
