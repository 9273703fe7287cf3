"""The office's holiday file extends the calendar past what the package knows, and says when it is missing."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterator

import chinese_calendar
import pytest

from ledger.calendar_cn import add_workdays, calendar_known, install_holidays, is_workday, uncovered_years
from ledger.holidays import HolidayFileError, parse_holidays
from ledger.reports import calendar_warning
from tests.conftest import ROOT
from tests.test_import_export import run_cli

EXAMPLE = os.path.join(ROOT, "data", "holidays.example.toml")


@pytest.fixture
def calendar() -> Iterator[None]:
    yield
    install_holidays({})  # back to the package alone for the other tests


def load(text: str) -> dict[int, object]:
    return dict(parse_holidays(tomllib.loads(text), "test.toml"))


def test_the_shipped_example_agrees_with_the_package_on_every_day_of_2026() -> None:
    with open(EXAMPLE, "rb") as f:
        year = parse_holidays(tomllib.load(f))[2026]
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        assert year.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_a_file_adds_a_year_the_package_does_not_know(calendar: None) -> None:
    assert not calendar_known(2031) and is_workday(dt.date(2031, 1, 28))  # a Tuesday, counted as working
    install_holidays(parse_holidays({"2031": {"holidays": ["2031-01-28..2031-01-31"], "workdays": ["2031-01-26"]}}))
    assert calendar_known(2031)
    assert not is_workday(dt.date(2031, 1, 28)) and is_workday(dt.date(2031, 1, 26))  # Sunday make-up day
    assert add_workdays(dt.date(2031, 1, 27), 1) == dt.date(2031, 2, 3)  # the holiday is skipped
    assert uncovered_years(dt.date(2031, 1, 1), dt.date(2032, 6, 1)) == [2032]


@pytest.mark.parametrize(
    "text,message",
    [
        ('[2031]\nholidays = ["2031-02-30"]', "无法识别的日期"),
        ('[2031]\nholidays = ["2030-12-31"]', "不在 2031 年内"),
        ('[2031]\nholidays = ["2031-02-10..2031-02-01"]', "顺序颠倒"),
        ('[2031]\nholidays = ["2031-02-01"]\nworkdays = ["2031-02-01"]', "同时列为放假和上班"),
        ('[2031]\nholiday = ["2031-02-01"]', "未知的项 holiday"),
        ('[2031]\nworkdays = ["2031-02-01"]', "没有列出任何放假日期"),
        ('[next]\nholidays = ["2031-02-01"]', "应为年份表"),
        ("[2031]\nholidays = [20310201]", "不是日期字符串"),
    ],
)
def test_a_bad_holiday_file_is_refused_naming_the_entry(text: str, message: str) -> None:
    with pytest.raises(HolidayFileError, match=message):
        load(text)


def test_the_warning_names_the_missing_year_when_the_horizon_reaches_it() -> None:
    assert calendar_warning(dt.date(2026, 6, 1), (20, 10, 3)) is None
    warning = calendar_warning(dt.date(2026, 12, 20), (20, 10, 3))
    assert warning is not None and "2027年节假日安排未配置" in warning and "周一至周五" in warning


def test_calendar_check_reports_covered_years_and_the_gap(tmp_path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path / "d.json"}"\n', encoding="utf-8")
    gap = run_cli("calendar", "check", "--at", "2026-12-20T09:00", config=str(cfg))
    assert gap.returncode == 1 and "2027年节假日安排未配置" in gap.stdout and "2004–2026" in gap.stdout
    (tmp_path / "h.toml").write_text('[2027]\nholidays = ["2027-01-01"]\n', encoding="utf-8")
    cfg.write_text(cfg.read_text(encoding="utf-8") + '[calendar]\nfile = "h.toml"\n', encoding="utf-8")
    ok = run_cli("calendar", "check", "--at", "2026-12-20T09:00", config=str(cfg))
    assert ok.returncode == 0 and "[calendar] file: 2027" in ok.stdout


async def test_the_office_hears_once_and_stats_show_the_gap(tmp_path) -> None:
    from store import Repository
    from tests.conftest import load_seed
    from tests.harness import ADMIN, TZ, running_bot

    repo = Repository.open(str(tmp_path / "duban.json"))
    load_seed(repo)
    at = dt.datetime(2026, 12, 21, 10, 0, tzinfo=TZ)
    told = []
    for _ in range(2):  # two starts: the warning goes out once
        async for bot in running_bot(repo, at):
            stats = await bot.say(ADMIN, "/stats")
            assert "2027年节假日安排未配置" in stats.text
            told.append(sum("未配置" in m.text for m in bot.emu.bot_messages(ADMIN) if m.message_id < stats.message_id))
    assert told == [1, 0]
    repo.close()
