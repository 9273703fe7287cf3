"""The office's holiday file: the State Council's schedule for years the package does not know yet.

Format (TOML), one table per year; dates or inclusive ranges `A..B`:

    [2027]
    holidays = ["2027-01-01", "2027-02-06..2027-02-13"]   # days off (法定节假日及调休放假)
    workdays = ["2027-02-14"]                             # make-up working days (调休上班)

A year in the file replaces the package's view of that year entirely; every other day of it is a
working day from Monday to Friday. Errors name the year and the entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ledger.errors import DubanError


class HolidayFileError(DubanError):
    """A holiday file that cannot be used; nothing was changed."""


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def _days(entry: object, year: int, where: str) -> list[dt.date]:
    if not isinstance(entry, str):
        raise HolidayFileError(
            f'{where}：{entry!r} 不是日期字符串（如 "{year}-10-01" 或 "{year}-10-01..{year}-10-07"）。'
        )
    first, _, last = entry.partition("..")
    try:
        a = dt.date.fromisoformat(first.strip())
        b = dt.date.fromisoformat(last.strip()) if last else a
    except ValueError:
        raise HolidayFileError(f"{where}：无法识别的日期 {entry!r}（应为 YYYY-MM-DD）。") from None
    if b < a or b - a > dt.timedelta(days=31):
        raise HolidayFileError(f"{where}：区间 {entry!r} 顺序颠倒或超过31天。")
    if a.year != year or b.year != year:
        raise HolidayFileError(f"{where}：{entry!r} 不在 {year} 年内。")
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


def parse_holidays(data: dict[str, Any], source: str = "holiday file") -> dict[int, YearCalendar]:
    """The years of a parsed holiday file (a TOML document as a dict)."""
    years: dict[int, YearCalendar] = {}
    for key, body in data.items():
        if not (key.isdigit() and len(key) == 4) or not isinstance(body, dict):
            raise HolidayFileError(f"{source}：[{key}] 应为年份表，如 [2027]。")
        year = int(key)
        unknown = set(body) - {"holidays", "workdays"}
        if unknown:
            raise HolidayFileError(
                f"{source}：[{key}] 有未知的项 {', '.join(sorted(unknown))}（只能是 holidays、workdays）。"
            )
        sets: dict[str, frozenset[dt.date]] = {}
        for name in ("holidays", "workdays"):
            entries = body.get(name, [])
            if not isinstance(entries, list):
                raise HolidayFileError(f"{source}：[{key}] {name} 应为列表。")
            sets[name] = frozenset(d for e in entries for d in _days(e, year, f"{source} [{key}] {name}"))
        both = sets["holidays"] & sets["workdays"]
        if both:
            raise HolidayFileError(f"{source}：[{key}] {min(both)} 同时列为放假和上班。")
        if not sets["holidays"]:
            raise HolidayFileError(f"{source}：[{key}] 没有列出任何放假日期。")
        years[year] = YearCalendar(year, sets["holidays"], sets["workdays"])
    return years
