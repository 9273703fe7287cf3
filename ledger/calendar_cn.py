"""The Chinese official calendar: working days with 调休, and lunar festivals.

Working days come from the `chinese-calendar` package, which transcribes the State
Council's yearly holiday notice (including make-up working weekends, 调休). For a
year the package does not know yet (the notice appears each November), we fall back
to Monday–Friday and say so in `calendar_known`; the README documents this.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar
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


def add_workdays(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (the start day itself is not counted)."""
    step = 1 if n >= 0 else -1
    left = abs(n)
    cur = day
    while left:
        cur += dt.timedelta(days=step)
        if is_workday(cur):
            left -= 1
    return cur


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign > 0 else (end, start)
    count = 0
    cur = lo
    while cur < hi:
        cur += dt.timedelta(days=1)
        if is_workday(cur):
            count += 1
    return sign * count


def last_workday_on_or_before(day: dt.date) -> dt.date:
    while not is_workday(day):
        day -= dt.timedelta(days=1)
    return day


@lru_cache(maxsize=512)
def lunar_to_solar(year: int, month: int, day: int) -> dt.date:
    """Solar date of a lunar-calendar day in lunar `year`."""
    return LunarDate(year, month, day).to_solar_date()  # type: ignore[no-any-return]


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
