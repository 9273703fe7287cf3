"""Reading deadlines in Chinese rectification prose, as docs/deadlines.md describes.

A small grammar for this narrow, regular register (计划2024年一季度开工实施,
确保2024年暑期更换到位, 每季度全覆盖, 长期坚持) is tried first; `dateparser` is the
fallback for free-form chat input ("next friday") where the grammar finds nothing.
`ref` is always an argument: the report's date for a report, the message time for a
chat reply.

A date mentioned in a sentence is a deadline only when the words around it say so
(ledger.deadline_context); as-of dates (截至12月29日) and past events (11月开展…,
已于10月19日通过…) are not. Scanning is linear in the text's length, so a whole report
can be read at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import pairwise

from ledger.calendar_cn import add_workdays, is_workday
from ledger.cntext import Normalized, normalize
from ledger.dates import days_in
from ledger.deadline_context import Shape, clause_bounds, is_as_of, is_qualifier, is_start, judge
from ledger.deadline_grammar import span_after  # also registers the grammar's rules
from ledger.deadline_rules import RULES, Builder, RuleIndex, rule_index
from ledger.models import KINDS_WITH_DUE, Confidence, Deadline, DeadlineKind, Recurrence
from ledger.user_dates import check_user_date, plausible_user_date, read_chat_phrase, read_numeric_date

__all__ = [
    "Deadline",
    "add_workdays",
    "check_user_date",
    "find_deadlines",
    "is_workday",
    "parse_deadline",
    "parse_user_date",
]

_CJK = re.compile(r"[\u4e00-\u9fff]")
# dateparser misreads Chinese prose ("2024年" → year 4048), so it only sees Latin input.
_FOR_DATEPARSER = re.compile(r"[A-Za-z]")
_WINDOW_RULES = frozenset({"_day_range", "_month_range", "_year_range", "_duration_range"})


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


def _is_window(src: str, text: str) -> bool:
    if src in _WINDOW_RULES:
        return True
    if src in ("_iso", "_xun"):
        return "至" in text or "到" in text or text.count("-") >= 3 or text.count("旬") == 2
    return False


_SOFT_RULES = frozenset({"_ongoing_soft"})
# A duration that a service is cut to (办理时限压缩至5个工作日, 控制在15个工作日以内) is a standard to
# keep, not a deadline counted from the report's date.
_DURATION_RULES = frozenset({"_duration", "_workdays"})
_TARGET_BEFORE = re.compile(
    r"(?:压缩|压减|缩短|缩减|减少|减至|降低|降至|提速|控制|精简)(?:至|到|在|为)?\s*$|不超过\s*$|(?:时限|用时|周期)(?:为|是)\s*$"
)
_YEAR_WRITTEN = re.compile(r"\d{4}|[今本当明次下]年")


_STRONG = Shape(strong=True, window=False, bare_year=False, past=False, rolled=False, day=False)
_FIRST_MONTH = re.compile(r"(\d{1,2})\s*月")


def _rolled(text: str, h: _Hit, ref: dt.date) -> bool:
    """No year written, and read as next year's because the month has passed this year.

    A window counts from its start: 12月15日-1月15日 in March is ahead, 3月5日至7日 on 20 March is gone.
    """
    if h.due is None or h.due.year <= ref.year or _YEAR_WRITTEN.search(text):
        return False
    if not h.range:
        return True
    first = _FIRST_MONTH.search(text)
    return first is not None and int(first.group(1)) <= ref.month


def _shape(s: str, h: _Hit, ref: dt.date) -> Shape:
    text = s[h.start : h.end]
    return Shape(
        h.strong,
        h.range,
        h.src == "_year_rule" and not h.strong,
        h.due is not None and h.due < ref,
        _rolled(text, h, ref),
        h.src in ("_day", "_iso"),
    )


# -- scanning --------------------------------------------------------------------
_MAYBE_WINDOW = frozenset({"_iso", "_xun"})
_Tables = tuple[RuleIndex, list[re.Pattern[str]], list[Builder], list[str]]
_TABLES: list[_Tables] = []


def _compiled() -> _Tables:
    """The rule index and the rules' patterns, builders and names as parallel lists, built on first use
    (every rule module is imported by then)."""
    if not _TABLES or len(_TABLES[0][1]) != len(RULES):
        _TABLES[:] = [(rule_index(), [r[0] for r in RULES], [r[1] for r in RULES], [r[1].__name__ for r in RULES])]
    return _TABLES[0]


def _scan(n: Normalized, ref: dt.date) -> list[_Hit]:
    """Every grammar match, the longest where matches overlap, in reading order.

    Matches are collected first and built (dates computed) only once chosen: most candidate
    matches are shadowed by a longer one and never need their date.
    """
    s = n.text
    index, patterns, builders, names = _TABLES[0] if _TABLES else _compiled()
    matches: list[tuple[int, int, int, re.Match[str]]] = []
    for i in index.candidates(s):
        # search() from each match's end finds what finditer() would, without finditer's set-up cost
        # (most rules tried find nothing); an empty match (none of the rules makes one) falls back to it.
        pattern = patterns[i]
        m = pattern.search(s)
        while m is not None:
            a, b = m.span()
            if b == a:
                matches[:] = [x for x in matches if x[2] != i]
                matches.extend(
                    (e.start(), e.start() - e.end(), i, e) for e in pattern.finditer(s) if e.end() > e.start()
                )
                break
            matches.append((a, a - b, i, m))
            m = pattern.search(s, b)
    if len(matches) > 1:
        matches.sort()  # start, longest first, then rule order (no two matches tie on all three)
    chosen: list[_Hit] = []
    last_end = -1
    for a, neg_len, i, m in matches:
        if a < last_end:
            continue
        try:
            out = builders[i](m, ref)
        except (ValueError, OverflowError, KeyError):
            out = None
        if out is None:
            continue  # not a valid date: a shorter match at the same place may still be
        kind, due, recur, strong, dated = out
        if due is None and kind in KINDS_WITH_DUE:
            continue
        b = a - neg_len
        src = names[i]
        window = dated and (src in _WINDOW_RULES or (src in _MAYBE_WINDOW and _is_window(src, s[a:b])))
        chosen.append(_Hit(a, b, kind, due, recur, strong, dated, window, src))
        last_end = b
    if "当月" in s:
        _this_month_of_sentence(s, chosen)
    if "汛" in s and any(h.src in _MONTH_RULES for h in chosen):
        for month, flood in pairwise(chosen):
            if flood.src == "_flood" and month.src in _MONTH_RULES and not s[month.end : flood.start].strip():
                month.strong = True  # 5月主汛期前: the month is the deadline the flood season sets
        chosen = [h for h in chosen if h.src != "_flood"]  # 汛期前 gives way to a month the text names
    return chosen


_MONTH_RULES = frozenset({"_month", "_day", "_xun", "_month_range", "_day_range", "_iso", "_iso_month"})


def _this_month_of_sentence(s: str, hits: list[_Hit]) -> None:
    """当月 is the month the sentence talks about: that of an earlier date in it, else ref's."""
    earlier: dt.date | None = None
    for h in hits:
        if s.startswith("当月", h.start) and h.due is not None and earlier is not None:
            tail = s[h.start : h.end]
            day = 10 if "上旬" in tail else 20 if "中旬" in tail else days_in(earlier.year, earlier.month)
            h.due = dt.date(earlier.year, earlier.month, day)
        if h.due is not None:
            earlier = h.due


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
    span = n.span(start, end).rstrip("]】 ")
    while span.endswith((")", "）")) and _brackets(span, "(（") < _brackets(span, ")）"):
        span = span[:-1].rstrip("]】 ")  # a bracket the phrase did not open; 6月底前（2025年） keeps its own
    return span


def _brackets(s: str, kinds: str) -> int:
    return s.count(kinds[0]) + s.count(kinds[1])


def find_deadlines(text: str, ref: dt.date) -> list[Deadline]:
    """Every deadline phrase in `text`, in reading order; never raises."""
    try:
        return _find(text, ref)
    except Exception:
        return []


def _find(text: str, ref: dt.date, seen: list[int] | None = None) -> list[Deadline]:
    if not isinstance(text, str) or not text.strip():
        return []
    n = normalize(text)
    s = n.text
    found: list[tuple[Deadline, bool]] = []  # a reading, and whether it only names which tasks
    hits = _scan(n, ref)
    if seen is not None:
        seen.append(len(hits))
    duties = [h for h in hits if h.kind == "ongoing"]
    if duties and any(h.dated for h in hits):
        # 2024年6月底；长期坚持, 2024年6月（长期坚持）: the duty words do not make the date less alone.
        s = _blank(s, duties)
    prev: _Hit | None = None
    for h in hits:
        qualified = prev is not None and prev.kind == "recurring" and h.start - prev.end <= 1
        prev = h
        if qualified and h.kind in ("date", "period_end"):
            continue  # 每年汛期前, 每月5日前: the date is when each period is due, not a one-off deadline
        before, after = clause_bounds(s, h.start, h.end)
        if h.src in _DURATION_RULES and _TARGET_BEFORE.search(before):
            continue  # 办理时限压缩至5个工作日: a service standard
        confidence: Confidence | None = "low" if h.src in _SOFT_RULES else "high"
        if h.dated:
            shape = _STRONG if h.strong else _shape(s, h, ref)  # 前/底/内 decide before the rest is asked
            confidence = judge(s, h.start, h.end, before, after, shape)
            if confidence is not None and h.range and h.kind == "date":
                h.kind = "period_end"
        elif h.kind in KINDS_WITH_DUE and (is_start(after) or is_as_of(before, s, h.end)):
            confidence = None  # 本月起, 截至本月底
        if confidence is None:
            continue
        if h.kind == "date" and _WINDOW_END.search(before):
            h.kind = "period_end"  # 即日起至6月30日, 5月1日至…: the end of a window
        span = _span(n, h, before, after)
        found.append((Deadline(h.kind, h.due, h.recur, span, False, confidence), "的" in after and is_qualifier(after)))
    if len(found) > 1 and any(q for _, q in found) and not all(q for d, q in found if d.due is not None):
        return [d for d, q in found if not q]  # 年内完成的任务，须于11月15日前完成: the day governs
    return [d for d, _ in found]


def _blank(s: str, hits: list[_Hit]) -> str:
    """`s` with each hit's words as spaces (positions kept): what the rest of the text says around them."""
    chars = list(s)
    for h in hits:
        chars[h.start : h.end] = " " * (h.end - h.start)
    return "".join(chars)


_WINDOW_END = re.compile(r"(?:起|日|号|今|\d)\s*(?:至|到|-)\s*$")


def parse_deadline(text: str, ref: dt.date) -> Deadline:
    """The deadline a measure (or a chat reply) sets; `kind="none"` when there is none.

    Several dated phrases → the latest (when everything is due), with low confidence and the
    others as `candidates`. Otherwise a recurring duty, then a standing one (长期坚持), then
    immediate (立行立改).
    """
    seen: list[int] = []
    try:
        found = _find(text, ref, seen)
    except Exception:
        return Deadline()
    if len(found) == 1 and found[0].kind != "immediate":
        return found[0]  # the usual case: one phrase
    dated = [d for d in found if d.kind in ("date", "period_end")]
    first: dict[str, Deadline] = {}
    for d in found:
        if d.kind not in first or (first[d.kind].confidence == "low" and d.confidence == "high"):
            first[d.kind] = d  # the first of a kind, or its first explicit wording
    if dated:
        best = max(dated, key=lambda d: d.due or dt.date.min)  # the first of equal dues
        others = tuple((d.due, d.span) for d in dated if d is not best and d.due is not None)
        if others and any(due != best.due for due, _ in others):
            best = best._replace(confidence="low", candidates=others)
        standing = "ongoing" in first and first["ongoing"].confidence == "high"
        return best._replace(recur=None, ongoing_after=True) if standing else best
    for kind in ("recurring", "ongoing", "immediate"):
        if kind in first:
            return first[kind]
    if not sum(seen) and isinstance(text, str) and 0 < len(text.strip()) <= 40:
        return _fallback(text.strip(), ref)
    return Deadline()


_BARE_DURATION = re.compile(r"(?:(?P<n>\d{1,3})\s*(?P<u>个月|个季度|个星期|个?周|天|日|年)|(?P<half>半年|半个月))")
# A cell that is only a two-digit year (25年) is that year, as 25年底 and 25年6月底 are (docs/deadlines.md,
# two-digit years); a year cell counts as a duration only for one to three years (1年, 两年, 3年).
_BARE_SHORT_YEAR = re.compile(r"(?P<yy>\d{2})\s*年")
_BARE_YEARS_MAX = 3


def _fallback(text: str, ref: dt.date) -> Deadline:
    """Free-form chat input the grammar does not know: 6/30 by hand, else dateparser (imported lazily)."""
    cell = normalize(text).text.strip() if text[-1] in "月度期周天日年" else ""
    short_year = _BARE_SHORT_YEAR.fullmatch(cell) if cell.endswith("年") and "十" not in text else None
    if short_year:  # 25年 (not 十年, 二十年: counts): like a bare 2025年, the end of that year, to be confirmed
        year = 2000 + int(short_year["yy"])
        return Deadline(kind="period_end", due=dt.date(year, 12, 31), span=text, confidence="low")
    bare = _BARE_DURATION.fullmatch(cell) if cell else None
    if bare and bare["u"] == "年" and int(bare["n"]) > _BARE_YEARS_MAX:
        return Deadline()  # 5年, 100年 alone: neither a year nor a likely time limit
    if bare:  # a ledger cell that is only a duration (3个月, 半年): within it, to be confirmed
        return Deadline(kind="period_end", due=span_after(bare, ref), span=text, confidence="low")
    numeric = read_numeric_date(text, ref) or read_chat_phrase(text, ref)
    if numeric is not None:
        return Deadline(kind="date", due=numeric, span=text, confidence="low")
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
    if got is None or not plausible_user_date(got.date()):
        return Deadline()
    return Deadline(kind="date", due=got.date(), span=text, confidence="low")


def parse_user_date(text: str, ref: dt.date) -> dt.date | None:
    """A new due date typed in chat ("6月底", "2024-06-30", "next friday"); None if unreadable.

    "2025-13-01", a bare "12" and dates outside 1900–2199 are refused; whether a readable date
    is in the past or too far ahead is for the caller to ask `check_user_date(due, today)`.
    """
    d = parse_deadline(text, ref)
    return d.due if d.due is not None and plausible_user_date(d.due) else None
