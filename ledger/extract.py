"""From a published rectification report (prose) to a draft ledger.

Finds sections ((一)集中整改期内已完成… / (二)按计划持续推进…), problems
(1. 关于“…”问题的整改), measures (一是…二是…, ①, (1)), the units named in each
measure, its deadline phrase and status, and the report's own metadata and
headline figures (37个问题中…已完成整改14个).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ledger.deadlines import find_deadlines, parse_deadline
from ledger.errors import LedgerImportError
from ledger.models import Deadline, ReportMeta

_CN = "一二三四五六七八九十"
_TOP = re.compile(rf"^[{_CN}]+\s*[、.．]\s*(?P<t>.+)$")
_SECTION = re.compile(rf"^[(（]\s*[{_CN}]+\s*[)）]\s*(?P<t>.+)$")
_PROBLEM = re.compile(r"^(?P<n>\d{1,3})\s*[.、．]\s*(?P<t>.+)$")
_PROBLEM_TITLE = re.compile(r"关于[“\"「](?P<t>.+?)[”\"」]问题")
_MEASURE = re.compile(
    rf"^(?:(?P<shi>[{_CN}]+是)|(?P<di>第[{_CN}]+[，,、])|(?P<circ>[①-⑳])|[(（](?P<par>\d{{1,2}})[)）])"
)
_DONE_SECTION = re.compile(r"已完成|已办结|已整改")
_ONGOING_SECTION = re.compile(r"长期坚持|长期推进")


@dataclass
class DraftMeasure:
    id: str
    problem: int
    problem_title: str
    section: str
    text: str
    unit: str = ""
    co_units: list[str] = field(default_factory=list)
    deadline_text: str = ""
    deadline: Deadline = field(default_factory=Deadline)
    status: str = "open"
    evidence: str = ""
    flags: list[str] = field(default_factory=list)


@dataclass
class Draft:
    report: ReportMeta
    problems: list[tuple[int, str, str]]  # (number, title, section)
    measures: list[DraftMeasure]


def _lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    return [ln.strip() for ln in text.split("\n")]


def _headline(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    m = re.search(r"(\d+)\s*个问题中[，,]?\s*需一年内完成整改的\s*(\d+)\s*个[，,]?\s*(?:目前)?已完成(?:整改)?\s*(\d+)\s*个", text)
    if m:
        out.update(problems_total=int(m[1]), problems_due_within_year=int(m[2]), problems_done=int(m[3]))
    else:
        m = re.search(r"(\d+)\s*个问题[^。]{0,30}?已完成(?:整改)?\s*(\d+)\s*个", text)
        if m:
            out.update(problems_total=int(m[1]), problems_done=int(m[2]))
    m = re.search(r"(\d+)\s*条(?:整改)?措施中[，,]?\s*需一年内完成整改的\s*(\d+)\s*条[，,]?\s*(?:目前)?已完成(?:整改)?\s*(\d+)\s*条", text)
    if m:
        out.update(measures_total=int(m[1]), measures_due_within_year=int(m[2]), measures_done=int(m[3]))
    else:
        m = re.search(r"(\d+)\s*条(?:整改)?措施[^。]{0,30}?已完成(?:整改)?\s*(\d+)\s*条", text)
        if m:
            out.update(measures_total=int(m[1]), measures_done=int(m[2]))
    return out


def report_meta(text: str) -> ReportMeta:
    """Title, issuer, dates and headline figures stated in the report."""
    lines = [ln for ln in _lines(text) if ln]
    title = lines[0] if lines else ""
    published = None
    m = re.search(r"发布(?:日期|时间)\s*[:：]\s*(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})", text)
    if m:
        published = dt.date(int(m[1]), int(m[2]), int(m[3]))
    date = None
    issuer = ""
    for i in range(len(lines) - 1, max(len(lines) - 6, -1), -1):
        dm = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", lines[i])
        if dm:
            date = dt.date(int(dm[1]), int(dm[2]), int(dm[3]))
            issuer = lines[i - 1] if i > 0 and len(lines[i - 1]) < 40 else ""
            break
    feedback = None
    fm = re.search(r"(\d{4})年\d{1,2}月\d{1,2}日至\d{1,2}月\d{1,2}日[^。]{0,40}?于(\d{1,2})月(\d{1,2})日进行了?反馈", text)
    if fm:
        feedback = dt.date(int(fm[1]), int(fm[2]), int(fm[3]))
    return ReportMeta(title=title, issuer=issuer, date=date or published, feedback_date=feedback,
                      published=published, **_headline(text))  # type: ignore[arg-type]


def extract_text(text: str, source: str = "report", *, default_ref: dt.date | None = None) -> Draft:
    """Split a report's text into problems and measures; raises LedgerImportError if none found.

    Deadlines are read against the report's own date, else `default_ref` (the caller's today).
    """
    if not text.strip():
        raise LedgerImportError("文件为空，没有可提取的内容。The report is empty.", file=source)
    meta = report_meta(text)
    ref = meta.date or default_ref or dt.date(2000, 1, 1)
    problems: list[tuple[int, str, str]] = []
    measures: list[DraftMeasure] = []
    section = ""
    current: int | None = None
    buf: list[str] = []

    def flush() -> None:
        if current is None or not buf:
            buf.clear()
            return
        body = "".join(buf).strip()
        buf.clear()
        n = sum(1 for m in measures if m.problem == current) + 1
        measures.append(_draft(f"P{current}-{n}", current, problems[-1][1], section, body, ref))

    for ln in _lines(text):
        if not ln:
            continue
        if m := _SECTION.match(ln):
            flush()
            section, current = m["t"].strip(), None
            continue
        if _TOP.match(ln) and not _MEASURE.match(ln):
            flush()
            section, current = "", None
            continue
        pm = _PROBLEM.match(ln)
        if pm and section and (_PROBLEM_TITLE.search(ln) or len(ln) < 60):
            flush()
            tm = _PROBLEM_TITLE.search(ln)
            title = tm["t"] if tm else pm["t"].rstrip("。.")
            current = len(problems) + 1
            problems.append((current, title, section))
            continue
        if current is None:
            continue
        if _MEASURE.match(ln):
            flush()
        buf.append(ln)
    flush()
    if not problems:
        raise LedgerImportError("没有识别出问题和整改措施的结构（如“1. 关于……问题的整改”“一是……”）。"
                                " No problems or measures recognised.", file=source)
    return Draft(report=meta, problems=problems, measures=measures)


def _draft(mid: str, problem: int, title: str, section: str, body: str, ref: dt.date) -> DraftMeasure:
    dm = DraftMeasure(id=mid, problem=problem, problem_title=title, section=section, text=body)
    d = parse_deadline(body, ref)
    if d.kind != "none":
        dm.deadline, dm.deadline_text = d, d.span
    if _DONE_SECTION.search(section):
        dm.status = "done"
    return dm


def measure_deadlines(text: str, ref: dt.date) -> list[Deadline]:
    return find_deadlines(text, ref)
