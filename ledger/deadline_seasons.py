"""Deadline rules for named seasons: holidays, school terms, the flood season, days of the week.

春节前 is the eve of 正月初一, 元旦前 the last day of the year before, 国庆前/“十一”前 30 September,
五一前 30 April; a year word before them (明年春节前, 今年汛期前) names whose holiday it is.
"""

from __future__ import annotations

import datetime as dt
import re

from ledger.calendar_cn import next_lunar_on_or_after, spring_festival
from ledger.dates import add_months, infer_year, month_end
from ledger.deadline_rules import DIGITS, Y_FIRST, Reading, Y, rule, year_of


@rule(Y + r"?\s*(?:春节|春节假期)\s*(?:之前|以前|前)", need=("春", "前"), first=Y_FIRST + "春")
def _spring(m: re.Match[str], ref: dt.date) -> Reading | None:
    return _spring_eve(year_of(m, ref), ref)


def _spring_eve(y: int | None, ref: dt.date) -> Reading | None:
    """The eve of 正月初一: of year `y` if written, else the next one on or after ref."""
    if y is not None:
        return ("date", spring_festival(y) - dt.timedelta(days=1), None, True, False)
    d = spring_festival(ref.year)
    if d - dt.timedelta(days=1) < ref:
        d = spring_festival(ref.year + 1)
    return ("date", d - dt.timedelta(days=1), None, True, False)


@rule(r"(?<![\d今明本当去下一])年前(?!后)", need=("年", "前"), first="年")
def _before_new_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    return _spring_eve(None, ref)


@rule(Y + r"?\s*元旦\s*(?:之前|以前|前)", need="元", first=Y_FIRST + "元")
def _new_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = year_of(m, ref)
    if y is not None:
        return ("date", dt.date(y - 1, 12, 31), None, True, False)
    d = dt.date(ref.year, 12, 31)
    return ("date", d, None, True, False)


@rule(Y + r"?\s*(?:国庆|十一)\s*(?:节)?(?:假期)?\s*(?:之前|以前|前)", need=("国十", "前"), first=Y_FIRST + "国十")
def _national_day(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("date", infer_year(ref, lambda yy: dt.date(yy, 9, 30), year_of(m, ref)), None, True, False)


@rule(
    Y + r"?\s*(?:五一|劳动节)\s*(?:劳动节|节)?(?:假期)?\s*(?:之前|以前|前)",
    need=("五劳", "前"),
    first=Y_FIRST + "五劳",
)
def _labour_day(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("date", infer_year(ref, lambda yy: dt.date(yy, 4, 30), year_of(m, ref)), None, True, False)


@rule(r"(?P<f>中秋|端午|清明)\s*(?:节)?(?:假期)?\s*(?:之前|以前|前)", need=("秋午明", "前"), first="中端清")
def _lunar_festival(m: re.Match[str], ref: dt.date) -> Reading | None:
    if m["f"] == "清明":
        return ("date", infer_year(ref, lambda yy: dt.date(yy, 4, 3), None), None, True, False)
    lm, ld = (8, 15) if m["f"] == "中秋" else (5, 5)
    return (
        "date",
        next_lunar_on_or_after(ref + dt.timedelta(days=1), lm, ld) - dt.timedelta(days=1),
        None,
        True,
        False,
    )


@rule(
    Y + r"?\s*(?P<s>暑期|暑假|秋季开学|秋季学期开学|寒假|春季开学|春季学期开学)(?P<before>之前|以前|前)?",
    need=("暑寒学",),
    first=Y_FIRST + "暑秋寒春",
)
def _school(m: re.Match[str], ref: dt.date) -> Reading | None:
    summer = m["s"] in ("暑期", "暑假", "秋季开学", "秋季学期开学")

    def make(yy: int) -> dt.date:
        return dt.date(yy, 8, 31) if summer else month_end(yy, 2)

    strong = bool(m["before"]) or "开学" in m["s"]
    return ("period_end", infer_year(ref, make, year_of(m, ref)), None, strong, True)


@rule(r"(?<![春秋季])开学(?:之前|以前|前)", need=("学", "开"), first="开")
def _school_start(m: re.Match[str], ref: dt.date) -> Reading | None:
    """A bare 开学前: the next school start, the end of February or of August."""
    for d in (month_end(ref.year, 2), dt.date(ref.year, 8, 31), month_end(ref.year + 1, 2)):
        if d >= ref:
            return ("period_end", d, None, True, False)
    return None


@rule(Y + r"?年中(?:之前|以前|前)?", need=("中", "年"), first=Y_FIRST + "年")
def _mid_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", infer_year(ref, lambda yy: dt.date(yy, 6, 30), year_of(m, ref)), None, True, False)


@rule(r"(?P<n>半)年(?:以内|之内|内)", need=("半",), first="半")
def _half_year_within(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", add_months(ref, 6), None, True, False)


@rule(r"本学期(?:末|内)?", need="学", first="本")
def _semester(m: re.Match[str], ref: dt.date) -> Reading | None:
    if 2 <= ref.month <= 8:
        return ("period_end", dt.date(ref.year, 7, 31), None, True, False)
    y = ref.year + 1 if ref.month >= 9 else ref.year
    return ("period_end", dt.date(y, 1, 31), None, True, False)


@rule(Y + r"?\s*(?P<s>主汛期|汛期|汛)(?:来临|到来)?(?:之前|以前|前)", need="汛", first=Y_FIRST + "主汛")
def _flood(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = 6 if m["s"] == "主汛期" else 5
    return ("period_end", infer_year(ref, lambda yy: month_end(yy, month), year_of(m, ref)), None, True, False)


@rule(Y + r"?\s*(?:汛期结束|汛期过后|汛期后|汛后|汛末)(?:之前|以前|前)?", need="汛", first=Y_FIRST + "汛")
def _flood_over(m: re.Match[str], ref: dt.date) -> Reading | None:
    """汛期结束前, 汛后: the flood season ends on 30 September (low confidence: regions differ)."""
    return ("period_end", infer_year(ref, lambda yy: dt.date(yy, 9, 30), year_of(m, ref)), None, False, True)


@rule(
    Y + r"?\s*(?P<s>秋季学期|秋学期|春季学期|春学期)(?!开学)(?P<end>结束|末|内)?(?P<before>之前|以前|前)?",
    need=("学",),
    first=Y_FIRST + "秋春",
)
def _term(m: re.Match[str], ref: dt.date) -> Reading | None:
    """2024年秋季学期 ends on 31 January 2025; a spring term (春季学期) on 31 July of its year."""
    autumn = m["s"].startswith("秋")

    def make(yy: int) -> dt.date:
        return dt.date(yy + 1, 1, 31) if autumn else dt.date(yy, 7, 31)

    y = year_of(m, ref)
    if y is None:  # the term under way or the next one: the first whose end is not past
        y = ref.year - 1 if autumn and ref.month == 1 else ref.year
        if make(y) < ref:
            y += 1
    return ("period_end", make(y), None, bool(m["end"] or m["before"]), True)


@rule(
    r"(?:(?P<y1>\d{4})\s*(?:年)?\s*(?:-|至|到)\s*(?P<y>\d{4})\s*(?:年度?)?|(?P<this>本|这个|当前))\s*学年(?:度)?"
    r"(?P<end>结束|末|内)?(?P<before>之前|以前|前)?",
    need=("学",),
    first=DIGITS + "本这当",
)
def _school_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    """2024-2025学年 ends on 31 July 2025; 本学年 is the one under way (September to August)."""
    if m["y"]:
        if int(m["y"]) - int(m["y1"]) != 1:
            return None
        return ("period_end", dt.date(int(m["y"]), 7, 31), None, bool(m["end"] or m["before"]), True)
    y = ref.year if ref.month <= 8 else ref.year + 1
    return ("period_end", dt.date(y, 7, 31), None, True, False)


_PLAN_DIGIT = "一二三四五六七八九"


@rule(
    r"十(?P<k>[一二三四五六七八九])五\s*(?:规划)?\s*(?:(?P<end>末|期末|末期|期内|内|以内|之内|前|之前|以前)|(?P<span>期间|时期))",
    need=("十", "五"),
    first="十",
)
def _five_year_plan(m: re.Match[str], ref: dt.date) -> Reading | None:
    """十四五末, “十四五”期间: the plan's last year (十四五 is 2021-2025, 十五五 2026-2030)."""
    last = 2005 + 5 * (_PLAN_DIGIT.index(m["k"]) + 1)
    return ("period_end", dt.date(last, 12, 31), None, bool(m["end"]), True)


# 含当日 (the day itself included, a note after a date) is no day of its own.
@rule(
    r"(?<!含)(?P<w>今天|今日|当天|当日|明天|明日|后天)(?:之内|内|前|下班前)?",
    need=("今明后当", "天日"),
    first="今当明后",
)
def _today(m: re.Match[str], ref: dt.date) -> Reading | None:
    off = {"明天": 1, "明日": 1, "后天": 2}.get(m["w"], 0)
    return ("date", ref + dt.timedelta(days=off), None, True, False)


_WD = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}


@rule(
    r"(?P<which>本|这|下下|下)?(?:个)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])(?:之前|以前|前)?",
    need=("周星礼", "一二三四五六日天1234567"),
    first="本这下周星礼",
)
def _weekday(m: re.Match[str], ref: dt.date) -> Reading | None:
    target = _WD[m["d"]]
    monday = ref - dt.timedelta(days=ref.weekday())
    weeks = {"下": 1, "下下": 2}.get(m["which"] or "", 0)
    d = monday + dt.timedelta(days=7 * weeks + target)
    if not m["which"] and d < ref:
        d += dt.timedelta(days=7)
    return ("date", d, None, True, False)


@rule(r"(?P<which>本|这|下)(?:个)?(?:周|星期)(?:内|末)?", need=("周星", "本这下"), first="本这下")
def _week(m: re.Match[str], ref: dt.date) -> Reading | None:
    sunday = ref + dt.timedelta(days=6 - ref.weekday())
    if m["which"] == "下":
        sunday += dt.timedelta(days=7)
    return ("period_end", sunday, None, True, False)
