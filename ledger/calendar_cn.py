"""The Chinese official calendar: working days with 调休, and lunar festivals.

Working days come from the `chinese-calendar` package, which transcribes the State
Council's yearly holiday notice (including make-up working weekends, 调休). The notice
appears each November, often before a new release of the package: an office's holiday
file (`[calendar] file`, see `ledger.holidays`) then adds the new year, or corrects one.
For a year neither knows we fall back to Monday–Friday and say so (`calendar_known`,
`uncovered_years`); the bot warns the office.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

from ledger.holidays import YearCalendar

_EXTRA: dict[int, YearCalendar] = {}  # years from the office's holiday file; they win over the package


def install_holidays(years: dict[int, YearCalendar]) -> None:
    """Use the office's holiday file from now on (called once, at start-up, by the wiring)."""
    _EXTRA.clear()
    _EXTRA.update(years)
    calendar_known.cache_clear()
    is_workday.cache_clear()
    _INDEX.__init__()  # type: ignore[misc]  # rebuilt on demand with the new calendar


@lru_cache(maxsize=1)
def _package_years() -> tuple[int, int]:
    """The years the package's tables span: what its own date check computes on every call (from
    every holiday it lists, 0.1 ms a call, so a year's working days took 0.14 s)."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def package_knows(year: int) -> bool:
    lo, hi = _package_years()
    return lo <= year <= hi


@lru_cache(maxsize=4096)
def calendar_known(year: int) -> bool:
    """Whether the official holiday calendar for `year` is known (the holiday file or the package)."""
    return year in _EXTRA or package_knows(year)


def uncovered_years(start: dt.date, end: dt.date) -> list[int]:
    """Years from `start` to `end` whose holidays nobody told us: Monday–Friday is assumed there."""
    return [y for y in range(start.year, end.year + 1) if not calendar_known(y)]


def covered_years(lo: int = 2000, hi: int = 2100) -> list[int]:
    return [y for y in range(lo, hi) if calendar_known(y)]


@lru_cache(maxsize=65536)
def is_workday(day: dt.date) -> bool:
    """A Chinese working day: weekdays that are not statutory holidays, plus 调休 weekends."""
    extra = _EXTRA.get(day.year)
    if extra is not None:
        return extra.is_workday(day)
    if package_knows(day.year):  # chinese_calendar.is_workday without its per-call date check
        return day in chinese_calendar.workdays or (day.weekday() < 5 and day not in chinese_calendar.holidays)
    return day.weekday() < 5


class _WorkdayIndex:
    """Sorted ordinals of working days for a span of years, grown on demand.

    Turns working-day arithmetic into binary searches: a planner asks it for every measure. The
    planner runs in a worker thread while the bot renders messages on the event loop, so the span
    is one immutable value `(lo, hi, days)` replaced whole when it grows (spans only grow), and
    each calculation reads one span throughout: a span swapped in meanwhile never mixes positions
    from two lists.
    """

    def __init__(self) -> None:
        self.span: tuple[int, int, tuple[int, ...]] = (0, 0, ())  # years covered: [lo, hi)
        self._lock = threading.Lock()

    def covering(self, *years: int) -> tuple[int, int, tuple[int, ...]]:
        span = self.span
        if all(span[0] <= y < span[1] for y in years):
            return span
        with self._lock:  # one thread builds it; the others wait and take the result
            lo, hi, days = self.span
            want_lo, want_hi = min(years) - 1, max(years) + 2
            if days:
                want_lo, want_hi = min(want_lo, lo), max(want_hi, hi)
            if not (days and want_lo == lo and want_hi == hi):
                start, end = dt.date(want_lo, 1, 1).toordinal(), dt.date(want_hi, 1, 1).toordinal()
                days = tuple(o for o in range(start, end) if is_workday(dt.date.fromordinal(o)))
                self.span = (want_lo, want_hi, days)
            return self.span


_INDEX = _WorkdayIndex()


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (the start day itself is not counted); n < 0 goes back."""
    if n == 0:
        return day
    o = day.toordinal()
    lo, hi, days = _INDEX.covering(day.year)
    while True:
        target = bisect_right(days, o) + n - 1 if n > 0 else bisect_left(days, o) + n
        if 0 <= target < len(days):
            return dt.date.fromordinal(days[target])
        lo, hi, days = _INDEX.covering(hi + 1 if n > 0 else lo - 1)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end == start:
        return 0
    if end < start:
        return -workdays_between(end, start)
    days = _INDEX.covering(start.year, end.year)[2]
    return bisect_right(days, end.toordinal()) - bisect_right(days, start.toordinal())


def last_workday_on_or_before(day: dt.date) -> dt.date:
    if is_workday(day):
        return day
    lo, _, days = _INDEX.covering(day.year)
    idx = bisect_right(days, day.toordinal())
    if idx == 0:
        days = _INDEX.covering(lo - 1)[2]
        idx = bisect_right(days, day.toordinal())
    return dt.date.fromordinal(days[idx - 1])


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
