"""Deadline wording from reports and ledgers of other districts, counties, universities and state enterprises.

Written for this table in our own words, in the shapes such documents use (ledger time-limit cells,
report sentences, status notes). Conventions are those of docs/deadlines.md; the classes first met
here (an hour or a weekday after a day, a year in brackets after it, 下一年度/翌年/来年, a duration
after a time-limit label or alone in a cell, 一年一次/半年一次, 中长期, 尽快) are decided there too.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ledger.dates import month_end, quarter_end
from ledger.deadlines import find_deadlines, parse_deadline

D = dt.date
REF = D(2025, 3, 20)  # a report dated 20 March 2025 unless a row says otherwise

# (id, text, kind, due or recurrence, confidence, ref or None)
Row = tuple[str, str, str, object, str, "dt.date | None"]
UNSEEN: list[Row] = [
    # -- the end of a named period -------------------------------------------------------------
    ("month-end-yu", "于2025年6月底前完成", "period_end", D(2025, 6, 30), "high", None),
    ("first-half-year", "2025年上半年完成整改", "period_end", D(2025, 6, 30), "high", None),
    ("within-year-effect", "年内见效", "period_end", D(2025, 12, 31), "high", None),
    ("within-this-year-ndu", "本年度内完成整改", "period_end", D(2025, 12, 31), "high", None),
    ("q3-end", "2025年第三季度末前完成", "period_end", D(2025, 9, 30), "high", None),
    ("q4-numeral", "2025年4季度", "period_end", D(2025, 12, 31), "high", None),
    ("q3-fullwidth", "２０２５年第３季度", "period_end", D(2025, 9, 30), "high", None),
    ("q3-chinese-year", "二〇二五年第三季度", "period_end", D(2025, 9, 30), "high", None),
    ("half-chinese-year", "二〇二六年上半年", "period_end", D(2026, 6, 30), "high", None),
    ("year-end-chinese", "二〇二五年年底前完成", "period_end", D(2025, 12, 31), "high", None),
    ("month-end-chinese", "二〇二五年六月底前完成", "period_end", D(2025, 6, 30), "high", None),
    ("month-end-ling", "二零二五年十月底", "period_end", D(2025, 10, 31), "high", None),
    ("month-fullwidth", "２０２５年６月底前完成", "period_end", D(2025, 6, 30), "high", None),
    ("month-mixed-numerals", "2025年十月底", "period_end", D(2025, 10, 31), "high", None),
    ("yy-fullwidth", "２５年底前", "period_end", D(2025, 12, 31), "high", None),
    ("year-within-written", "2025年年内完成", "period_end", D(2025, 12, 31), "high", None),
    ("year-within-chinese", "二〇二五年年内", "period_end", D(2025, 12, 31), "high", None),
    ("year-end-doubled", "2025年年底前", "period_end", D(2025, 12, 31), "high", None),
    ("year-end-mo-qian", "2025年末前", "period_end", D(2025, 12, 31), "high", None),
    ("year-du-within", "2026年度内全部完成", "period_end", D(2026, 12, 31), "high", None),
    ("year-du-bare", "2025年度", "period_end", D(2025, 12, 31), "low", None),
    ("month-zero-padded", "2025年06月30日", "date", D(2025, 6, 30), "high", None),
    ("month-late-xun", "2025年9月下旬", "period_end", D(2025, 9, 30), "high", None),
    ("month-mid-xun", "2025年12月中旬", "period_end", D(2025, 12, 20), "high", None),
    ("next-month-end", "下月底前完成", "period_end", D(2025, 4, 30), "high", None),
    ("this-quarter-within", "本季度内完成", "period_end", D(2025, 3, 31), "high", None),
    ("mid-year", "2025年年中", "period_end", D(2025, 6, 30), "high", None),
    ("year-range-du", "2025年度至2026年度", "period_end", D(2026, 12, 31), "high", None),
    ("year-range-em-dash", "2025—2026年", "period_end", D(2026, 12, 31), "high", None),
    ("year-range-zhi", "2025年至2027年完成", "period_end", D(2027, 12, 31), "high", None),
    ("month-range-dotted-padded", "2025.06-2025.12", "period_end", D(2025, 12, 31), "high", None),
    # -- one calendar day --------------------------------------------------------------------------
    ("day-before-written-past", "2024年12月31日前整改到位", "date", D(2024, 12, 31), "high", None),
    ("day-may-first", "2025年5月1日前完成", "date", D(2025, 5, 1), "high", None),
    ("day-included-note", "2025年12月31日前（含当日）", "date", D(2025, 12, 31), "high", None),
    ("day-hao", "2025年12月31号前", "date", D(2025, 12, 31), "high", None),
    ("day-hour", "2025年12月31日24时前", "date", D(2025, 12, 31), "high", None),
    ("day-clock", "2025年6月30日17:00前", "date", D(2025, 6, 30), "high", None),
    ("day-clock-fullwidth", "2025年6月30日17：30前报送", "date", D(2025, 6, 30), "high", None),
    ("day-weekday-note", "6月30日（星期一）前", "date", D(2025, 6, 30), "high", None),
    ("day-weekday-note-short", "2025年12月31日（周三）前", "date", D(2025, 12, 31), "high", None),
    ("day-year-after", "6月30日前（2025年）", "date", D(2025, 6, 30), "high", None),
    ("day-year-after-past", "9月30日前（2025年）", "date", D(2025, 9, 30), "high", D(2025, 10, 15)),
    ("day-chinese", "二〇二五年十月三十一日前", "date", D(2025, 10, 31), "high", None),
    ("day-fullwidth", "２０２５年１２月３１日前", "date", D(2025, 12, 31), "high", None),
    ("spring-festival-written", "2025年春节前完成", "date", D(2025, 1, 28), "high", None),
    ("spring-festival-next-year", "次年春节前", "date", D(2026, 2, 16), "high", D(2025, 11, 1)),
    ("national-day-jie", "2025年国庆节前完成", "date", D(2025, 9, 30), "high", None),
    ("new-year-day-written", "2026年元旦前完成", "date", D(2025, 12, 31), "high", None),
    # -- next year, said in words ------------------------------------------------------------------
    ("next-year-month", "次年3月完成", "period_end", D(2026, 3, 31), "high", None),
    ("next-year-du", "下一年度完成", "period_end", D(2026, 12, 31), "low", None),
    ("next-year-du-month", "下一年度3月底前", "period_end", D(2026, 3, 31), "high", None),
    ("next-year-yi", "翌年3月底前完成", "period_end", D(2026, 3, 31), "high", None),
    ("next-year-lai", "来年6月底前完成", "period_end", D(2026, 6, 30), "high", None),
    # -- several dates: the last governs ----------------------------------------------------------
    ("stage-then-all", "2025年10月底前完成50%，年底前全部完成", "period_end", D(2025, 12, 31), "low", None),
    ("basic-then-full", "2025年底前基本完成，2026年6月底前全面完成", "period_end", D(2026, 6, 30), "low", None),
    (
        "label-two-stages",
        "完成时限：2025年底前完成70%，2026年6月底前全部完成",
        "period_end",
        D(2026, 6, 30),
        "low",
        None,
    ),
    # -- durations ---------------------------------------------------------------------------------
    ("half-year-within", "半年内完成", "period_end", D(2025, 9, 20), "high", None),
    ("three-months-within", "3个月内完成", "period_end", D(2025, 6, 20), "high", None),
    ("sixty-days", "60日内整改完毕", "period_end", D(2025, 5, 19), "high", None),
    ("two-years-within", "两年内完成", "period_end", D(2027, 3, 20), "high", None),
    ("label-duration", "整改时限为3个月", "period_end", D(2025, 6, 20), "high", None),
    ("label-duration-colon", "整改期限：6个月", "period_end", D(2025, 9, 20), "high", None),
    ("label-year", "整改期限：1年", "period_end", D(2026, 3, 20), "high", None),
    ("label-half-year", "完成时限：半年", "period_end", D(2025, 9, 20), "high", None),
    ("bare-duration-cell", "3个月", "period_end", D(2025, 6, 20), "low", None),
    ("bare-half-year-cell", "半年", "period_end", D(2025, 9, 20), "low", None),
    ("bare-duration-chinese", "两个月", "period_end", D(2025, 5, 20), "low", None),
    # a cell that is only a year: a two-digit year is 20xx as a written-out one is (not 25 years from now)
    ("bare-year-cell", "2025年", "period_end", D(2025, 12, 31), "low", None),
    ("bare-short-year-cell", "25年", "period_end", D(2025, 12, 31), "low", None),
    ("bare-short-year-cell-next", "26年", "period_end", D(2026, 12, 31), "low", None),
    ("bare-short-year-cell-past", "24年", "period_end", D(2024, 12, 31), "low", None),
    ("bare-short-year-fullwidth", "２５年", "period_end", D(2025, 12, 31), "low", None),
    ("bare-short-year-du", "25年度", "period_end", D(2025, 12, 31), "low", None),
    # years as a duration: with 内/以内, or alone for one to three years; 十年/5年 alone are neither
    ("bare-one-year-cell", "1年", "period_end", D(2026, 3, 20), "low", None),
    ("bare-three-years-chinese", "三年", "period_end", D(2028, 3, 20), "low", None),
    ("bare-five-years", "5年", "none", None, "high", None),
    ("bare-ten-years-chinese", "十年", "none", None, "high", None),
    ("one-year-within", "1年内", "period_end", D(2026, 3, 20), "high", None),
    ("three-years-yinei", "3年以内", "period_end", D(2028, 3, 20), "high", None),
    ("ten-years-within", "10年内", "period_end", D(2035, 3, 20), "high", None),
    # -- at once -----------------------------------------------------------------------------------
    ("immediate-done-note", "立行立改（已完成）", "immediate", REF, "high", None),
    ("immediate-label", "整改时限：即知即改", "immediate", REF, "high", None),
    ("immediate-ji-cha", "即查即改", "immediate", REF, "high", None),
    # -- recurring ---------------------------------------------------------------------------------
    ("monthly-once", "每月一次", "recurring", "monthly", "high", None),
    ("half-yearly-each", "每半年开展一次", "recurring", "half-yearly", "high", None),
    ("yearly-once-each", "一年一次", "recurring", "yearly", "high", None),
    ("half-yearly-once-each", "半年一次", "recurring", "half-yearly", "high", None),
    ("quarterly-once-each", "一季度一次", "recurring", "quarterly", "high", None),
    ("quarter-end-each", "每季度末报送", "recurring", "quarterly", "high", None),
    ("yearly-from-year", "2025年起每年开展一次", "recurring", "yearly", "high", None),
    # -- standing duties ---------------------------------------------------------------------------
    ("ongoing-then-date", "持续推进，2025年底前见效", "period_end", D(2025, 12, 31), "high", None),
    ("date-then-mechanism", "2026年6月底前全面完成，并建立长效机制", "period_end", D(2026, 6, 30), "high", None),
    ("medium-long-term", "中长期", "ongoing", None, "low", None),
    ("medium-long-term-task", "中长期任务", "ongoing", None, "low", None),
    ("long-term-label", "整改时限：长期坚持", "ongoing", None, "high", None),
    ("irregular-checks", "不定期抽查", "ongoing", None, "high", None),
    # -- no deadline -------------------------------------------------------------------------------
    ("done", "已完成整改", "none", None, "high", None),
    ("done-label", "完成时限：已完成", "none", None, "high", None),
    ("done-dated", "已于2024年12月完成整改", "none", None, "high", None),
    ("in-progress", "正在整改中", "none", None, "high", None),
    ("asap", "尽快完成整改", "none", None, "high", None),
    ("soon", "近期完成", "none", None, "high", None),
    ("plan-name-medium-long", "制定中长期规划", "none", None, "high", None),
    ("takes-effect-from", "2025年9月1日起施行", "none", None, "high", None),
]


# A year in brackets after a phrase without one is the phrase's year (6月底前（2026年）), for every month,
# quarter, half and the year's end, in full-width and ASCII brackets; the bracketed year is not also read
# as a deadline of its own (it would be the latest and win, with low confidence). The reference year in
# brackets (2025) is the control: the same reading, even for a month already past.
_Q = "一二三四"
_BRACKETS = (("fw", "（{}年）"), ("ascii", "({}年)"))
BRACKET_YEAR: list[Row] = [
    *(
        (f"month-end-{m}-{b}", f"{m}月底前" + fmt.format(2026), "period_end", month_end(2026, m), "high", None)
        for m in range(1, 13)
        for b, fmt in _BRACKETS
    ),
    *(
        (f"before-month-{m}-{b}", f"{m}月前" + fmt.format(2026), "period_end", month_end(2026, m - 1), "high", None)
        for m in range(2, 13)
        for b, fmt in _BRACKETS
    ),
    ("before-january-fw", "1月前（2026年）", "period_end", D(2025, 12, 31), "high", None),
    *(
        (
            f"quarter-end-{q}-{b}",
            f"{_Q[q - 1]}季度末前" + fmt.format(2026),
            "period_end",
            quarter_end(2026, q),
            "high",
            None,
        )
        for q in range(1, 5)
        for b, fmt in _BRACKETS
    ),
    *(
        (f"quarter-{q}-{b}", f"{_Q[q - 1]}季度" + fmt.format(2026), "period_end", quarter_end(2026, q), "high", None)
        for q in range(1, 5)
        for b, fmt in _BRACKETS
    ),
    *(
        (
            f"half-{h}-{b}",
            f"{h}半年" + fmt.format(2026),
            "period_end",
            D(2026, 6 if h == "上" else 12, 30 if h == "上" else 31),
            "high",
            None,
        )
        for h in "上下"
        for b, fmt in _BRACKETS
    ),
    *(
        (f"year-end-{b}", "年底前" + fmt.format(2026), "period_end", D(2026, 12, 31), "high", None)
        for b, fmt in _BRACKETS
    ),
    ("year-end-du-spaced", "年底前（ 2026年度 ）", "period_end", D(2026, 12, 31), "high", None),
    ("day-ascii", "6月30日前(2026年)", "date", D(2026, 6, 30), "high", None),
    ("xun-fw", "6月下旬（2026年）", "period_end", D(2026, 6, 30), "high", None),
    ("chinese-month-fw", "六月底前（2026年）", "period_end", D(2026, 6, 30), "high", None),
    ("q-letter-ascii", "Q3(2026年)", "period_end", D(2026, 9, 30), "high", None),
    ("month-range-fw", "6-8月（2026年）", "period_end", D(2026, 8, 31), "high", None),
    ("month-range-before-ascii", "6至8月底前(2026年)", "period_end", D(2026, 8, 31), "high", None),
    ("month-range-over-new-year", "11-2月（2026年）", "period_end", D(2027, 2, 28), "high", None),
    # the reference year in brackets
    ("ref-year-month", "6月底前（2025年）", "period_end", D(2025, 6, 30), "high", None),
    ("ref-year-month-past", "1月底前(2025年)", "period_end", D(2025, 1, 31), "high", None),
    ("ref-year-quarter", "三季度末前（2025年）", "period_end", D(2025, 9, 30), "high", None),
    ("ref-year-half", "上半年(2025年)", "period_end", D(2025, 6, 30), "high", None),
    ("ref-year-end", "年底前（2025年）", "period_end", D(2025, 12, 31), "high", None),
    # with a reference in the bracketed year's December, a month without one would roll to next year
    ("after-ref-month", "6月底前（2025年）", "period_end", D(2025, 6, 30), "high", D(2025, 12, 1)),
]


@pytest.mark.parametrize(
    ("text", "kind", "expect", "confidence", "ref"),
    [r[1:] for r in BRACKET_YEAR],
    ids=[r[0] for r in BRACKET_YEAR],
)
def test_a_bracketed_year_after_the_phrase_is_its_year(
    text: str, kind: str, expect: object, confidence: str, ref: dt.date | None
) -> None:
    d = parse_deadline(text, ref or REF)
    assert (d.kind, d.due, d.confidence, d.candidates) == (kind, expect, confidence, ()), d
    assert len(find_deadlines(text, ref or REF)) == 1  # the year is not a deadline of its own
    assert d.span.startswith(text[0]) and d.span.count("（") + d.span.count("(") == 1, d.span


def test_the_bracket_table_is_unique() -> None:
    assert len({r[0] for r in BRACKET_YEAR}) == len(BRACKET_YEAR)


@pytest.mark.parametrize(
    ("text", "kind", "expect", "confidence", "ref"), [r[1:] for r in UNSEEN], ids=[r[0] for r in UNSEEN]
)
def test_unseen_phrasings(text: str, kind: str, expect: object, confidence: str, ref: dt.date | None) -> None:
    d = parse_deadline(text, ref or REF)
    got = d.recur if kind == "recurring" else d.due
    assert (d.kind, got, d.confidence) == (kind, expect, confidence), d


def test_the_table_is_new_and_large_enough() -> None:
    assert len(UNSEEN) >= 60
    assert len({r[0] for r in UNSEEN}) == len(UNSEEN)
    assert len({r[1] for r in UNSEEN}) == len(UNSEEN)


def test_a_deadline_with_a_done_note_keeps_its_date() -> None:
    """The status is the ledger's business; the time limit stays what it was."""
    d = parse_deadline("2025年11月底前（已完成）", REF)
    assert (d.kind, d.due) == ("period_end", D(2025, 11, 30))


def test_an_hour_without_before_is_not_made_a_deadline() -> None:
    assert parse_deadline("2024年12月18日15时，区委召开专题会议", REF).kind == "none"


def test_a_plan_for_the_future_is_not_next_year() -> None:
    assert parse_deadline("未来年内完成", REF).due == D(2025, 12, 31)
