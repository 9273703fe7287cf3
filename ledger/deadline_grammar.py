"""The grammar of deadline prose: one rule a phrase shape, each building a due date from a match.

Dates, months, 旬, quarters, halves and years, ranges of them, durations (N日内, 用N个月时间,
自…起为期…), working days, and the duty words (立行立改, 长期坚持, 每月…). Holidays and other
named seasons are in ledger.deadline_seasons, registered after these (rule order breaks ties).
How rules are registered and tried: ledger.deadline_rules.
"""

from __future__ import annotations

import datetime as dt
import re

from ledger.calendar_cn import add_workdays
from ledger.dates import add_months, infer_year, month_end, quarter_end, safe_date
from ledger.deadline_rules import BEFORE, DIGITS, WITHIN, Y_FIRST, Reading, Y, rule, year_of
from ledger.models import Recurrence


@rule(
    r"(?:立行立改|即知即改|马上就改|立即整改(?:到位)?|即时整改|事不隔夜|立查立改|即查即改|立即(?=落实|处置|整改|停止|清理)"
    r"|(?:第一时间|当即|当场|现场)(?=整改|处置|纠正|落实))",
    need=("立即马隔第当现",),
    first="立即马事第当现",
)
def _immediate(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("immediate", ref, None, True, False)


@rule(
    r"(?:长期坚持|持续推进|持续整改|常态化|常年|动态清零|(?:建立|健全|完善|形成)?长效机制|不定期|长期跟踪|久久为功"
    r"|持之以恒|长期(?:开展|执行|保持|推进|整改)|^\s*长期\s*$|(?<=[:(\-至到，,、/\s])\s*长期\s*(?=$|[)。；;，,]))",
    need=("长持常清定久",),
)
def _ongoing(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("ongoing", None, None, True, False)


@rule(
    r"(?:边(?:查|督|整|改|巡)边(?:改|整|查)|适时|随时|常抓不懈|抓常抓长|一以贯之|经常性|常态长效"
    # 中长期 as a ledger's time limit (a task with no near date), not in a plan's name (中长期规划)
    r"|中长期(?=\s*$|[\s)。；;，,、]|整改|任务|推进|坚持|落实|解决|事项))",
    need=("边适随抓贯经常中",),
)
def _ongoing_soft(m: re.Match[str], ref: dt.date) -> Reading | None:
    """A working principle (边查边改, 适时复查, 持续加强): a standing duty, read with low confidence."""
    return ("ongoing", None, None, True, False)


_RECUR: list[tuple[str, Recurrence]] = [
    (r"每(?:个)?(?:工作)?[天日]|日报|每日一报|按日", "daily"),
    (
        r"每(?:个)?(?:[两二2]个?)?(?:周|星期|礼拜)|周报|按周|周调度|每周一报|每半个?月",
        "weekly",
    ),
    (
        r"每(?:[两二23]个?)?(?:个)?月|月报|按月|月调度|月度调度|每月一报|逐月",
        "monthly",
    ),
    (r"每(?:个)?季度?|季报|按季度?|季度调度|逐季", "quarterly"),
    (r"每半年|半年报|按半年|每学期", "half-yearly"),
    (r"每(?:一)?年度?|年报|按年度?|逐年", "yearly"),
    (r"(?<!不)定期", "unspecified"),
]
_RECUR_NAMES: dict[str, Recurrence] = {f"r{i}": recur for i, (_, recur) in enumerate(_RECUR)}


@rule(
    "|".join(f"(?P<r{i}>{pat})" for i, (pat, _) in enumerate(_RECUR)),
    need=("每报按调逐定", "日周月季年期天星礼学"),
    first="每日按周月逐季半年定",
)
def _recurring(m: re.Match[str], ref: dt.date) -> Reading | None:
    """每周/每月/每季度…, 周报/月调度, 按季度, 定期: one regex, the group says which."""
    return ("recurring", None, _RECUR_NAMES[m.lastgroup or ""], True, False)


@rule(
    r"(?:[一1](?P<u>日|周|月|季度?|年)|(?P<half>半年))一(?:调度|通报|报告|报|督查|研判|会商|次)",
    need=("一1", "日周月季年", "调通报督研会次"),
    first="一1半",
)
def _recurring_once_each(m: re.Match[str], ref: dt.date) -> Reading | None:
    """一月一调度, 一周一通报, 一季一督查, 一年一次, 半年一次 (一季度一次 is quarterly, not the first quarter)."""
    return ("recurring", None, "half-yearly" if m["half"] else _ONCE_EACH[m["u"]], True, False)


_ONCE_EACH: dict[str, Recurrence] = {
    "日": "daily",
    "周": "weekly",
    "月": "monthly",
    "季": "quarterly",
    "季度": "quarterly",
    "年": "yearly",
}


@rule(r"(?P<n>\d{1,3})\s*个?\s*工作日" + WITHIN + r"?", need=("工", DIGITS), first=DIGITS)
def _workdays(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", add_workdays(ref, int(m["n"])), None, True, False)


@rule(
    r"(?:(?:(?P<lo>\d{1,3})\s*(?:至|到|-)\s*)?(?P<n>\d{1,3})\s*(?P<u>个月|个季度|个?小时|个星期|个?周|天|日|年|个工作日)"
    r"|(?P<half>半个月))\s*(?:时间)?" + WITHIN,
    need="内",
    first=DIGITS + "半",
)
def _duration(m: re.Match[str], ref: dt.date) -> Reading | None:
    if m["half"]:  # 半个月内: fifteen days
        return ("period_end", ref + dt.timedelta(days=15), None, True, False)
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(r"(?<=限期)(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)", need=("限", DIGITS), first=DIGITS)
def _time_limited(m: re.Match[str], ref: dt.date) -> Reading | None:
    """限期3个月: a window from ref."""
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(
    r"(?<![\d年月])\d{1,2}\s*(?:至|到|-)\s*(?P<n>\d{1,2})\s*(?P<u>个月|年)(?![\d度底末前])",
    need=("至到-", "年月", DIGITS),
    first=DIGITS,
)
def _duration_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    """3至5年: the upper bound."""
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(
    r"用\s*(?:(?:(?P<lo>\d{1,3})\s*(?:至|到|-)\s*)?(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)|(?P<half>半年|半个月))"
    r"\s*(?:左右)?(?:的)?时间",
    need=("用", "时"),
    first="用",
)
def _use_time(m: re.Match[str], ref: dt.date) -> Reading | None:
    """用3个月时间, 用半年时间: a window from ref."""
    if m["half"]:
        return (
            "period_end",
            add_months(ref, 6) if m["half"] == "半年" else ref + dt.timedelta(days=15),
            None,
            True,
            False,
        )
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(
    r"(?:(?:整改|完成|落实)(?:时限|期限|时间)|^\s*(?:时限|期限))\s*(?:为|是|:)?\s*"
    r"(?:(?P<n>\d{1,3})\s*(?P<u>个月|个季度|个星期|个?周|天|日|年)|(?P<half>半年|半个月))"
    r"(?!\s*(?:以内|之内|内|后|以后|之后|\d))",
    need=("限间", DIGITS + "半"),
    first="整完落时期\\s",
)
def _labelled_duration(m: re.Match[str], ref: dt.date) -> Reading | None:
    """整改时限为3个月, 整改期限：6个月: a duration a deadline label gives counts from the reference date."""
    return ("period_end", span_after(m, ref), None, True, False)


def span_after(m: re.Match[str], ref: dt.date) -> dt.date:
    """The end of the duration `m` names (groups n and u, or half) from ref."""
    if m["half"]:
        return ref + dt.timedelta(days=15) if m["half"] == "半个月" else add_months(ref, 6)
    return _after(ref, int(m["n"]), m["u"])


def _after(ref: dt.date, n: int, u: str) -> dt.date:
    """The end of n units from ref, the Civil Code's way (start day not counted)."""
    if u in ("天", "日"):
        return ref + dt.timedelta(days=n)
    if u in ("小时", "个小时"):
        return ref + dt.timedelta(days=-(-n // 24))  # 24小时内: by the end of the next day
    if u == "个季度":
        return add_months(ref, 3 * n)
    if u in ("周", "个周", "个星期"):
        return ref + dt.timedelta(weeks=n)
    if u == "个月":
        return add_months(ref, n)
    return add_months(ref, 12 * n)


@rule(
    r"(?:自|从)?(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号]?)?(?:起|开始)?\s*[，,]?\s*"
    r"(?:(?:(?<=[起始，,])[^，。；;,\d]{0,12}?)?(?:为期|(?:利)?用)\s*(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)(?:左右)?(?:的)?"
    r"|(?P<n2>\d{1,3})\s*(?P<u2>个月|个星期|个?周|天|日|年)(?:以内|之内|内)"
    r"|(?P<w>\d{1,3})\s*个?工作日(?:以内|之内|内)?)",
    need=("期内工用", "月", DIGITS),
    first=DIGITS + "自从",
)
def _anchored(m: re.Match[str], ref: dt.date) -> Reading | None:
    """A window from a date the text names: 自6月1日起为期一个月 (day one counts), 5月6日起10个工作日内."""
    y = int(m["y"]) if m["y"] else None
    if not m["d"] and not m["n"]:
        return None  # "6月10天内": a month alone anchors only 为期/用…时间
    start = infer_year(ref, lambda yy: safe_date(yy, int(m["m"]), int(m["d"] or 1)), y)
    if start is None:
        return None
    if m["w"]:  # working days: the start day is not counted
        return ("period_end", add_workdays(start, int(m["w"])), None, True, False)
    n, u = (int(m["n"]), m["u"]) if m["n"] else (int(m["n2"]), m["u2"])
    return ("period_end", _after(start, n, u) - dt.timedelta(days=1), None, True, False)


@rule(r"(?P<n>\d{1,3})\s*(?P<u>天|日|个星期|个?周|个月)(?:之?后|以后)", need=("后", DIGITS), first=DIGITS)
def _days_later(m: re.Match[str], ref: dt.date) -> Reading | None:
    """3天后, 两周后, 一个月后 (typed in chat): that day."""
    return ("date", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(
    r"(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?:\s*(?:至|到|-)\s*(?:(?P<y2>\d{4})\s*[-/.]\s*)?(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2}))?(?![\d])"
    + BEFORE,
    need=("0123456789", "-/."),
    first=DIGITS,
)
def _iso(m: re.Match[str], ref: dt.date) -> Reading | None:
    if m["d2"]:  # a window: its end counts
        d = safe_date(int(m["y2"] or m["y"]), int(m["m2"]), int(m["d2"]))
        return ("period_end", d, None, bool(m["before"]), True) if d else None
    d = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(
    r"(?<![\d.])(?P<m>\d{1,2})\.(?P<d>\d{1,2})\s*(?:日|号)?\s*(?P<before>之前|以前|前)", need=(".", "前"), first=DIGITS
)
def _dotted_day(m: re.Match[str], ref: dt.date) -> Reading | None:
    """5.31前: month.day, as ledgers abbreviate; only with 前, since 5.31 alone may be a number."""
    d = infer_year(ref, lambda yy: safe_date(yy, int(m["m"]), int(m["d"])), None)
    return ("date", d, None, True, True) if d else None


@rule(
    r"(?P<y1>\d{4})\s*[./]\s*(?P<m1>\d{1,2})\s*(?:-|至|到)\s*(?:(?P<y>\d{4})\s*[./]\s*)?(?P<m>\d{1,2})(?![\d\-/.])"
    + BEFORE,
    need=("./", DIGITS),
    first=DIGITS,
)
def _iso_month_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    """2024.3-2024.6, 2024.3—12 (a ledger's 完成时限 as a span of months): the end of the last month."""
    y1, m1, month = int(m["y1"]), int(m["m1"]), int(m["m"])
    if not (1 <= m1 <= 12 and 1 <= month <= 12):
        return None
    y = int(m["y"]) if m["y"] else y1 + (1 if month < m1 else 0)
    return ("period_end", month_end(y, month), None, bool(m["before"]), True)


@rule(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})(?![\d\-/.])" + BEFORE, need=("-/.", DIGITS), first=DIGITS)
def _iso_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    if not 1 <= int(m["m"]) <= 12:
        return None
    return ("period_end", month_end(int(m["y"]), int(m["m"])), None, bool(m["before"]), True)


@rule(
    Y
    + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?\s*(?:-|至|到)\s*(?:(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*[日号]"
    + BEFORE,
    need=("日号", "月", "-至到", DIGITS),
    first=Y_FIRST,
)
def _day_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = year_of(m, ref)
    mm = int(m["m2"] or m["m"])
    start_m = int(m["m"])

    def make(yy: int) -> dt.date | None:
        return safe_date(yy + (1 if mm < start_m else 0), mm, int(m["d2"]))

    return ("period_end", infer_year(ref, make, y), None, bool(m["before"]), True)


# After the day: a weekday in brackets (6月30日（星期一）前) and an hour before 前 (24时前, 17:00前) say
# nothing more about the day. A year in brackets after a phrase (6月30日前（2025年）, 三季度末前（2025年）,
# 年底前（2025年度）) is its year; the match takes the brackets in, so the year is not also read as a
# deadline of its own (the longest match shadows it).
_WEEKDAY_NOTE = r"(?:\s*\((?:星期|周|礼拜)[一二三四五六日天1-7]\))?"
_HOUR = r"(?:\s*(?:\d{1,2}\s*(?:时|点)(?:\s*\d{1,2}\s*分)?|\d{1,2}:\d{2})(?=\s*(?:之前|以前|前|止|为止)))?"
YEAR_AFTER = r"(?:\s*\(\s*(?P<y3>\d{4})\s*年(?:度)?\s*\))?"


@rule(
    Y + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _WEEKDAY_NOTE + _HOUR + BEFORE + YEAR_AFTER,
    need=("日号", "月", DIGITS),
    first=Y_FIRST,
)
def _day(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = year_of(m, ref)
    d = infer_year(ref, lambda yy: safe_date(yy, int(m["m"]), int(m["d"])), y)
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(
    Y
    + r"?\s*(?:\d{1,2}\s*月(?:份)?\s*(?:上|中|下)旬\s*(?:至|到|-)\s*)?(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<x>上旬|中旬|下旬)"
    + BEFORE
    + YEAR_AFTER,
    need=("旬", DIGITS),
    first=Y_FIRST,
)
def _xun(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    x = m["x"]

    def make(yy: int) -> dt.date:
        if x == "上旬":
            return dt.date(yy, month, 10)
        if x == "中旬":
            return dt.date(yy, month, 20)
        return month_end(yy, month)

    return ("period_end", infer_year(ref, make, year_of(m, ref)), None, bool(m["before"]), True)


@rule(r"(?:本月|当月|月)(?P<x>上旬|中旬|下旬)", need=("旬", "本当月"), first="本当月")
def _xun_this_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    x = m["x"]
    day = {"上旬": 10, "中旬": 20}.get(x)
    d = dt.date(ref.year, ref.month, day) if day else month_end(ref.year, ref.month)
    return ("period_end", d, None, True, True)


@rule(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m1>\d{1,2})\s*(?:月\s*)?(?:-|至|到)\s*(?:(?P<y2>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<end>底|末|份)?"
    + r"(?P<before>之前|以前|前|止|为止)?"
    + YEAR_AFTER,
    need=("月", "-至到", DIGITS),
    first=DIGITS,
)
def _month_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    month, m1 = int(m["m"]), int(m["m1"])
    if not (1 <= month <= 12 and 1 <= m1 <= 12):
        return None
    if m["y2"]:
        return ("period_end", month_end(int(m["y2"]), month), None, bool(m["before"]), True)
    y = int(m["y"] or m["y3"]) if m["y"] or m["y3"] else None  # 6-8月（2025年）: the bracketed year
    d = infer_year(ref, lambda yy: month_end(yy + (1 if month < m1 else 0), month), y)
    return ("period_end", d, None, bool(m["before"]), True)


@rule(
    Y
    + r"?\s*(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<end>底|末|末期|中下旬|初|中(?![旬下上]))?\s*(?P<before>之前|以前|前|止|为止)?"
    + r"(?P<within>内|以内|之内)?"
    + YEAR_AFTER,
    need=("月", DIGITS),
    first=Y_FIRST,
)
def _month(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    y = year_of(m, ref)
    end, before = m["end"], m["before"]
    # 7月初, 7月中: the end of its first or middle ten days, as 上旬/中旬; "N月前" without 底/末:
    # before month N starts; else the month's last day. (Read directly rather than through
    # infer_year: every month has these days, so next year's is always on or after ref.)
    due = _month_due(ref.year if y is None else y, month, end, before)
    if y is None and due < ref:
        due = _month_due(ref.year + 1, month, end, before)
    strong = bool(before or m["within"] or _THEN_STANDING.match(m.string, m.end()))
    return ("period_end", due, None, strong, True)


def _month_due(year: int, month: int, end: str | None, before: str | None) -> dt.date:
    if end == "初" or end == "中":
        return dt.date(year, month, 10 if end == "初" else 20)
    if before and not end:
        return dt.date(year, month, 1) - dt.timedelta(days=1)
    return month_end(year, month)


_THEN_STANDING = re.compile(r"\s*(?:-|至|到)\s*长期")  # 2024年6月-长期: due in June, a standing duty after


@rule(
    Y + r"?\s*(?P<m>\d{1,2})\s*月(?:份)?\s*(?:秋季|春季)?(?:学期)?开学(?:之前|以前|前)",
    need=("学", DIGITS),
    first=Y_FIRST,
)
def _month_school_start(m: re.Match[str], ref: dt.date) -> Reading | None:
    """2024年9月开学前: the day before that month begins (31 August)."""
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    due = infer_year(ref, lambda yy: dt.date(yy, month, 1) - dt.timedelta(days=1), year_of(m, ref))
    return ("period_end", due, None, True, False)


@rule(
    r"(?:本月|当月|这个月)(?P<end>底|末|内|之内|以内)?(?P<before>前)?|(?<![\d年])月(?P<end2>底|末)(?:前)?",
    need=("月", "本当这底末"),
    first="本当这月",
)
def _this_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    """本月底前 says deadline; a bare 本月/当月 (报送当月进展) is a deadline only if its sentence says so."""
    strong = bool(m["end"] or m["before"] or m["end2"])
    return ("period_end", month_end(ref.year, ref.month), None, strong, not strong)


@rule(
    r"(?P<w>本月|当月|下个?月|次月)\s*(?P<d>\d{1,2})\s*[日号]" + BEFORE,
    need=("本当下次", "月", DIGITS),
    first="本当下次",
)
def _day_of_this_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    """本月25日前, 下月10日前, 次月10日前: a day of ref's month or of the next."""
    month = ref.replace(day=1) if m["w"] in ("本月", "当月") else add_months(ref.replace(day=1), 1)
    d = safe_date(month.year, month.month, int(m["d"]))
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(r"下(?:个)?月(?:(?P<x>初|上旬|中旬|中|下旬)|底|末|内)?(?:之前|以前|前)?", need=("月", "下"), first="下")
def _next_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    d = add_months(ref.replace(day=1), 1)
    if m["x"] and m["x"] != "下旬":  # 下月初, 下月中旬: the 10th, the 20th
        return ("period_end", d.replace(day=10 if m["x"] in ("初", "上旬") else 20), None, True, False)
    return ("period_end", month_end(d.year, d.month), None, True, False)


@rule(
    r"(?:"
    + Y
    + r"?\s*(?:第\s*)?(?P<q>[1-4])\s*季度(?:末|底)?(?P<before>之前|以前|前)?"
    + r"|(?:(?P<y2>\d{4})\s*年?\s*)?Q(?P<q2>[1-4]))"
    + YEAR_AFTER,
    need=("季Q", DIGITS),
    first=Y_FIRST + "第Q",
)
def _quarter(m: re.Match[str], ref: dt.date) -> Reading | None:
    q = int(m["q"] or m["q2"])
    y = int(m["y2"]) if m["y2"] else year_of(m, ref)  # Y, else the year in brackets after
    return ("period_end", infer_year(ref, lambda yy: quarter_end(yy, q), y), None, bool(m["before"]), True)


@rule(
    r"(?:本|当|这个)季度(?:末|底|内)?|(?<![每按\d])季(?:度)?(?:末|底)(?:前)?",
    need=("季", "本当这末底"),
    first="本当这季",
)
def _this_quarter(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", quarter_end(ref.year, (ref.month - 1) // 3 + 1), None, True, False)


@rule(Y + r"?\s*(?P<h>上半年|下半年)(?:末|底)?(?P<before>之前|以前|前)?" + YEAR_AFTER, need="半", first=Y_FIRST + "上")
def _half(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = 6 if m["h"] == "上半年" else 12
    return (
        "period_end",
        infer_year(ref, lambda yy: month_end(yy, month), year_of(m, ref)),
        None,
        bool(m["before"]),
        True,
    )


@rule(
    r"(?P<y1>\d{4})\s*(?:年度?)?\s*(?:-|至|到)\s*(?P<y>\d{4})\s*年(?:度)?(?P<end>底|末|内)?(?P<before>之前|以前|前)?",
    need=("年", "-至到", DIGITS),
    first=DIGITS,
)
def _year_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", dt.date(int(m["y"]), 12, 31), None, bool(m["end"] or m["before"]), True)


@rule(
    Y + r"\s*(?P<end>年底|年末|年内(?!部)|底|末|内|以内|之内)?(?P<before>之前|以前|前)?(?![\d月])",
    need="年",
    first=Y_FIRST,
)
def _year_rule(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = year_of(m, ref) or ref.year
    if m["before"] and not m["end"] and m["y"]:
        # "2025年前": before 2025 starts.
        return ("period_end", dt.date(y - 1, 12, 31), None, True, True)
    return ("period_end", dt.date(y, 12, 31), None, bool(m["end"] or m["before"]), True)


@rule(
    r"(?<![\d年])(?:年底|年末|年内(?!部)|年度内(?!部)|年度末)(?:之前|以前|前)?" + YEAR_AFTER,
    need=("底末内", "年"),
    first="年",
)
def _year_end_bare(m: re.Match[str], ref: dt.date) -> Reading | None:
    """年底前, 年内; 年底前（2025年）: the end of the year in brackets."""
    y = year_of(m, ref)
    return ("period_end", dt.date(y or ref.year, 12, 31), None, True, False)


from ledger import deadline_seasons  # noqa: E402, F401 - registers the season rules after these
