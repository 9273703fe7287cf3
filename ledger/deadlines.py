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

from ledger.calendar_cn import add_workdays, is_workday
from ledger.cntext import Normalized, normalize
from ledger.dates import days_in
from ledger.deadline_grammar import _INDEX, RULES, _rule_index
from ledger.models import KINDS_WITH_DUE, Deadline, DeadlineKind, Recurrence

__all__ = ["Deadline", "add_workdays", "find_deadlines", "is_workday", "parse_deadline", "parse_user_date"]

_CLAUSE_END = "，。；;！？!?\n、：:,"
_FUTURE_CUES = (
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
    "于",
)
_PAST_MARKS = ("已", "曾", "先后")
_DONE_VERBS = (
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
)
_START_WORDS = ("起", "以来", "开始", "至今", "以后", "后")
_ASOF = re.compile(r"(?:截至|截止到|截止至|截止)\s*(?:目前|当前|今年|本月)?\s*$")
_DEADLINE_LABEL = re.compile(r"截止(?:时间|日期)\s*[:：为是]?\s*$")
_FILLER = re.compile(
    r"[\s，。；;：:、,.()（）]|完成|整改|到位|之前|以前|前|截止|时限|期限|完成时间|计划|确保|力争|争取|于|在|底|内"
)
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
    src: str = ""  # the rule that read it


# -- scanning --------------------------------------------------------------------
_BEFORE_CLAUSE = re.compile(f"[^{_CLAUSE_END}]{{0,12}}$")
_AFTER_CLAUSE = re.compile(f"[^{_CLAUSE_END}]{{0,12}}")


def _clause_bounds(s: str, start: int, end: int) -> tuple[str, str]:
    """Up to 12 characters on each side of a phrase, within its clause."""
    before = s[max(0, start - 12) : start]
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
    return bool(m and m.start() <= 4 and "已" not in head[: m.start()])


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
    get = index.get
    candidates = set(get("", ()))
    candidates.update(*[found for found in map(get, chars) if found])
    matches: list[tuple[int, int, int, re.Match[str]]] = []
    for i in candidates:
        pattern, _, needs = RULES[i]
        if len(needs) > 1:
            missing = False
            for need in needs[1:]:
                if isdisjoint(need):
                    missing = True
                    break
            if missing:
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
        text = s[a : a - neg_len]
        chosen.append(
            _Hit(
                a,
                a - neg_len,
                kind,
                due,
                recur,
                strong,
                dated,
                dated and ("至" in text or "到" in text or "-" in text[1:]),
                RULES[i][1].__name__,
            )
        )
        last_end = a - neg_len
    if "当月" in s:
        _this_month_of_sentence(s, chosen)
    if "汛" in s and any(h.src in _MONTH_RULES for h in chosen):
        chosen = [h for h in chosen if h.src != "_flood"]  # 汛期前 gives way to a month the text names
    return chosen


_MONTH_RULES = frozenset({"_month", "_day", "_xun", "_month_range", "_day_range", "_iso", "_iso_month"})


def _this_month_of_sentence(s: str, hits: list[_Hit]) -> None:
    """当月 is the month the sentence talks about: that of an earlier date in it, else ref's."""
    for i, h in enumerate(hits):
        if not s.startswith("当月", h.start) or h.due is None:
            continue
        earlier = next((e.due for e in reversed(hits[:i]) if e.due is not None), None)
        if earlier is None:
            continue
        tail = s[h.start : h.end]
        day = 10 if "上旬" in tail else 20 if "中旬" in tail else days_in(earlier.year, earlier.month)
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
    except Exception:
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
                return _filler_only(n.text[: h.start] + n.text[h.end :])

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
    except Exception:
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
        got = dateparser.parse(
            text, languages=["en", "zh"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
        )
    except Exception:
        return Deadline()
    if got is None or not 1900 < got.year < 2200:
        return Deadline()
    return Deadline(kind="date", due=got.date(), span=text)


def parse_user_date(text: str, ref: dt.date) -> dt.date | None:
    """A new due date typed in chat ("6月底", "2024-06-30", "next friday"); None if unreadable."""
    d = parse_deadline(text, ref)
    return d.due
