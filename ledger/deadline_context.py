"""Whether a calendar expression, in its sentence, sets a deadline: the words around it decide.

A date or period is a deadline when the words say so: 前/底/内 in the phrase itself, a cue
before it (计划/确保/力争/须于…), a completion or planned action after it (完成, 开工, 投入使用,
接受验收, 报送, 公示, 取得突破…), 以…为时间节点, or the shape of a stage: a window followed by
what is done in it (5月6日至5月20日，各单位开展自查) or a stage heading with its window in
brackets (整改落实阶段（4月下旬）). It is not one when it reports: an as-of date (截至…),
a start (…起, …以来), a past event (已于…, 召开了, 成功举办) or a statistic (共受理316件).

`judge` answers with a confidence: "high" for an explicit phrase governing an action, "low"
for a weaker reading (a bare year, a stage window without a verb), or None for no deadline.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ledger.models import Confidence

CLAUSE_END = "，。；;！？!?\n、：:,"
FUTURE_CUES = (
    "计划",
    "确保",
    "力争",
    "争取",
    "拟",
    "预计",
    "将于",
    "将在",
    "要求",
    "务必",
    "限",
    "时限",
    "期限",
    "截止时间",
    "截止日期",
    "完成时间",
    "目标",
    "预期",
    "需",
    "必须",
    "应当",
    "应于",
    "须",
)
# Words after a date that make it a deadline: completions, then planned actions.
ACTION_VERBS = (
    "完成",
    "到位",
    "建成",
    "完工",
    "办结",
    "销号",
    "实现",
    "投入使用",
    "投用",
    "交付",
    "开工",
    "竣工",
    "上线",
    "整改",
    "落实",
    "出台",
    "解决",
    "清零",
    "更换",
    "动工",
    "投入运营",
    "投运",
    "投产",
    "运营",
    "接受",
    "验收",
    "复查",
    "复核",
    "评估",
    "报送",
    "上报",
    "提交",
    "公示",
    "公布",
    "调整",
    "取得",
    "就绪",
    "实施",
    "启用",
    "开展",
    "试运行",
    "开通",
    "通车",
)
# What a window (a range of days or months) is followed by when it is a stage of work.
STAGE_ACTIONS = ACTION_VERBS + (
    "启动",
    "组织",
    "开展",
    "集中",
    "进行",
    "推进",
    "部署",
    "攻坚",
    "督查",
    "检查",
    "排查",
    "自查",
    "整治",
    "清理",
)


def _led(pattern: str, firsts: str) -> re.Pattern[str]:
    """`pattern`, tried only where one of `firsts` stands: the engine skips other positions at once."""
    return re.compile(f"(?=[{firsts}])(?:{pattern})")


def _words(words: tuple[str, ...], tail: str = "") -> re.Pattern[str]:
    """An alternation of words, longest first; a lookahead on first characters lets the engine skip ahead."""
    firsts = "".join(sorted({w[0] for w in words}))
    return re.compile(f"(?=[{firsts}])(?:{'|'.join(sorted(words, key=len, reverse=True))})" + tail)


_ASOF = re.compile(r"(?:截至|截止到|截止至|截止)\s*(?:目前|当前|今年|本月)?\s*$")
_DEADLINE_LABEL = re.compile(r"截止(?:时间|日期)\s*[:：为是]?\s*$")
# 截止 (unlike 截至) is also how a deadline is written: 截止到6月底完成, a ledger cell 截止2024年6月底.
# It is an as-of date only when what follows reports: 截止6月底，已完成…, 截止目前共排查126处.
_LOOSE_ASOF = re.compile(r"截止(?:到|至)?\s*$")
_REPORTS_NEXT = re.compile(r"[^。；;]{0,24}?(?:已|了|累计|共计|共排查|共发现|合计|完成率|\d+(?:\.\d+)?\s*%)")
_FUTURE = re.compile(_words(FUTURE_CUES).pattern + r"|(?:将|拟|应)于\s*$")
_PAST = re.compile("已|曾|先后")
_START = re.compile("起|以来|开始|至今|以后|后")
_RANGE_END = re.compile(r"(?<!截)(?:至|到)\s*$")  # "即日起至6月30日": the end of a window
_STAGE_VERB = re.compile(r"(?:开展|集中|完成|整治|实施|推进|进行|组织|部署|攻坚)")
_PAST_EVENT = _led(r"(?:成功)?(?:举办|召开|举行|印发|开展|组织|完成|通过)了|成功(?:举办|召开|举行)", "成举召印开组完通")
# Before a date, a count or a past: 截至…, 已于…, …以来(…
_NOT_BEFORE = re.compile(_ASOF.pattern + r"|已(?:经)?(?:于|在)?\s*$|(?:以来|期间|截至|截止)\s*\(?\s*$")
_MAY_REPORT = frozenset("截已来间")  # a character _NOT_BEFORE cannot match without
_DONE_NEXT = re.compile(f"\\s*[{CLAUSE_END}]?[^{CLAUSE_END}]{{0,8}}?(?:已|了)")
_NOT_AFTER = re.compile(_START.pattern + "|已|前已|" + _PAST_EVENT.pattern)
_CUE_BEFORE = _led(_FUTURE.pattern + "|" + _RANGE_END.pattern, "".join({c[0] for c in FUTURE_CUES}) + "将拟应至到")
_WILL = re.compile(r"(?:将|拟|须|需|要|应)(?!来)")
_TIME_NODE = re.compile(r"(?:前)?为(?:最后|最终)?(?:时间节点|节点|时限|期限|截止(?:时间|日期)?|限)")
_CUE_AFTER = re.compile(_TIME_NODE.pattern + "|" + _WILL.pattern)
_ACTION = _words(ACTION_VERBS)
_STAGE_ACTION = _words(STAGE_ACTIONS)
# A report of what was done: 了, running totals, ratios and counted quantities.
_REPORTED = _led(
    r"了|累计|共计|合计|同比|环比|比例|增长|下降|(?<![总公])共(?!同|享|建|治|性)"
    r"|\d+(?:\.\d+)?\s*(?:%|万|亿|余|多)*\s*(?:家次|人次|个|家|起|人|次|件|处|亩|公里|户|项|名|场|辆|元|条|所|份|吨|米|批|台|套|座|间|笔|宗|栋)",
    "了累共合同环比增下0-9",
)
_PLAN_TITLE_BEFORE = re.compile(r"(?:方案|规划|计划|纲要|意见|办法|要点|报告|总结)\s*\(\s*$")
_PLAN_TITLE_AFTER = re.compile(r"^\s*\)\s*(?:的|实施方案|规划|行动|工作方案)")
_STAGE_HEADING = re.compile(r"阶段\s*[:：。.]?\s*$")
_LABEL = re.compile(r"(?:时间|时限|期限|日期)(?:\s*(?:为|是|[:：])|安排\s*[:：]?)\s*$")
_STAGE_NAME = re.compile(r"为[^，。；;,]{0,10}(?:阶段|期)")
_WITHIN_WINDOW = re.compile(r"^(?:期间|间|内)")
_NARRATIVE_VERBS = frozenset({"开展"})
_LAST_CLAUSE_END = re.compile(f".*[{CLAUSE_END}]", re.DOTALL)
_AFTER_CLAUSE = re.compile(f"[^{CLAUSE_END}]{{0,12}}")
_NEXT_CLAUSE = re.compile(f"[{CLAUSE_END}\\s]*([^{CLAUSE_END}]{{0,16}})")
_QUALIFIER = re.compile(r"^\s*(?:完成|整改|办结|解决|到位)?的(?:任务|事项|问题|工作|项目|整改|措施)")


def clause_bounds(s: str, start: int, end: int) -> tuple[str, str]:
    """Up to 12 characters on each side of a phrase, within its clause."""
    before = s[start - 12 : start] if start > 12 else s[:start]
    last_end = _LAST_CLAUSE_END.match(before)
    after = _AFTER_CLAUSE.match(s, end)
    return (before[last_end.end() :] if last_end else before), (after.group(0) if after else "")


def is_as_of(before: str, s: str = "", end: int = 0) -> bool:
    """截至6月底: a date things are counted at, unless it is labelled a deadline (截止时间：…).

    With the text and the phrase's end, 截止6月底 counts as a deadline unless what follows reports.
    """
    if not _ASOF.search(before) or _DEADLINE_LABEL.search(before):
        return False
    return not (s and _LOOSE_ASOF.search(before) and not _REPORTS_NEXT.match(s, end))


def is_start(after: str) -> bool:
    """本月起, 2025年4月起, …以来: the phrase starts something, it does not end it."""
    a = after.lstrip()
    return bool(_START.match(a)) or a.startswith(("已", "前已"))


def is_qualifier(after: str) -> bool:
    """年内完成的任务: the period names which tasks, another phrase says when."""
    return bool(_QUALIFIER.match(after))


def bracketed(s: str, start: int, end: int) -> bool:
    """The phrase is all that stands in its brackets: （6-8月）."""
    if "(" not in s:
        return False  # most texts: no bracket at all
    return s[max(0, start - 2) : start].rstrip().endswith("(") and s[end : end + 2].lstrip().startswith(")")


class Shape(NamedTuple):
    """What the grammar knows of a calendar expression, apart from its words around."""

    strong: bool  # the phrase itself says deadline: 前/底/内
    window: bool  # a range: 5月6日至5月20日, 6-8月
    bare_year: bool  # 2026年, with nothing more
    past: bool  # falls before the document's date
    rolled: bool  # no year written, and read as next year's
    day: bool  # one calendar day


def judge(s: str, start: int, end: int, before: str, after: str, shape: Shape) -> Confidence | None:
    """The confidence with which the calendar expression s[start:end] is a deadline, or None.

    `before` and `after` are its clause's words around it (`clause_bounds`). Read without a
    cue, a past date is narrative, and so is a month already gone this year (2月，开展…).
    """
    a = after.lstrip()
    reports = _MAY_REPORT.intersection(before) and _NOT_BEFORE.search(before) and not _DEADLINE_LABEL.search(before)
    loose = reports and _LOOSE_ASOF.search(before) and not _REPORTS_NEXT.match(s, end)
    if loose:
        return "high"  # 截止到6月底完成: a deadline written with 截止
    if reports or _NOT_AFTER.match(a):
        return None  # 截至…, 已于…, …以来; …起, 2023年12月已完成, 3月12日召开了…
    if not a and _DONE_NEXT.match(s, end):
        return None  # "2月28日前，各单位均已报送": what was done by then
    in_brackets = bracketed(s, start, end)
    if in_brackets and (_PLAN_TITLE_BEFORE.search(s, max(0, start - 8), start) or _PLAN_TITLE_AFTER.match(s, end)):
        return None  # 三年行动计划（2025—2027年）: the name of a plan
    explicit: Confidence = "low" if shape.bare_year else "high"
    if shape.strong or _CUE_BEFORE.search(before) or _CUE_AFTER.match(a) or _LABEL.search(s, max(0, start - 8), start):
        return explicit
    if shape.window and _STAGE_VERB.match(a):
        return "high"  # "2024年1月至3月开展集中整治": a stage, whose end counts
    if _PAST.search(before):
        return None
    if alone(s, start, end):
        return explicit  # the phrase alone, as in a ledger's deadline column
    if shape.past or (shape.window and shape.rolled):
        return None  # "3月5日至7日，市领导带队开展调研" in a report of 20 March
    if shape.window:
        a = _WITHIN_WINDOW.sub("", a, count=1)
    nxt = _NEXT_CLAUSE.match(s, end + len(after))
    clause = nxt.group(1) if nxt else ""
    if _REPORTED.search(a) or _REPORTED.search(clause) or _PAST_EVENT.search(clause):
        return None  # "11月组织企业，召开座谈会2场": a report
    if _acts(a, 3 if shape.bare_year else 8, shape.rolled):
        return explicit
    if in_brackets:
        return None if shape.bare_year else "low"
    if shape.window and _STAGE_NAME.match(a):
        return "low"  # "4月1日至4月15日为宣传发动阶段"
    if not a and _STAGE_ACTION.search(clause):
        if shape.window:
            return "high"  # "5月6日至5月20日，各单位开展自查"
        if not (shape.bare_year or shape.rolled or shape.day):
            return "low"  # "5月中下旬，组织开展交叉检查"
    if _STAGE_HEADING.search(s[max(0, start - 8) : start]) and not shape.bare_year:
        return "low"  # "第一阶段：5月1日—5月31日"
    return None


_ALONE_SLACK = 40  # beyond this many other characters a phrase is never the whole text
_FILLER = re.compile(
    r"[\s，。；;：:、,.()（）/]|完成|整改|到位|之前|以前|前|截止|时限|期限|完成时间|计划|确保|力争|争取|于|在|底|内|阶段性"
)
_NOT_FILLER_CHAR = re.compile(r"[^\s，。；;：:、,.()（）/完成整改到位之前以后截止时限期计划确保力争取于在底内阶段性]")


def alone(s: str, start: int, end: int) -> bool:
    """Whether all but s[start:end] is filler (标点, 完成, 前…): the text is the phrase alone.

    Bounded work a phrase, so reading a long text stays linear.
    """
    if len(s) - (end - start) > _ALONE_SLACK:
        return False
    rest = s[:start] + s[end:]
    if len(_NOT_FILLER_CHAR.findall(rest)) > 2:
        return False  # quick: more than two characters no filler word has
    return len(_FILLER.sub("", rest)) <= 2


def _acts(after: str, reach: int, rolled: bool) -> bool:
    """A completion or planned action governs the phrase: "投入使用", "在…方面取得突破".

    开展 is a plan only for a period still ahead this year: "11月开展…" in a December report tells.
    """
    m = _ACTION.search(after)
    if m is None or (m.start() > reach and not after.startswith("在")) or m.start() > 8:
        return False
    if rolled and m.group(0) in _NARRATIVE_VERBS:
        return False
    lead = after[: m.start()]
    if _PAST.search(lead) or "通过" in lead or "了" in after[m.end() : m.end() + 2]:
        return False
    return "是" not in lead and "的" not in lead  # "2025年是整改攻坚年": the verb is not the date's
