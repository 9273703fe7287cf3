"""Deadline prose → due dates, one row per rule of docs/deadlines.md, in real report phrasing."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.deadlines import add_workdays, find_deadlines, is_workday, parse_deadline, parse_user_date
from ledger.extract import extract_text
from ledger.models import KINDS_WITH_DUE
from tests.conftest import REPORT_TXT

D = dt.date
REF = D(2024, 3, 15)  # the seed report's date

# (id, text, ref, kind, due or recur)
TABLE = [
    # kinds
    ("date-explicit", "2024年5月20日前完成整改", REF, "date", D(2024, 5, 20)),
    ("date-iso-chat", "2024-06-30", REF, "date", D(2024, 6, 30)),
    ("date-slash-chat", "2024/6/30", REF, "date", D(2024, 6, 30)),
    ("date-today", "今天", REF, "date", REF),
    ("date-tomorrow", "明天下班前报送", REF, "date", D(2024, 3, 16)),
    ("recurring-weekly", "每周开展无人机走航监测", REF, "recurring", "weekly"),
    ("recurring-monthly", "每月更新问题线索核查进展情况", REF, "recurring", "monthly"),
    ("recurring-quarterly", "做到每季度全覆盖", REF, "recurring", "quarterly"),
    ("recurring-by-quarter", "建立流动党员管理数据库，按季度动态更新", REF, "recurring", "quarterly"),
    ("recurring-half-year", "每半年向区委报告一次整改情况", REF, "recurring", "half-yearly"),
    ("recurring-yearly", "每年开展一次专项检查", REF, "recurring", "yearly"),
    ("recurring-daily-report", "实行日报制度", REF, "recurring", "daily"),
    ("recurring-month-dispatch", "实行月调度", REF, "recurring", "monthly"),
    ("recurring-bare-regular", "定期召开行政执法案件管理工作调度会", REF, "recurring", "unspecified"),
    ("ongoing-long-term", "长期坚持", REF, "ongoing", None),
    ("ongoing-continue", "持续推进环玄武湖文旅消费集聚区建设", REF, "ongoing", None),
    ("ongoing-normalised", "常态化挖掘企业技术需求", REF, "ongoing", None),
    ("ongoing-mechanism", "建立长效机制", REF, "ongoing", None),
    ("ongoing-irregular", "不定期召开执法专题培训会议", REF, "ongoing", None),
    ("ongoing-clear", "隐患动态清零", REF, "ongoing", None),
    ("immediate", "立行立改", REF, "immediate", REF),
    ("immediate-know-fix", "即知即改", REF, "immediate", REF),
    ("immediate-at-once", "立即整改到位", REF, "immediate", REF),
    ("immediate-overnight", "事不隔夜", REF, "immediate", REF),
    ("none-as-of", "截至12月29日，共巡查小型经营场所48802家次", REF, "none", None),
    ("none-as-of-now", "截止目前已完成整改14个", REF, "none", None),
    ("none-backwards", "倒排工期，挂图作战", REF, "none", None),
    ("none-time-limited", "限期完成", REF, "none", None),
    ("none-past-event", "12月1日成功举办开园仪式", REF, "none", None),
    ("none-past-month", "11月开展2场集中宣传对接活动", REF, "none", None),
    ("none-past-already", "已于10月19日通过市级自查验收", REF, "none", None),
    ("none-past-month-end", "于10月底通过省市验收并开始运营", REF, "none", None),
    ("none-start", "2023年起正式实施", REF, "none", None),
    ("none-since", "10月以来劝离违停车辆22689辆", REF, "none", None),
    ("none-plan-title", "制定《实施方案(2023-2025年)》", REF, "none", None),
    ("none-empty", "", REF, "none", None),
    # year inference
    ("year-same", "6月底前完成", REF, "period_end", D(2024, 6, 30)),
    ("year-next", "2月底前完成", REF, "period_end", D(2025, 2, 28)),
    ("year-written-past-kept", "2023年12月31日前", REF, "date", D(2023, 12, 31)),
    ("year-this", "今年年底前完成", REF, "period_end", D(2024, 12, 31)),
    ("year-next-word", "明年6月底前", REF, "period_end", D(2025, 6, 30)),
    ("this-month", "本月底前报送", REF, "period_end", D(2024, 3, 31)),
    # 前 after a day
    ("before-day-inclusive", "5月20日前", REF, "date", D(2024, 5, 20)),
    ("before-day-zhiqian", "2024年5月20日之前", REF, "date", D(2024, 5, 20)),
    # months
    ("month-done", "6月完成", REF, "period_end", D(2024, 6, 30)),
    ("month-end", "2024年6月底", REF, "period_end", D(2024, 6, 30)),
    ("month-end-before", "9月底前完成", REF, "period_end", D(2024, 9, 30)),
    ("month-mo", "2024年11月末", REF, "period_end", D(2024, 11, 30)),
    ("month-fen", "2024年8月份", REF, "period_end", D(2024, 8, 31)),
    ("month-before-start", "2025年7月前", REF, "period_end", D(2025, 6, 30)),
    ("month-before-january", "2025年1月前", REF, "period_end", D(2024, 12, 31)),
    # 旬
    ("xun-early", "2024年4月上旬", REF, "period_end", D(2024, 4, 10)),
    ("xun-mid", "十二月中旬", REF, "period_end", D(2024, 12, 20)),
    ("xun-late", "2024年2月下旬", REF, "period_end", D(2024, 2, 29)),
    # quarters and halves
    ("quarter-1", "计划2024年一季度开工实施", REF, "period_end", D(2024, 3, 31)),
    ("quarter-di", "2024年第二季度", REF, "period_end", D(2024, 6, 30)),
    ("quarter-q3", "2024年Q3", REF, "period_end", D(2024, 9, 30)),
    ("quarter-digit", "力争4季度完成", REF, "period_end", D(2024, 12, 31)),
    ("half-first", "上半年完成", REF, "period_end", D(2024, 6, 30)),
    ("half-second", "2024年下半年", REF, "period_end", D(2024, 12, 31)),
    # year
    ("year-end", "年底前", REF, "period_end", D(2024, 12, 31)),
    ("year-mo", "2025年年末", REF, "period_end", D(2025, 12, 31)),
    ("year-within", "年内完成", REF, "period_end", D(2024, 12, 31)),
    ("year-bare-planned", "计划2024年建成", REF, "period_end", D(2024, 12, 31)),
    ("year-bare-intend", "拟于2024年组织学校食堂伙食费使用情况校内自查", REF, "period_end", D(2024, 12, 31)),
    # ranges and stages
    ("range-days", "10月8日-20日", REF, "period_end", D(2024, 10, 20)),
    ("range-years", "2025—2027年", REF, "period_end", D(2027, 12, 31)),
    ("range-duration", "3至5年内", REF, "period_end", D(2029, 3, 15)),
    ("range-bracketed", "(11月1日至11月30日)", REF, "period_end", D(2024, 11, 30)),
    ("range-months", "2024年3月至6月完成", REF, "period_end", D(2024, 6, 30)),
    # holidays
    ("spring-festival", "春节前", REF, "date", D(2025, 1, 28)),
    ("spring-festival-named", "2024年春节前", D(2023, 12, 1), "date", D(2024, 2, 9)),
    ("new-year-day", "元旦前", REF, "date", D(2024, 12, 31)),
    ("new-year-day-named", "2025年元旦前", REF, "date", D(2024, 12, 31)),
    ("national-day", "国庆前", REF, "date", D(2024, 9, 30)),
    ("national-day-shiyi", "十一前", REF, "date", D(2024, 9, 30)),
    ("nian-qian-is-spring-festival", "年前完成", D(2024, 11, 1), "date", D(2025, 1, 28)),
    # school calendar
    ("summer", "确保2024年暑期更换到位", REF, "period_end", D(2024, 8, 31)),
    ("summer-holiday", "暑假期间完成", REF, "period_end", D(2024, 8, 31)),
    ("autumn-term", "秋季开学前", REF, "period_end", D(2024, 8, 31)),
    ("winter", "寒假完成", REF, "period_end", D(2025, 2, 28)),
    ("spring-term", "春季开学前", D(2023, 12, 1), "period_end", D(2024, 2, 29)),
    ("semester-spring", "本学期", REF, "period_end", D(2024, 7, 31)),
    ("semester-autumn", "本学期内", D(2024, 10, 8), "period_end", D(2025, 1, 31)),
    # flood season
    ("flood", "汛前完成清淤", REF, "period_end", D(2024, 5, 31)),
    ("flood-qi", "汛期前", REF, "period_end", D(2024, 5, 31)),
    ("main-flood", "主汛期前", REF, "period_end", D(2024, 6, 30)),
    # durations from ref (Civil Code)
    ("days-within", "10日内", D(2025, 3, 3), "period_end", D(2025, 3, 13)),
    ("days-tian", "30天内整改到位", REF, "period_end", D(2024, 4, 14)),
    ("months-within", "两个月内", D(2024, 12, 31), "period_end", D(2025, 2, 28)),
    ("weeks-within", "两周内", REF, "period_end", D(2024, 3, 29)),
    ("years-within", "三年内", REF, "period_end", D(2027, 3, 15)),
    ("use-months", "用3个月时间集中整治", REF, "period_end", D(2024, 6, 15)),
    # durations from a named anchor (inclusive)
    ("anchor-month", "自6月1日起为期一个月", REF, "period_end", D(2024, 6, 30)),
    ("anchor-days", "自2024年4月1日起，为期30天", REF, "period_end", D(2024, 4, 30)),
    # working days with 调休
    ("workdays-national-day", "10个工作日内", D(2023, 9, 20), "period_end", D(2023, 10, 10)),
    ("workdays-spring-festival", "15个工作日内", D(2024, 1, 31), "period_end", D(2024, 2, 26)),
    # several deadlines → the latest
    ("several-latest", "6月底前完成方案，12月底前全部完成", REF, "period_end", D(2024, 12, 31)),
    # Chinese numerals
    ("numerals-ling", "二〇二五年三月底", REF, "period_end", D(2025, 3, 31)),
    ("numerals-circle", "二○二五年底前", REF, "period_end", D(2025, 12, 31)),
    ("numerals-day", "二〇二四年十二月二十八日前", REF, "date", D(2024, 12, 28)),
    # mixed duties
    ("mixed-dated-then-ongoing", "2024年6月底前完成并长期坚持", REF, "period_end", D(2024, 6, 30)),
    ("mixed-immediate-ongoing", "立行立改、长期坚持", REF, "ongoing", None),
    # ledger-column phrasing seen in real 整改台账
    ("ledger-long-term", "长期", REF, "ongoing", None),
    ("ledger-keep-fixing", "持续整改", REF, "ongoing", None),
    ("window-end", "即日起至6月30日", REF, "period_end", D(2024, 6, 30)),
    ("by-year-end", "到2024年底", REF, "period_end", D(2024, 12, 31)),
    ("cross-year-months", "2024年11月—2025年1月", REF, "period_end", D(2025, 1, 31)),
    ("every-two-weeks", "每两周调度一次", REF, "recurring", "weekly"),
    ("every-term", "每学期开展一次", REF, "recurring", "half-yearly"),
    ("quarter-end", "季度末前", REF, "period_end", D(2024, 3, 31)),
    ("main-flood-arrives", "主汛期到来前", REF, "period_end", D(2024, 6, 30)),
    ("school-start", "开学前", REF, "period_end", D(2024, 8, 31)),
    ("mid-year", "2024年年中", REF, "period_end", D(2024, 6, 30)),
    ("half-year-within", "半年内", REF, "period_end", D(2024, 9, 15)),
    ("within-the-year", "年度内完成", REF, "period_end", D(2024, 12, 31)),
    ("lunar-new-year", "农历春节前", REF, "date", D(2025, 1, 28)),
    ("numerals-national-day", "十月一日前", REF, "date", D(2024, 10, 1)),
    ("as-of-month-end", "截至6月底，已完成", REF, "none", None),
    ("past-done-month", "2023年12月已完成", REF, "none", None),
    ("immediate-instant", "即时整改", REF, "immediate", REF),
    ("staged-latest", "2024年9月底前完成首批，2025年6月底前全部完成", REF, "period_end", D(2025, 6, 30)),
    ("limit-label", "整改时限：2024年12月31日", REF, "date", D(2024, 12, 31)),
    ("start-and-end", "2024年3月启动，2024年10月底前完成", REF, "period_end", D(2024, 10, 31)),
    ("dotted-date", "2024.12.31", REF, "date", D(2024, 12, 31)),
    ("next-monday", "下周一前", REF, "date", D(2024, 3, 18)),
    ("past-already-before", "已于2023年底前完成", REF, "none", None),
    ("recurring-one-a-month", "实行一月一调度", REF, "recurring", "monthly"),
    ("recurring-half-month", "每半月通报一次", REF, "recurring", "weekly"),
    ("as-of-then-plan", "截至2024年2月底，已完成排查，下一步将于4月底前完成整改", REF, "period_end", D(2024, 4, 30)),
    ("postponed-to", "原定2023年底完成的任务，延期至2024年6月底", REF, "period_end", D(2024, 6, 30)),
    ("plan-next-year-quarter", "计划明年一季度完成验收", REF, "period_end", D(2025, 3, 31)),
    ("this-month-of-the-sentence", "2024年5月10日前上报方案，当月底前完成", REF, "period_end", D(2024, 5, 31)),
    ("this-month-xun", "2024年9月启动，当月下旬完成", REF, "period_end", D(2024, 9, 30)),
    ("this-month-of-ref", "当月底前完成", REF, "period_end", D(2024, 3, 31)),
    ("time-limited-months", "限期3个月整改到位", REF, "period_end", D(2024, 6, 15)),
    ("anchor-workdays", "自2023年9月20日起10个工作日内", REF, "period_end", D(2023, 10, 10)),
    ("anchor-days-within", "自6月1日起30日内", REF, "period_end", D(2024, 6, 30)),
    ("workdays-after-feedback", "收到反馈后10个工作日内", REF, "period_end", D(2024, 3, 29)),
    ("stage-then-standing", "2024年1月至3月开展集中整治，4月起转入常态化管理", REF, "period_end", D(2024, 3, 31)),
    ("recurring-qualifies-date", "每年汛期前开展一次排查", REF, "recurring", "yearly"),
    ("recurring-day-of-month", "各街道于每月5日前报送进展情况", REF, "recurring", "monthly"),
    ("leap-day-ahead", "2月29日前", REF, "date", D(2028, 2, 29)),
    ("stats-period-is-not-a-deadline", "1-11月园区累计新增注册企业2048家", REF, "none", None),
    ("range-duration-bare", "3至5年", REF, "period_end", D(2029, 3, 15)),
    ("flood-month-named", "5月主汛期前完成", REF, "period_end", D(2024, 5, 31)),
    ("flood-month-in-brackets", "汛期前(4月底前)", REF, "period_end", D(2024, 4, 30)),
    # chat fallback
    ("chat-next-friday", "next friday", REF, "date", D(2024, 3, 22)),
    ("chat-days-later", "3天后", REF, "date", D(2024, 3, 18)),
    ("chat-end-of-june", "6月底", REF, "period_end", D(2024, 6, 30)),
]


def _table_params() -> list[object]:
    return [pytest.param(*r[1:], id=r[0]) for r in TABLE]


@pytest.mark.parametrize("text,ref,kind,expect", _table_params())
def test_phrase_resolves_as_deadlines_md_says(text: str, ref: dt.date, kind: str, expect: object) -> None:
    d = parse_deadline(text, ref)
    assert d.kind == kind, d
    if kind == "recurring":
        assert d.recur == expect
    else:
        assert d.due == expect


def test_dated_plus_ongoing_is_marked_as_becoming_ongoing() -> None:
    assert parse_deadline("2024年6月底前完成并长期坚持", REF).ongoing_after


def test_span_is_the_verbatim_words() -> None:
    assert (
        parse_deadline("部分校区课桌椅已列入2024年装备采购计划，确保2024年暑期更换到位。", REF).span
        == "确保2024年暑期更换到位"
    )
    assert parse_deadline("二〇二五年三月底前", REF).span == "二〇二五年三月底前"


def test_find_deadlines_lists_every_phrase_in_order() -> None:
    found = find_deadlines("6月底前完成方案，每月调度一次，12月底前全部完成并长期坚持", REF)
    assert [(d.kind, d.due) for d in found] == [
        ("period_end", D(2024, 6, 30)),
        ("recurring", None),
        ("period_end", D(2024, 12, 31)),
        ("ongoing", None),
    ]


def test_working_days_follow_the_official_calendar() -> None:
    assert is_workday(D(2023, 10, 7))  # 调休: a Saturday worked
    assert not is_workday(D(2024, 10, 3))  # National Day week
    assert not is_workday(D(2024, 2, 12))  # Spring Festival
    assert add_workdays(D(2024, 9, 27), 3) == D(2024, 10, 8)  # 09-29 is 调休, then the holiday week


def test_user_dates_for_extensions() -> None:
    assert parse_user_date("6月底", D(2024, 5, 10)) == D(2024, 6, 30)
    assert parse_user_date("2024-06-30", REF) == D(2024, 6, 30)
    assert parse_user_date("随便", REF) is None


# Every deadline phrase of the seed report, as DEADLINES.md reads it (ref = 2024-03-15).
SEED_PHRASES = {
    "P2-1": ("定期跟踪报道", "recurring", "unspecified"),
    "P2-2": ("持续推进", "ongoing", None),
    "P4-1": ("每月", "recurring", "monthly"),
    "P5-1": ("定期", "recurring", "unspecified"),
    "P6-3": ("每季度全覆盖", "recurring", "quarterly"),
    "P7-1": ("每周", "recurring", "weekly"),
    "P7-3": ("每周调度", "recurring", "weekly"),
    "P9-1": ("每月", "recurring", "monthly"),
    "P11-1": ("按季度动态更新", "recurring", "quarterly"),
    "P12-1": ("每周更新上报机制", "recurring", "weekly"),
    "P14-3": ("常态化", "ongoing", None),
    "P20-1": ("长效机制", "ongoing", None),
    "P22-1": ("计划2024年一季度开工实施", "period_end", D(2024, 3, 31)),
    "P22-2": ("长期跟踪关注", "ongoing", None),
    "P24-3": ("定期排查机制", "recurring", "unspecified"),
    "P24-4": ("确保2024年暑期更换到位", "period_end", D(2024, 8, 31)),
    "P25-3": ("拟于2024年", "period_end", D(2024, 12, 31)),
    "P29-3": ("不定期", "ongoing", None),
    "P30-2": ("计划2024年建成", "period_end", D(2024, 12, 31)),
}


def test_every_deadline_phrase_in_the_seed_report_resolves() -> None:
    draft = extract_text(pathlib.Path(REPORT_TXT).read_text(encoding="utf-8"))
    got = {m.id: m for m in draft.measures}
    for mid, (span, kind, expect) in SEED_PHRASES.items():
        d = got[mid].deadline
        assert (d.span, d.kind) == (span, kind), mid
        assert (d.recur if kind == "recurring" else d.due) == expect, mid
    # no as-of date (截至12月29日) or past event (12月1日成功举办) became a deadline
    dated = {mid for mid, m in got.items() if m.deadline.due}
    assert dated == {"P22-1", "P24-4", "P25-3", "P30-2"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)))
def test_any_string_never_raises_and_due_matches_kind(text: str, ref: dt.date) -> None:
    d = parse_deadline(text, ref)
    assert (d.due is not None) == (d.kind in KINDS_WITH_DUE)
    assert (d.recur is not None) == (d.kind == "recurring")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="0123456789年月日号底前内至-—一二三四五六七八九十〇两季度上中下旬半每周个工作天计划确保截至已",
        max_size=30,
    ),
    st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)),
)
def test_deadline_shaped_noise_never_raises(text: str, ref: dt.date) -> None:
    d = parse_deadline(text, ref)
    assert (d.due is not None) == (d.kind in KINDS_WITH_DUE)
