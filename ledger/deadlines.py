"""Reading deadlines in Chinese rectification prose, as ../shared/DEADLINES.md specifies.

A small grammar for this narrow, regular register (计划2024年一季度开工实施,
确保2024年暑期更换到位, 每季度全覆盖, 长期坚持) is tried first; `dateparser` is the
fallback for free-form chat input ("next friday", "2024/6/30") where the grammar
finds nothing. `ref` is always an argument: the report's date for a report, the
message time for a chat reply.

A date mentioned in a sentence is a deadline only when the words around it say so
(前/底/内, 计划/确保/力争, 完成/到位 after it); as-of dates (截至12月29日) and past
events (11月开展…, 已于10月19日通过…) are not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ledger.calendar_cn import add_workdays, is_workday, next_lunar_on_or_after, spring_festival
from ledger.cntext import Normalized, normalize
from ledger.models import KINDS_WITH_DUE, Deadline, DeadlineKind, Recurrence

__all__ = ["Deadline", "parse_deadline", "find_deadlines", "add_workdays", "is_workday", "parse_user_date"]

_Y = r"(?:(?P<y>\d{4})\s*年(?:度)?|(?P<yrel>今年|本年度?|当年|明年|次年|下一?年))"
_CLAUSE_END = "，。；;！？!?\n、：:,"
_FUTURE_CUES = ("计划", "确保", "力争", "争取", "拟", "预计", "将于", "将在", "要求", "务必", "限", "时限",
                "期限", "截止时间", "截止日期", "完成时间", "目标", "预期", "需", "必须", "应当", "应于", "须", "于")
_PAST_MARKS = ("已", "曾", "先后")
_DONE_VERBS = ("完成", "到位", "建成", "完工", "办结", "销号", "实现", "投入使用", "投用", "交付", "开工",
               "竣工", "上线", "整改", "落实", "出台", "解决", "清零", "更换")
_START_WORDS = ("起", "以来", "开始", "至今", "以后", "后")
_ASOF = re.compile(r"(?:截至|截止到|截止至|截止)\s*(?:目前|当前|今年|本月)?\s*$")
_DEADLINE_LABEL = re.compile(r"截止(?:时间|日期)\s*[:：为是]?\s*$")
_FILLER = re.compile(r"[\s，。；;：:、,.()（）]|完成|整改|到位|之前|以前|前|截止|时限|期限|完成时间|计划|确保|力争|争取|于|在|底|内")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# dateparser misreads Chinese prose ("2024年" → year 4048), so it only sees Latin or numeric input.
_FOR_DATEPARSER = re.compile(r"[A-Za-z]|^[\d\s/.\-:]+$")


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    kind: DeadlineKind
    due: dt.date | None = None
    recur: Recurrence | None = None
    strong: bool = False  # the phrase itself says "deadline" (前/底/内/…)
    dated: bool = True  # a calendar expression that needs context to count
    range: bool = False  # "1月至3月", "2025—2027年": a window or stage


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(y: int, m: int) -> int:
    if m == 2 and (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return 29
    return _DAYS_IN_MONTH[m - 1]


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, _days_in(y, m))


def _add_months(d: dt.date, n: int) -> dt.date:
    """Civil-Code month arithmetic: same day-number, or the month's last day."""
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return dt.date(y, m, min(d.day, _days_in(y, m)))


def _year(match: re.Match[str], ref: dt.date) -> int | None:
    y = match.groupdict().get("y")
    if y:
        return int(y)
    rel = match.groupdict().get("yrel")
    if rel:
        return ref.year + (1 if rel in ("明年", "次年", "下年", "下一年") else 0)
    return None


def _infer(ref: dt.date, make: Callable[[int], dt.date | None], year: int | None) -> dt.date | None:
    """First occurrence on or after ref, unless the year is written."""
    if year is not None:
        return make(year)
    d = make(ref.year)
    for ahead in (1, 2, 3, 4):  # 2月29日 may be four years ahead
        if d is not None and d >= ref:
            break
        d = make(ref.year + ahead)
    return d


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _quarter_end(y: int, q: int) -> dt.date:
    return _month_end(y, q * 3)


# -- the grammar ---------------------------------------------------------------
# Each rule: (compiled regex, builder(match, ref) -> _Hit fields or None).
# `need`: characters of which at least one must occur for the rule to be tried (a cheap prefilter).
Builder = Callable[[re.Match[str], dt.date], tuple | None]
Rule = tuple[re.Pattern[str], Builder, tuple[frozenset[str], ...]]
RULES: list[Rule] = []
_DIGITS = "0123456789"


def rule(pattern: str, need: str | tuple[str, ...] = ()) -> Callable[[Builder], Builder]:
    """Register a grammar rule; it is tried only if each string in `need` shares a character with the text."""
    needs = (need,) if isinstance(need, str) else need

    def deco(fn: Builder) -> Builder:
        RULES.append((re.compile(pattern), fn, tuple(frozenset(n) for n in needs)))
        return fn
    return deco  # type: ignore[return-value]


_BEFORE = r"(?P<before>之前|以前|前|止|为止)?"
_WITHIN = r"(?P<within>以内|之内|内)"


@rule(r"(?:立行立改|即知即改|马上就改|立即整改(?:到位)?|即时整改|事不隔夜|立查立改|即查即改|立即(?=落实|处置|整改|停止|清理))", need=('立即马隔',))
def _immediate(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("immediate", ref, None, True, False)


@rule(r"(?:长期坚持|持续推进|持续整改|常态化|常年|动态清零|(?:建立|健全|完善|形成)?长效机制|不定期|长期跟踪|久久为功"
      r"|持之以恒|长期(?:开展|执行|保持|推进|整改)|^\s*长期\s*$)", need=('长持常清定久',))
def _ongoing(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("ongoing", None, None, True, False)


_RECUR = [
    (r"每(?:个)?(?:工作)?[天日]|日报|每日一报|按日", "daily"),
    (r"每(?:个)?(?:[两二2]个?)?(?:周|星期|礼拜)|周报|按周|周调度|每周一报|每半个?月|[一1]周一(?:调度|通报|报告|报|次)",
     "weekly"),
    (r"每(?:[两二23]个?)?(?:个)?月|月报|按月|月调度|月度调度|每月一报|逐月|[一1]月一(?:调度|通报|报告|报|次)", "monthly"),
    (r"每(?:个)?季度?|季报|按季度?|季度调度|逐季", "quarterly"),
    (r"每半年|半年报|按半年|每学期", "half-yearly"),
    (r"每(?:一)?年度?|年报|按年度?|逐年", "yearly"),
    (r"(?<!不)定期", "unspecified"),
]
_RECUR_NAMES = {f"r{i}": recur for i, (_, recur) in enumerate(_RECUR)}


@rule("|".join(f"(?P<r{i}>{pat})" for i, (pat, _) in enumerate(_RECUR)), need="每报按调逐定一1")
def _recurring(m: re.Match[str], ref: dt.date) -> tuple | None:
    """每周/每月/每季度…, 周报/月调度, 按季度, 定期: one regex, the group says which."""
    return ("recurring", None, _RECUR_NAMES[m.lastgroup or ""], True, False)


@rule(r"(?P<n>\d{1,3})\s*个?\s*工作日" + _WITHIN + r"?", need='工')
def _workdays(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", add_workdays(ref, int(m["n"])), None, True, False)


@rule(r"(?:(?P<lo>\d{1,3})\s*(?:至|到|-)\s*)?(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年|个工作日)\s*(?:时间)?" + _WITHIN
      + r"|(?<=限期)(?P<n2>\d{1,3})\s*(?P<u2>个月|个星期|个?周|天|日|年)", need='内限')
def _duration(m: re.Match[str], ref: dt.date) -> tuple | None:
    n, u = (int(m["n"]), m["u"]) if m["n"] else (int(m["n2"]), m["u2"])
    return ("period_end", _after(ref, n, u), None, True, False)


@rule(r"用\s*(?:(?P<lo>\d{1,3})\s*(?:至|到|-)\s*)?(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)\s*(?:左右)?(?:的)?时间", need='用')
def _use_time(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", _after(ref, int(m["n"]), m["u"]), None, True, False)


def _after(ref: dt.date, n: int, u: str) -> dt.date:
    if u in ("天", "日"):
        return ref + dt.timedelta(days=n)
    if u in ("周", "个周", "个星期"):
        return ref + dt.timedelta(weeks=n)
    if u == "个月":
        return _add_months(ref, n)
    return _add_months(ref, 12 * n)


@rule(r"自?(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?起?\s*[，,]?\s*"
      r"(?:为期\s*(?P<n>\d{1,3})\s*(?P<u>个月|个星期|个?周|天|日|年)"
      r"|(?P<n2>\d{1,3})\s*(?P<u2>个月|个星期|个?周|天|日|年)(?:以内|之内|内)"
      r"|(?P<w>\d{1,3})\s*个?工作日(?:以内|之内|内)?)", need=('期内工',))
def _anchored(m: re.Match[str], ref: dt.date) -> tuple | None:
    """A window from a date the text names: 自6月1日起为期一个月 (day one counts), 5月6日起10个工作日内."""
    y = int(m["y"]) if m["y"] else None
    start = _infer(ref, lambda yy: _safe_date(yy, int(m["m"]), int(m["d"])), y)
    if start is None:
        return None
    if m["w"]:  # working days: the start day is not counted
        return ("period_end", add_workdays(start, int(m["w"])), None, True, False)
    n, u = (int(m["n"]), m["u"]) if m["n"] else (int(m["n2"]), m["u2"])
    return ("period_end", _after(start, n, u) - dt.timedelta(days=1), None, True, False)


@rule(r"(?P<n>\d{1,3})\s*(?:天|日)后", need='后')
def _days_later(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("date", ref + dt.timedelta(days=int(m["n"])), None, True, False)


@rule(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?:\s*(?:至|到|-)\s*(?:(?P<y2>\d{4})\s*[-/.]\s*)?(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2}))?(?![\d])" + _BEFORE, need=('0123456789', '-/.'))
def _iso(m: re.Match[str], ref: dt.date) -> tuple | None:
    if m["d2"]:
        d = _safe_date(int(m["y2"] or m["y"]), int(m["m2"]), int(m["d2"]))
    else:
        d = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})(?![\d\-/.])" + _BEFORE, need='-/.')
def _iso_month(m: re.Match[str], ref: dt.date) -> tuple | None:
    if not 1 <= int(m["m"]) <= 12:
        return None
    return ("period_end", _month_end(int(m["y"]), int(m["m"])), None, bool(m["before"]), True)


@rule(_Y + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?\s*(?:-|至|到)\s*(?:(?P<m2>\d{1,2})\s*月\s*)?(?P<d2>\d{1,2})\s*[日号]" + _BEFORE, need=('日号', '月', '-至到'))
def _day_range(m: re.Match[str], ref: dt.date) -> tuple | None:
    y = _year(m, ref)
    mm = int(m["m2"] or m["m"])
    start_m = int(m["m"])

    def make(yy: int) -> dt.date | None:
        return _safe_date(yy + (1 if mm < start_m else 0), mm, int(m["d2"]))
    return ("date", _infer(ref, make, y), None, bool(m["before"]), True)


@rule(_Y + r"?\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _BEFORE, need=('日号', '月'))
def _day(m: re.Match[str], ref: dt.date) -> tuple | None:
    y = _year(m, ref)
    d = _infer(ref, lambda yy: _safe_date(yy, int(m["m"]), int(m["d"])), y)
    return ("date", d, None, bool(m["before"]), True) if d else None


@rule(_Y + r"?\s*(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<x>上旬|中旬|下旬)" + _BEFORE, need='旬')
def _xun(m: re.Match[str], ref: dt.date) -> tuple | None:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return None
    x = m["x"]

    def make(yy: int) -> dt.date:
        if x == "上旬":
            return dt.date(yy, month, 10)
        if x == "中旬":
            return dt.date(yy, month, 20)
        return _month_end(yy, month)
    return ("period_end", _infer(ref, make, _year(m, ref)), None, bool(m["before"]), True)


@rule(r"(?:本月|当月|月)(?P<x>上旬|中旬|下旬)", need=('旬', '本当月'))
def _xun_this_month(m: re.Match[str], ref: dt.date) -> tuple | None:
    x = m["x"]
    day = {"上旬": 10, "中旬": 20}.get(x)
    d = dt.date(ref.year, ref.month, day) if day else _month_end(ref.year, ref.month)
    return ("period_end", d, None, True, True)


@rule(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m1>\d{1,2})\s*(?:月\s*)?(?:-|至|到)\s*(?:(?P<y2>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<end>底|末|份)?" + r"(?P<before>之前|以前|前|止|为止)?", need=('月', '-至到'))
def _month_range(m: re.Match[str], ref: dt.date) -> tuple | None:
    month, m1 = int(m["m"]), int(m["m1"])
    if not (1 <= month <= 12 and 1 <= m1 <= 12):
        return None
    if m["y2"]:
        return ("period_end", _month_end(int(m["y2"]), month), None, bool(m["before"]), True)
    y = int(m["y"]) if m["y"] else None
    d = _infer(ref, lambda yy: _month_end(yy + (1 if month < m1 else 0), month), y)
    return ("period_end", d, None, bool(m["before"]), True)


@rule(_Y + r"?\s*(?P<m>\d{1,2})\s*月(?:份)?\s*(?P<end>底|末|末期|中下旬)?\s*(?P<before>之前|以前|前|止|为止)?(?P<within>内|以内|之内)?", need='月')
def _month(m: re.Match[str], ref: dt.date) -> tuple | None:
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
            return _month_end(yy, month)
    strong = bool(m["before"] or m["within"])
    return ("period_end", _infer(ref, make, y), None, strong, True)


@rule(r"(?:本月|当月|这个月)(?:底|末|内|之内|以内)?(?P<before>前)?|(?<![\d年])月(?:底|末)(?:前)?", need=('月', '本当这底末'))
def _this_month(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", _month_end(ref.year, ref.month), None, True, False)


@rule(r"下(?:个)?月(?:底|末|内)?(?:前)?", need=('月', '下'))
def _next_month(m: re.Match[str], ref: dt.date) -> tuple | None:
    d = _add_months(ref.replace(day=1), 1)
    return ("period_end", _month_end(d.year, d.month), None, True, False)


@rule(_Y + r"?\s*(?:第\s*)?(?P<q>[1-4])\s*季度(?:末|底)?(?P<before>之前|以前|前)?|" + r"(?:(?P<y2>\d{4})\s*年?\s*)?Q(?P<q2>[1-4])", need='季Q')
def _quarter(m: re.Match[str], ref: dt.date) -> tuple | None:
    q = int(m["q"] or m["q2"])
    y = _year(m, ref) if m["q"] else (int(m["y2"]) if m["y2"] else None)
    return ("period_end", _infer(ref, lambda yy: _quarter_end(yy, q), y), None, bool(m["before"]), True)


@rule(r"(?:本|当|这个)季度(?:末|底|内)?|(?<![每按\d])季度(?:末|底)(?:前)?", need=('季', '本当这末底'))
def _this_quarter(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", _quarter_end(ref.year, (ref.month - 1) // 3 + 1), None, True, False)


@rule(_Y + r"?\s*(?P<h>上半年|下半年)(?:末|底)?(?P<before>之前|以前|前)?", need='半')
def _half(m: re.Match[str], ref: dt.date) -> tuple | None:
    month = 6 if m["h"] == "上半年" else 12
    return ("period_end", _infer(ref, lambda yy: _month_end(yy, month), _year(m, ref)), None,
            bool(m["before"]), True)


@rule(r"(?P<y1>\d{4})\s*年?\s*(?:-|至|到)\s*(?P<y>\d{4})\s*年(?:度)?(?P<end>底|末|内)?(?P<before>之前|以前|前)?", need=('年', '-至到'))
def _year_range(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", dt.date(int(m["y"]), 12, 31), None, bool(m["end"] or m["before"]), True)


@rule(_Y + r"\s*(?P<end>年底|年末|底|末|内|以内|之内)?(?P<before>之前|以前|前)?(?![\d月])", need='年')
def _year_rule(m: re.Match[str], ref: dt.date) -> tuple | None:
    if m["y"]:
        y = int(m["y"])
    else:
        y = ref.year + (1 if m["yrel"] in ("明年", "次年", "下年", "下一年") else 0)
    if m["before"] and not m["end"] and m["y"]:
        # "2025年前": before 2025 starts.
        return ("period_end", dt.date(y - 1, 12, 31), None, True, True)
    return ("period_end", dt.date(y, 12, 31), None, bool(m["end"] or m["before"]), True)


@rule(r"(?<![\d年])(?:年底|年末|年内|年度内|年度末)(?:之前|以前|前)?", need="年")
def _year_end_bare(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", dt.date(ref.year, 12, 31), None, True, False)


def _year_of(m: re.Match[str], ref: dt.date) -> int | None:
    return int(m["y"]) if m["y"] else None


@rule(r"(?:(?P<y>\d{4})\s*年)?\s*(?:春节|春节假期)(?:之前|以前|前)", need=('春', '前'))
def _spring(m: re.Match[str], ref: dt.date) -> tuple | None:
    return _spring_eve(_year_of(m, ref), ref)


def _spring_eve(y: int | None, ref: dt.date) -> tuple | None:
    """The eve of 正月初一: of year `y` if written, else the next one on or after ref."""
    if y is not None:
        return ("date", spring_festival(y) - dt.timedelta(days=1), None, True, False)
    d = spring_festival(ref.year)
    if d - dt.timedelta(days=1) < ref:
        d = spring_festival(ref.year + 1)
    return ("date", d - dt.timedelta(days=1), None, True, False)


@rule(r"(?<![\d今明本当去下一])年前(?!后)", need=('年', '前'))
def _before_new_year(m: re.Match[str], ref: dt.date) -> tuple | None:
    return _spring_eve(None, ref)


@rule(r"(?:(?P<y>\d{4})\s*年)?\s*元旦(?:之前|以前|前)", need='元')
def _new_year(m: re.Match[str], ref: dt.date) -> tuple | None:
    y = _year_of(m, ref)
    if y is not None:
        return ("date", dt.date(y - 1, 12, 31), None, True, False)
    d = dt.date(ref.year, 12, 31)
    return ("date", d, None, True, False)


@rule(r"(?:(?P<y>\d{4})\s*年)?\s*(?:国庆|国庆节|十一)(?:假期)?(?:之前|以前|前)", need=('国十', '前'))
def _national_day(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("date", _infer(ref, lambda yy: dt.date(yy, 9, 30), _year_of(m, ref)), None, True, False)


@rule(r"(?:(?P<y>\d{4})\s*年)?\s*(?:五一|劳动节)(?:假期)?(?:之前|以前|前)", need=('五劳', '前'))
def _labour_day(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("date", _infer(ref, lambda yy: dt.date(yy, 4, 30), _year_of(m, ref)), None, True, False)


@rule(r"(?P<f>中秋|端午|清明)(?:节)?(?:假期)?(?:之前|以前|前)", need=('秋午明', '前'))
def _lunar_festival(m: re.Match[str], ref: dt.date) -> tuple | None:
    if m["f"] == "清明":
        return ("date", _infer(ref, lambda yy: dt.date(yy, 4, 3), None), None, True, False)
    lm, ld = (8, 15) if m["f"] == "中秋" else (5, 5)
    return ("date", next_lunar_on_or_after(ref + dt.timedelta(days=1), lm, ld) - dt.timedelta(days=1),
            None, True, False)


@rule(_Y + r"?\s*(?P<s>暑期|暑假|秋季开学|秋季学期开学|寒假|春季开学|春季学期开学)(?P<before>之前|以前|前)?", need=('暑寒学',))
def _school(m: re.Match[str], ref: dt.date) -> tuple | None:
    summer = m["s"] in ("暑期", "暑假", "秋季开学", "秋季学期开学")

    def make(yy: int) -> dt.date:
        return dt.date(yy, 8, 31) if summer else _month_end(yy, 2)
    strong = bool(m["before"]) or "开学" in m["s"]
    return ("period_end", _infer(ref, make, _year(m, ref)), None, strong, True)


@rule(r"(?<![春秋季])开学(?:之前|以前|前)", need=("开",))
def _school_start(m: re.Match[str], ref: dt.date) -> tuple | None:
    """A bare 开学前: the next school start, the end of February or of August."""
    for d in (_month_end(ref.year, 2), dt.date(ref.year, 8, 31), _month_end(ref.year + 1, 2)):
        if d >= ref:
            return ("period_end", d, None, True, False)
    return None


@rule(r"(?:(?P<y>\d{4})\s*年)?年中(?:之前|以前|前)?", need=("中",))
def _mid_year(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", _infer(ref, lambda yy: dt.date(yy, 6, 30), _year_of(m, ref)), None, True, False)


@rule(r"(?P<n>半)年(?:以内|之内|内)", need=("半",))
def _half_year_within(m: re.Match[str], ref: dt.date) -> tuple | None:
    return ("period_end", _add_months(ref, 6), None, True, False)


@rule(r"本学期(?:末|内)?", need='学')
def _semester(m: re.Match[str], ref: dt.date) -> tuple | None:
    if 2 <= ref.month <= 8:
        return ("period_end", dt.date(ref.year, 7, 31), None, True, False)
    y = ref.year + 1 if ref.month >= 9 else ref.year
    return ("period_end", dt.date(y, 1, 31), None, True, False)


@rule(r"(?:(?P<y>\d{4})\s*年)?\s*(?P<s>主汛期|汛期|汛)(?:来临|到来)?(?:之前|以前|前)", need='汛')
def _flood(m: re.Match[str], ref: dt.date) -> tuple | None:
    month = 6 if m["s"] == "主汛期" else 5
    return ("period_end", _infer(ref, lambda yy: _month_end(yy, month), _year_of(m, ref)), None, True, False)


@rule(r"(?P<w>今天|今日|当天|明天|明日|后天)(?:之内|内|前|下班前)?", need='今明后当')
def _today(m: re.Match[str], ref: dt.date) -> tuple | None:
    off = {"明天": 1, "明日": 1, "后天": 2}.get(m["w"], 0)
    return ("date", ref + dt.timedelta(days=off), None, True, False)


_WD = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1, "3": 2,
       "4": 3, "5": 4, "6": 5, "7": 6}


@rule(r"(?P<which>本|这|下下|下)?(?:个)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])(?:之前|以前|前)?", need=('周星礼', '一二三四五六日天1234567'))
def _weekday(m: re.Match[str], ref: dt.date) -> tuple | None:
    target = _WD[m["d"]]
    monday = ref - dt.timedelta(days=ref.weekday())
    weeks = {"下": 1, "下下": 2}.get(m["which"] or "", 0)
    d = monday + dt.timedelta(days=7 * weeks + target)
    if not m["which"] and d < ref:
        d += dt.timedelta(days=7)
    return ("date", d, None, True, False)


@rule(r"(?P<which>本|这|下)(?:个)?(?:周|星期)(?:内|末)?", need=('周星', '本这下'))
def _week(m: re.Match[str], ref: dt.date) -> tuple | None:
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


# -- scanning --------------------------------------------------------------------
_BEFORE_CLAUSE = re.compile(f"[^{_CLAUSE_END}]{{0,12}}$")
_AFTER_CLAUSE = re.compile(f"[^{_CLAUSE_END}]{{0,12}}")


def _clause_bounds(s: str, start: int, end: int) -> tuple[str, str]:
    """Up to 12 characters on each side of a phrase, within its clause."""
    before = s[max(0, start - 12):start]
    m = _BEFORE_CLAUSE.search(before)
    after = _AFTER_CLAUSE.match(s, end)
    return (m.group(0) if m else ""), (after.group(0) if after else "")


def _is_deadline(h: _Hit, before: str, after: str, whole: Callable[[], bool]) -> bool:
    """Whether a calendar expression, in its sentence, is a deadline (not an as-of date or a past event)."""
    if _ASOF.search(before) and not _DEADLINE_LABEL.search(before):
        return False
    stripped_after = after.lstrip()
    if _START_RE.match(stripped_after) or stripped_after.startswith(("已", "前已")):
        return False  # "2023年12月已完成": a report of the past, not a deadline
    if _JUST_DONE.search(before):
        return False  # "已于2023年底前完成"
    if h.strong or _FUTURE_RE.search(before) or _RANGE_END.search(before):
        return True
    if h.range and _STAGE_VERB.match(stripped_after):
        return True  # "2024年1月至3月开展集中整治": a stage, whose end counts
    if _PAST_RE.search(before):
        return False
    if whole():
        return True
    head = stripped_after[:8]
    m = _DONE_RE.search(head)
    return bool(m and m.start() <= 4 and "已" not in head[:m.start()])


_FUTURE_RE = re.compile("|".join(c for c in _FUTURE_CUES if c != "于") + r"|(?:将|拟|应)于\s*$")
_PAST_RE = re.compile("|".join(_PAST_MARKS))
_DONE_RE = re.compile("|".join(_DONE_VERBS))
_START_RE = re.compile("|".join(_START_WORDS))
_STAGE_VERB = re.compile(r"(?:开展|集中|完成|整治|实施|推进|进行|组织|部署|攻坚)")
_JUST_DONE = re.compile(r"已(?:经)?(?:于|在)?\s*$")
_RANGE_END = re.compile(r"(?<!截)(?:至|到)\s*$")  # "即日起至6月30日": the end of a window


def _scan(n: Normalized, ref: dt.date) -> list[_Hit]:
    """Every grammar match, the longest where matches overlap, in reading order.

    Matches are collected first and built (dates computed) only once chosen: most candidate
    matches are shadowed by a longer one and never need their date.
    """
    s = n.text
    chars = set(s)
    isdisjoint = chars.isdisjoint
    index = _INDEX or _rule_index()
    candidates: set[int] = set(index.get("", ()))
    for c in chars:
        found = index.get(c)
        if found:
            candidates.update(found)
    matches: list[tuple[int, int, int, re.Match[str]]] = []
    for i in candidates:
        pattern, _, needs = RULES[i]
        if len(needs) > 1 and any(isdisjoint(need) for need in needs[1:]):
            continue
        for m in pattern.finditer(s):
            a, b = m.span()
            if b > a:
                matches.append((a, a - b, i, m))
    matches.sort(key=lambda x: (x[0], x[1], x[2]))  # start, longest first, then rule order
    chosen: list[_Hit] = []
    last_end = -1
    for a, neg_len, i, m in matches:
        if a < last_end:
            continue
        try:
            out = RULES[i][1](m, ref)
        except (ValueError, OverflowError, KeyError):
            out = None
        if out is None:
            continue  # not a valid date: a shorter match at the same place may still be
        kind, due, recur, strong, dated = out
        if kind in KINDS_WITH_DUE and due is None:
            continue
        text = s[a:a - neg_len]
        chosen.append(_Hit(a, a - neg_len, kind, due, recur, strong, dated,
                           dated and ("至" in text or "到" in text or "-" in text[1:])))
        last_end = a - neg_len
    if "当月" in s:
        _this_month_of_sentence(s, chosen)
    return chosen


def _this_month_of_sentence(s: str, hits: list[_Hit]) -> None:
    """当月 is the month the sentence talks about: that of an earlier date in it, else ref's."""
    for i, h in enumerate(hits):
        if not s.startswith("当月", h.start) or h.due is None:
            continue
        earlier = next((e.due for e in reversed(hits[:i]) if e.due is not None), None)
        if earlier is None:
            continue
        tail = s[h.start:h.end]
        day = 10 if "上旬" in tail else 20 if "中旬" in tail else _days_in(earlier.year, earlier.month)
        h.due = dt.date(earlier.year, earlier.month, day)


def _filler_only(rest: str) -> bool:
    rest = _FILLER.sub("", rest)
    return len(rest) <= 2


_SPAN_CUE = re.compile("(?:计划于|计划在|计划|确保|力争|争取|拟于|拟在|拟|预计|将于|要求|务必|限期|于|在)$")


def _span(n: Normalized, h: _Hit, before: str, after: str) -> str:
    """The original words: a cue before the expression and a short verb after it."""
    start, end = h.start, h.end
    cue = _SPAN_CUE.search(before)
    if cue:
        start -= len(cue.group(0))
    tail = after.rstrip()
    if 0 < len(tail) <= 6 and "已" not in tail and _CJK.match(tail):
        end += len(tail)
    return n.span(start, end).rstrip(")）]】 ")


def find_deadlines(text: str, ref: dt.date) -> list[Deadline]:
    """Every deadline phrase in `text`, in reading order; never raises."""
    try:
        return _find(text, ref)
    except Exception:  # noqa: BLE001 - a deadline reader must never take the bot down
        return []


def _find(text: str, ref: dt.date, seen: list[int] | None = None) -> list[Deadline]:
    if not isinstance(text, str) or not text.strip():
        return []
    n = normalize(text[:5000])
    out: list[Deadline] = []
    hits = _scan(n, ref)
    if seen is not None:
        seen.append(len(hits))
    prev: _Hit | None = None
    for h in hits:
        qualified = prev is not None and prev.kind == "recurring" and h.start - prev.end <= 1
        prev = h
        if qualified and h.kind in ("date", "period_end"):
            continue  # 每年汛期前, 每月5日前: the date is when each period is due, not a one-off deadline
        before, after = _clause_bounds(n.text, h.start, h.end)
        if h.dated:
            def whole(h: _Hit = h) -> bool:
                return _filler_only(n.text[:h.start] + n.text[h.end:])
            if not _is_deadline(h, before, after, whole):
                continue
        elif h.kind in KINDS_WITH_DUE and _ASOF.search(before):
            continue
        out.append(Deadline(kind=h.kind, due=h.due, recur=h.recur, span=_span(n, h, before, after)))
    return out


def parse_deadline(text: str, ref: dt.date) -> Deadline:
    """The deadline a measure (or a chat reply) sets; `kind="none"` when there is none.

    Several dated phrases → the latest (when everything is due). Otherwise a
    recurring duty, then a standing one (长期坚持), then immediate (立行立改).
    """
    seen: list[int] = []
    try:
        found = _find(text, ref, seen)
    except Exception:  # noqa: BLE001 - never raise on any input
        return Deadline()
    if len(found) == 1 and found[0].kind != "immediate":
        return found[0]  # the usual case: one phrase
    best: Deadline | None = None
    first: dict[str, Deadline] = {}
    for d in found:
        if d.kind in ("date", "period_end"):
            if best is None or (d.due or dt.date.min) > (best.due or dt.date.min):
                best = d
        else:
            first.setdefault(d.kind, d)
    if best is not None:
        return best._replace(recur=None, ongoing_after=True) if "ongoing" in first else best
    for kind in ("recurring", "ongoing", "immediate"):
        if kind in first:
            return first[kind]
    if not sum(seen) and isinstance(text, str) and 0 < len(text.strip()) <= 40:
        return _fallback(text.strip(), ref)
    return Deadline()


def _fallback(text: str, ref: dt.date) -> Deadline:
    """Free-form chat input the grammar does not know: ask dateparser (imported lazily)."""
    if not _FOR_DATEPARSER.search(text):
        return Deadline()
    try:
        import dateparser  # slow to import; only chat input ever needs it

        base = dt.datetime.combine(ref, dt.time(12))
        got = dateparser.parse(text, languages=["en", "zh"],
                               settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
    except Exception:  # noqa: BLE001
        return Deadline()
    if got is None or not 1900 < got.year < 2200:
        return Deadline()
    return Deadline(kind="date", due=got.date(), span=text)


def parse_user_date(text: str, ref: dt.date) -> dt.date | None:
    """A new due date typed in chat ("6月底", "2024-06-30", "next friday"); None if unreadable."""
    d = parse_deadline(text, ref)
    return d.due
