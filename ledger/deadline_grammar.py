"""The grammar of deadline prose: one rule a phrase shape, each building a due date from a match.

A rule is a regex, a builder `(match, ref) -> (kind, due, recur, strong, dated)` and the
characters one of which must occur in a text for the rule to be tried (a cheap prefilter).
`strong`: the phrase itself says "deadline" (前/底/内); `dated`: a calendar expression whose
sentence decides whether it is a deadline (see ledger.deadlines).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from ledger.calendar_cn import add_workdays, next_lunar_on_or_after, spring_festival
from ledger.dates import add_months, infer_year, month_end, quarter_end, safe_date
from ledger.models import DeadlineKind, Recurrence

_Y_FIRST = r"\d今本当明次下"  # the characters _Y can start with
_Y = r"(?:(?P<y>\d{4})\s*年(?:度)?|(?P<yrel>今年|本年度?|当年|明年|次年|下一?年))"


def _year(match: re.Match[str], ref: dt.date) -> int | None:
    y = match.groupdict().get("y")
    if y:
        return int(y)
    rel = match.groupdict().get("yrel")
    if rel:
        return ref.year + (1 if rel in ("明年", "次年", "下年", "下一年") else 0)
    return None


# -- the grammar ---------------------------------------------------------------
# Each rule: (compiled regex, builder(match, ref) -> _Hit fields or None).
# `need`: characters of which at least one must occur for the rule to be tried (a cheap prefilter).
# (kind, due, recur, strong, dated): what a rule reads from its match.
Reading = tuple[DeadlineKind, dt.date | None, Recurrence | None, bool, bool]
Builder = Callable[[re.Match[str], dt.date], Reading | None]
Rule = tuple[re.Pattern[str], Builder, tuple[frozenset[str], ...]]
RULES: list[Rule] = []
_DIGITS = "0123456789"


def rule(pattern: str, need: str | tuple[str, ...] = (), first: str = "") -> Callable[[Builder], Builder]:
    """Register a grammar rule; it is tried only if each string in `need` shares a character with the text.

    `first`: the characters a match can start with; the regex engine then skips other
    positions at once (a pattern that opens with an optional year is otherwise tried slowly
    at every position).
    """
    needs = (need,) if isinstance(need, str) else need
    if first:
        pattern = f"(?=[{first}])(?:{pattern})"

    def deco(fn: Builder) -> Builder:
        RULES.append((re.compile(pattern), fn, tuple(frozenset(n) for n in needs)))
        return fn

    return deco


_BEFORE = r"(?P<before>之前|以前|前(?!后)|止|为止)?"
_WITHIN = r"(?P<within>以内|之内|内)"


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
    r"|持之以恒|长期(?:开展|执行|保持|推进|整改)|^\s*长期\s*$|(?<=[:(])\s*长期\s*(?=$|[)。；;，,]))",
    need=("长持常清定久",),
)
def _ongoing(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("ongoing", None, None, True, False)


@rule(
    r"(?:边(?:查|督|整|改|巡)边(?:改|整|查)|适时|随时|常抓不懈|抓常抓长|一以贯之|经常性|常态长效"
    r"|持续(?=巩固|深化|加强|开展|跟踪|抓好|做好|提升|完善|监督|督促|关注|落实|用力|发力|强化)"
    r"|动态(?=管理|更新|调整|监测|跟踪|监管))",
    need=("边适随抓贯经常持动",),
)
def _ongoing_soft(m: re.Match[str], ref: dt.date) -> Reading | None:
    """A working principle (边查边改, 适时复查, 持续加强): a standing duty, read with low confidence."""
    return ("ongoing", None, None, True, False)


_RECUR: list[tuple[str, Recurrence]] = [
    (r"每(?:个)?(?:工作)?[天日]|日报|每日一报|按日", "daily"),
    (
        r"每(?:个)?(?:[两二2]个?)?(?:周|星期|礼拜)|周报|按周|周调度|每周一报|每半个?月|[一1]周一(?:调度|通报|报告|报|次)",
        "weekly",
    ),
    (
        r"每(?:[两二23]个?)?(?:个)?月|月报|按月|月调度|月度调度|每月一报|逐月|[一1]月一(?:调度|通报|报告|报|次)",
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
    need="每报按调逐定一1",
    first="每日按周一1月逐季半年定",
)
def _recurring(m: re.Match[str], ref: dt.date) -> Reading | None:
    """每周/每月/每季度…, 周报/月调度, 按季度, 定期: one regex, the group says which."""
    return ("recurring", None, _RECUR_NAMES[m.lastgroup or ""], True, False)


@rule(r"(?P<n>\d{1,3})\s*个?\s*工作日" + _WITHIN + r"?", need=("工", _DIGITS), first=_DIGITS)
def _workdays(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", add_workdays(ref, int(m["n"])), None, True, False)


@rule(
    r"(?:(?P<lo>\d{1,3})\s*(?:至|到|-)\s*)?(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年|个工作日)\s*(?:时间)?"
    + _WITHIN,
    need=("内", _DIGITS),
    first=_DIGITS,
)
def _duration(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(r"(?<=限期)(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)", need=("限", _DIGITS), first=_DIGITS)
def _time_limited(m: re.Match[str], ref: dt.date) -> Reading | None:
    """限期3个月: a window from ref."""
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


@rule(
    r"(?<![\d年月])\d{1,2}\s*(?:至|到|-)\s*(?P<n>\d{1,2})\s*(?P<u>个月|年)(?![\d度底末前])",
    need=("至到-", "年月", _DIGITS),
    first=_DIGITS,
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


def _after(ref: dt.date, n: int, u: str) -> dt.date:
    if u in ("天", "日"):
        return ref + dt.timedelta(days=n)
    if u in ("周", "个周", "个星期"):
        return ref + dt.timedelta(weeks=n)
    if u == "个月":
        return add_months(ref, n)
    return add_months(ref, 12 * n)


@rule(
    r"(?:自|从)?(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号]?)?(?:起|开始)?\s*[，,]?\s*"
    r"(?:(?:为期|(?:利)?用)\s*(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)(?:左右)?(?:的)?"
    r"|(?P<n2>\d{1,3})\s*(?P<u2>个月|个星期|个?周|天|日|年)(?:以内|之内|内)"
    r"|(?P<w>\d{1,3})\s*个?工作日(?:以内|之内|内)?)",
    need=("期内工用", _DIGITS),
    first=_DIGITS + "自从",
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


@rule(r"(?P<n>\d{1,3})\s*(?:天|日)后", need=("后", _DIGITS), first=_DIGITS)
def _days_later(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("date", ref + dt.timedelta(days=int(m["n"])), None, True, False)


@rule(
    r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?:\s*(?:至|到|-)\s*(?:(?P<y2>\d{4})\s*[-/.]\s*)?(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2}))?(?![\d])"
    + _BEFORE,
    need=("0123456789", "-/."),
    first=_DIGITS,
)
def _iso(m: re.Match[str], ref: dt.date) -> Reading | None:
    if m["d2"]:  # a window: its end counts
        d = safe_date(int(m["y2"] or m["y"]), int(m["m2"]), int(m["d2"]))
        return ("period_end", d, None, bool(m["before"]), True) if d else None
    d = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})(?![\d\-/.])" + _BEFORE, need=("-/.", _DIGITS), first=_DIGITS)
def _iso_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    if not 1 <= int(m["m"]) <= 12:
        return None
    return ("period_end", month_end(int(m["y"]), int(m["m"])), None, bool(m["before"]), True)


@rule(
    _Y
    + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?\s*(?:-|至|到)\s*(?:(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*[日号]"
    + _BEFORE,
    need=("日号", "月", "-至到", _DIGITS),
    first=_Y_FIRST,
)
def _day_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = _year(m, ref)
    mm = int(m["m2"] or m["m"])
    start_m = int(m["m"])

    def make(yy: int) -> dt.date | None:
        return safe_date(yy + (1 if mm < start_m else 0), mm, int(m["d2"]))

    return ("period_end", infer_year(ref, make, y), None, bool(m["before"]), True)


@rule(_Y + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _BEFORE, need=("日号", "月", _DIGITS), first=_Y_FIRST)
def _day(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = _year(m, ref)
    d = infer_year(ref, lambda yy: safe_date(yy, int(m["m"]), int(m["d"])), y)
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(
    _Y
    + r"?\s*(?:\d{1,2}\s*月(?:份)?\s*(?:上|中|下)旬\s*(?:至|到|-)\s*)?(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<x>上旬|中旬|下旬)"
    + _BEFORE,
    need=("旬", _DIGITS),
    first=_Y_FIRST,
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

    return ("period_end", infer_year(ref, make, _year(m, ref)), None, bool(m["before"]), True)


@rule(r"(?:本月|当月|月)(?P<x>上旬|中旬|下旬)", need=("旬", "本当月"))
def _xun_this_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    x = m["x"]
    day = {"上旬": 10, "中旬": 20}.get(x)
    d = dt.date(ref.year, ref.month, day) if day else month_end(ref.year, ref.month)
    return ("period_end", d, None, True, True)


@rule(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m1>\d{1,2})\s*(?:月\s*)?(?:-|至|到)\s*(?:(?P<y2>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<end>底|末|份)?"
    + r"(?P<before>之前|以前|前|止|为止)?",
    need=("月", "-至到", _DIGITS),
    first=_DIGITS,
)
def _month_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    month, m1 = int(m["m"]), int(m["m1"])
    if not (1 <= month <= 12 and 1 <= m1 <= 12):
        return None
    if m["y2"]:
        return ("period_end", month_end(int(m["y2"]), month), None, bool(m["before"]), True)
    y = int(m["y"]) if m["y"] else None
    d = infer_year(ref, lambda yy: month_end(yy + (1 if month < m1 else 0), month), y)
    return ("period_end", d, None, bool(m["before"]), True)


@rule(
    _Y
    + r"?\s*(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<end>底|末|末期|中下旬)?\s*(?P<before>之前|以前|前|止|为止)?(?P<within>内|以内|之内)?",
    need=("月", _DIGITS),
    first=_Y_FIRST,
)
def _month(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    y = _year(m, ref)
    if m["before"] and not m["end"]:
        # "N月前" without 底/末: before month N starts.
        def make(yy: int) -> dt.date:
            return dt.date(yy, month, 1) - dt.timedelta(days=1)
    else:

        def make(yy: int) -> dt.date:
            return month_end(yy, month)

    strong = bool(m["before"] or m["within"])
    return ("period_end", infer_year(ref, make, y), None, strong, True)


@rule(
    r"(?:本月|当月|这个月)(?P<end>底|末|内|之内|以内)?(?P<before>前)?|(?<![\d年])月(?P<end2>底|末)(?:前)?",
    need=("月", "本当这底末"),
)
def _this_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    """本月底前 says deadline; a bare 本月/当月 (报送当月进展) is a deadline only if its sentence says so."""
    strong = bool(m["end"] or m["before"] or m["end2"])
    return ("period_end", month_end(ref.year, ref.month), None, strong, not strong)


@rule(r"(?P<w>本月|当月|下个?月)\s*(?P<d>\d{1,2})\s*[日号]" + _BEFORE, need=("月", _DIGITS), first="本当下")
def _day_of_this_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    """本月25日前, 下月10日前: a day of ref's month or of the next."""
    month = ref.replace(day=1) if m["w"] in ("本月", "当月") else add_months(ref.replace(day=1), 1)
    d = safe_date(month.year, month.month, int(m["d"]))
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(r"下(?:个)?月(?:底|末|内)?(?:前)?", need=("月", "下"))
def _next_month(m: re.Match[str], ref: dt.date) -> Reading | None:
    d = add_months(ref.replace(day=1), 1)
    return ("period_end", month_end(d.year, d.month), None, True, False)


@rule(
    _Y
    + r"?\s*(?:第\s*)?(?P<q>[1-4])\s*季度(?:末|底)?(?P<before>之前|以前|前)?|"
    + r"(?:(?P<y2>\d{4})\s*年?\s*)?Q(?P<q2>[1-4])",
    need=("季Q", _DIGITS),
    first=_Y_FIRST + "第Q",
)
def _quarter(m: re.Match[str], ref: dt.date) -> Reading | None:
    q = int(m["q"] or m["q2"])
    y = _year(m, ref) if m["q"] else (int(m["y2"]) if m["y2"] else None)
    return ("period_end", infer_year(ref, lambda yy: quarter_end(yy, q), y), None, bool(m["before"]), True)


@rule(r"(?:本|当|这个)季度(?:末|底|内)?|(?<![每按\d])季度(?:末|底)(?:前)?", need=("季", "本当这末底"))
def _this_quarter(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", quarter_end(ref.year, (ref.month - 1) // 3 + 1), None, True, False)


@rule(_Y + r"?\s*(?P<h>上半年|下半年)(?:末|底)?(?P<before>之前|以前|前)?", need="半", first=_Y_FIRST + "上")
def _half(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = 6 if m["h"] == "上半年" else 12
    return (
        "period_end",
        infer_year(ref, lambda yy: month_end(yy, month), _year(m, ref)),
        None,
        bool(m["before"]),
        True,
    )


@rule(
    r"(?P<y1>\d{4})\s*年?\s*(?:-|至|到)\s*(?P<y>\d{4})\s*年(?:度)?(?P<end>底|末|内)?(?P<before>之前|以前|前)?",
    need=("年", "-至到", _DIGITS),
    first=_DIGITS,
)
def _year_range(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", dt.date(int(m["y"]), 12, 31), None, bool(m["end"] or m["before"]), True)


@rule(_Y + r"\s*(?P<end>年底|年末|底|末|内|以内|之内)?(?P<before>之前|以前|前)?(?![\d月])", need="年", first=_Y_FIRST)
def _year_rule(m: re.Match[str], ref: dt.date) -> Reading | None:
    if m["y"]:
        y = int(m["y"])
    else:
        y = ref.year + (1 if m["yrel"] in ("明年", "次年", "下年", "下一年") else 0)
    if m["before"] and not m["end"] and m["y"]:
        # "2025年前": before 2025 starts.
        return ("period_end", dt.date(y - 1, 12, 31), None, True, True)
    return ("period_end", dt.date(y, 12, 31), None, bool(m["end"] or m["before"]), True)


@rule(r"(?<![\d年])(?:年底|年末|年内|年度内|年度末)(?:之前|以前|前)?", need="年")
def _year_end_bare(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", dt.date(ref.year, 12, 31), None, True, False)


@rule(_Y + r"?\s*(?:春节|春节假期)\s*(?:之前|以前|前)", need=("春", "前"), first=_Y_FIRST + "春")
def _spring(m: re.Match[str], ref: dt.date) -> Reading | None:
    return _spring_eve(_year(m, ref), ref)


def _spring_eve(y: int | None, ref: dt.date) -> Reading | None:
    """The eve of 正月初一: of year `y` if written, else the next one on or after ref."""
    if y is not None:
        return ("date", spring_festival(y) - dt.timedelta(days=1), None, True, False)
    d = spring_festival(ref.year)
    if d - dt.timedelta(days=1) < ref:
        d = spring_festival(ref.year + 1)
    return ("date", d - dt.timedelta(days=1), None, True, False)


@rule(r"(?<![\d今明本当去下一])年前(?!后)", need=("年", "前"))
def _before_new_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    return _spring_eve(None, ref)


@rule(_Y + r"?\s*元旦\s*(?:之前|以前|前)", need="元", first=_Y_FIRST + "元")
def _new_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    y = _year(m, ref)
    if y is not None:
        return ("date", dt.date(y - 1, 12, 31), None, True, False)
    d = dt.date(ref.year, 12, 31)
    return ("date", d, None, True, False)


@rule(_Y + r"?\s*(?:国庆|十一)\s*(?:节)?(?:假期)?\s*(?:之前|以前|前)", need=("国十", "前"), first=_Y_FIRST + "国十")
def _national_day(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("date", infer_year(ref, lambda yy: dt.date(yy, 9, 30), _year(m, ref)), None, True, False)


@rule(
    _Y + r"?\s*(?:五一|劳动节)\s*(?:劳动节|节)?(?:假期)?\s*(?:之前|以前|前)",
    need=("五劳", "前"),
    first=_Y_FIRST + "五劳",
)
def _labour_day(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("date", infer_year(ref, lambda yy: dt.date(yy, 4, 30), _year(m, ref)), None, True, False)


@rule(r"(?P<f>中秋|端午|清明)\s*(?:节)?(?:假期)?\s*(?:之前|以前|前)", need=("秋午明", "前"))
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
    _Y + r"?\s*(?P<s>暑期|暑假|秋季开学|秋季学期开学|寒假|春季开学|春季学期开学)(?P<before>之前|以前|前)?",
    need=("暑寒学",),
    first=_Y_FIRST + "暑秋寒春",
)
def _school(m: re.Match[str], ref: dt.date) -> Reading | None:
    summer = m["s"] in ("暑期", "暑假", "秋季开学", "秋季学期开学")

    def make(yy: int) -> dt.date:
        return dt.date(yy, 8, 31) if summer else month_end(yy, 2)

    strong = bool(m["before"]) or "开学" in m["s"]
    return ("period_end", infer_year(ref, make, _year(m, ref)), None, strong, True)


@rule(r"(?<![春秋季])开学(?:之前|以前|前)", need=("开",))
def _school_start(m: re.Match[str], ref: dt.date) -> Reading | None:
    """A bare 开学前: the next school start, the end of February or of August."""
    for d in (month_end(ref.year, 2), dt.date(ref.year, 8, 31), month_end(ref.year + 1, 2)):
        if d >= ref:
            return ("period_end", d, None, True, False)
    return None


@rule(_Y + r"?年中(?:之前|以前|前)?", need=("中", "年"), first=_Y_FIRST + "年")
def _mid_year(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", infer_year(ref, lambda yy: dt.date(yy, 6, 30), _year(m, ref)), None, True, False)


@rule(r"(?P<n>半)年(?:以内|之内|内)", need=("半",))
def _half_year_within(m: re.Match[str], ref: dt.date) -> Reading | None:
    return ("period_end", add_months(ref, 6), None, True, False)


@rule(r"本学期(?:末|内)?", need="学")
def _semester(m: re.Match[str], ref: dt.date) -> Reading | None:
    if 2 <= ref.month <= 8:
        return ("period_end", dt.date(ref.year, 7, 31), None, True, False)
    y = ref.year + 1 if ref.month >= 9 else ref.year
    return ("period_end", dt.date(y, 1, 31), None, True, False)


@rule(_Y + r"?\s*(?P<s>主汛期|汛期|汛)(?:来临|到来)?(?:之前|以前|前)", need="汛", first=_Y_FIRST + "主汛")
def _flood(m: re.Match[str], ref: dt.date) -> Reading | None:
    month = 6 if m["s"] == "主汛期" else 5
    return ("period_end", infer_year(ref, lambda yy: month_end(yy, month), _year(m, ref)), None, True, False)


@rule(r"(?P<w>今天|今日|当天|明天|明日|后天)(?:之内|内|前|下班前)?", need="今明后当")
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
)
def _weekday(m: re.Match[str], ref: dt.date) -> Reading | None:
    target = _WD[m["d"]]
    monday = ref - dt.timedelta(days=ref.weekday())
    weeks = {"下": 1, "下下": 2}.get(m["which"] or "", 0)
    d = monday + dt.timedelta(days=7 * weeks + target)
    if not m["which"] and d < ref:
        d += dt.timedelta(days=7)
    return ("date", d, None, True, False)


@rule(r"(?P<which>本|这|下)(?:个)?(?:周|星期)(?:内|末)?", need=("周星", "本这下"))
def _week(m: re.Match[str], ref: dt.date) -> Reading | None:
    sunday = ref + dt.timedelta(days=6 - ref.weekday())
    if m["which"] == "下":
        sunday += dt.timedelta(days=7)
    return ("period_end", sunday, None, True, False)


_INDEX: dict[str, tuple[int, ...]] = {}


def _rule_index() -> dict[str, tuple[int, ...]]:
    """Rules by the characters of their first `need`: only rules whose trigger occurs are tried."""
    index: dict[str, list[int]] = {}
    for i, (_, _, needs) in enumerate(RULES):
        for c in needs[0] if needs else ("",):
            index.setdefault(c, []).append(i)
    _INDEX.update({c: tuple(v) for c, v in index.items()})
    return _INDEX
