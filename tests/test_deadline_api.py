"""What callers get besides the due date: confidence, candidates, long texts, dates typed in chat."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from ledger.deadlines import check_user_date, find_deadlines, parse_deadline, parse_user_date
from ledger.models import Deadline, Measure
from store.codec import measure_from_doc, measure_to_doc
from tests.test_deadline_recall import REF

D = dt.date


def test_an_explicit_deadline_with_a_completion_word_is_high_confidence() -> None:
    d = parse_deadline("确保6月30日前完成整改", REF)
    assert (d.due, d.confidence, d.candidates) == (D(2025, 6, 30), "high", ())


@pytest.mark.parametrize(
    "text",
    ["2026年在智慧监管方面取得突破", "集中攻坚阶段（6-8月）", "第一阶段：5月1日—5月31日"],
    ids=["bare-year", "stage-window", "stage-heading"],
)
def test_a_weaker_reading_is_low_confidence(text: str) -> None:
    assert parse_deadline(text, REF).confidence == "low"


def test_several_dates_keep_the_latest_and_list_the_others() -> None:
    d = parse_deadline("3月底前上报方案，6月底前全面完成整治", REF)
    assert (d.due, d.confidence) == (D(2025, 6, 30), "low")
    assert d.candidates == ((D(2025, 3, 31), "3月底前上报方案"),)
    hash(d)  # stays a frozen, hashable value


def test_deadline_round_trips_through_the_store_and_old_records_still_load() -> None:
    d = parse_deadline("3月底前上报方案，6月底前全面完成整治", REF)
    m = Measure(id="P1-1", problem=1, text="整治", unit="区城管局", deadline_text=d.span, deadline=d)
    assert measure_from_doc(measure_to_doc(m)).deadline == d
    old = {"kind": "date", "due": "2024-05-20", "recur": None, "span": "5月20日前", "ongoing_after": False}
    assert Deadline.from_dict(old) == Deadline("date", D(2024, 5, 20), None, "5月20日前")


def _long_text(clauses: int) -> tuple[str, list[dt.date]]:
    """A report of `clauses` measures, each with a deadline, between as-of dates and past events."""
    parts, dues = [], []
    for i in range(clauses):
        due = D(2025, 4, 1) + dt.timedelta(days=i % 600)
        parts.append(
            f"截至{i % 12 + 1}月{i % 28 + 1}日，已完成排查{i}处；{due.year}年{due.month}月{due.day}日前完成整改。"
        )
        dues.append(due)
    return "".join(parts), dues


def test_a_long_report_is_read_to_its_end() -> None:
    text, dues = _long_text(600)
    assert len(text) > 20_000
    assert [d.due for d in find_deadlines(text, REF)] == dues


def test_reading_time_grows_linearly_with_text_length() -> None:
    def per_char(n: int) -> float:
        text, _ = _long_text(n)
        t0 = time.perf_counter()
        find_deadlines(text, REF)
        return (time.perf_counter() - t0) / len(text)

    per_char(50)  # warm up
    small, large = per_char(100), per_char(3000)
    assert large < 4 * small  # quadratic would be ~30x


@pytest.mark.parametrize("unit", ["一", "1月", "年", "“", " "], ids=["numerals", "months", "years", "quotes", "spaces"])
def test_degenerate_text_also_reads_in_linear_time(unit: str) -> None:
    def per_char(n: int) -> float:
        text = unit * n
        t0 = time.perf_counter()
        find_deadlines(text, REF)
        return (time.perf_counter() - t0) / len(text)

    per_char(200)  # warm up
    assert per_char(20_000) < 4 * per_char(2_000) + 1e-6


@pytest.mark.parametrize(
    "text,expect",
    [
        ("2025-06-30", D(2025, 6, 30)),
        ("6/30", D(2025, 6, 30)),
        ("2月3日", D(2026, 2, 3)),
        ("2025-13-01", None),
        ("12", None),
        ("9999-12-31", None),
        ("随便", None),
    ],
    ids=["iso", "month-slash-day", "chinese", "month-13", "bare-number", "year-9999", "words"],
)
def test_a_date_typed_in_chat_is_read_strictly(text: str, expect: dt.date | None) -> None:
    assert parse_user_date(text, REF) == expect


def test_callers_refuse_past_dates_and_confirm_far_ones() -> None:
    assert check_user_date(D(2025, 3, 19), REF) == "past"
    assert check_user_date(D(2025, 3, 20), REF) == "ok"
    assert check_user_date(D(2030, 3, 20), REF) == "ok"
    assert check_user_date(D(2030, 3, 21), REF) == "far"
