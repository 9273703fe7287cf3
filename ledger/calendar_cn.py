"""The Chinese official calendar: working days with 调休, and lunar festivals.

Working days come from the `chinese-calendar` package, which transcribes the State
Council's yearly holiday notice (including make-up working weekends, 调休). For a
year the package does not know yet (the notice appears each November), we fall back
to Monday–Friday and say so in `calendar_known`; the README documents this.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import lru_cache

import chinese_calendar  # type: ignore[import-untyped]
from lunardate import LunarDate


@lru_cache(maxsize=4096)
def calendar_known(year: int) -> bool:
    """Whether the official holiday calendar for `year` is known to this install."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=65536)
def is_workday(day: dt.date) -> bool:
    """A Chinese working day: weekdays that are not statutory holidays, plus 调休 weekends."""
    if calendar_known(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


class _WorkdayIndex:
    """Sorted ordinals of working days for a span of years, grown on demand.

    Turns working-day arithmetic into binary searches: a planner asks it for every measure.
    """

    def __init__(self) -> None:
        self.lo = self.hi = 0  # years covered: [lo, hi)
        self.days: list[int] = []

    def cover(self, year: int) -> None:
        if self.lo <= year < self.hi:
            return
        lo = min(year - 1, self.lo) if self.days else year - 1
        hi = max(year + 2, self.hi) if self.days else year + 2
        start, end = dt.date(lo, 1, 1).toordinal(), dt.date(hi, 1, 1).toordinal()
        self.days = [o for o in range(start, end) if is_workday(dt.date.fromordinal(o))]
        self.lo, self.hi = lo, hi

    def count_to(self, day: dt.date) -> int:
        """Working days on or before `day` (within the covered span)."""
        if not self.lo <= day.year < self.hi:
            self.cover(day.year)
        return bisect_right(self.days, day.toordinal())


_INDEX = _WorkdayIndex()


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (the start day itself is not counted); n < 0 goes back."""
    if n == 0:
        return day
    idx = _INDEX.count_to(day)
    if n > 0:
        target = idx + n - 1
        while target >= len(_INDEX.days):
            _INDEX.cover(_INDEX.hi + 1)
            idx = _INDEX.count_to(day)
            target = idx + n - 1
    else:
        idx = bisect_left(_INDEX.days, day.toordinal())
        target = idx + n
        while target < 0:
            _INDEX.cover(_INDEX.lo - 1)
            idx = bisect_left(_INDEX.days, day.toordinal())
            target = idx + n
    return dt.date.fromordinal(_INDEX.days[target])


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end == start:
        return 0
    if end < start:
        return -workdays_between(end, start)
    if not _INDEX.lo <= start.year < _INDEX.hi:
        _INDEX.cover(start.year)
    return _INDEX.count_to(end) - _INDEX.count_to(start)


def last_workday_on_or_before(day: dt.date) -> dt.date:
    if is_workday(day):
        return day
    idx = _INDEX.count_to(day)
    if idx == 0:
        _INDEX.cover(day.year - 1)
        idx = _INDEX.count_to(day)
    return dt.date.fromordinal(_INDEX.days[idx - 1])


@lru_cache(maxsize=512)
def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """Solar date of a lunar-calendar day in lunar `year`."""
    return LunarDate(year, month, day).to_solar_date()


def next_lunar_on_or_after(ref: dt.date, month: int, day: int) -> dt.date:
    """The first solar date on or after `ref` that is lunar month/day."""
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            d = lunar_to_solar(year, month, day)
        except ValueError:
            continue
        if d >= ref:
            return d
    return lunar_to_solar(ref.year + 1, month, day)


def spring_festival(year: int) -> dt.date:
    """正月初一 (Spring Festival day) of lunar year `year`."""
    return lunar_to_solar(year, 1, 1)
