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

from ledger.deadlines import parse_deadline
from ledger.errors import LedgerImportError
from ledger.models import Deadline, ReportMeta
from ledger.units import choose_units

_CN = "一二三四五六七八九十"
_TOP = re.compile(rf"^[{_CN}]+\s*[、.．]\s*(?P<t>.+)$")
_SECTION = re.compile(rf"^[(（]\s*[{_CN}]+\s*[)）]\s*(?P<t>.+)$")
_PROBLEM = re.compile(r"^(?P<n>\d{1,3})\s*[.、．]\s*(?P<t>.+)$")
_PROBLEM_TITLE = re.compile(r"关于[“\"「](?P<t>.+?)[”\"」]问题")
_MEASURE = re.compile(
    rf"^(?:(?P<shi>[{_CN}]+是)|(?P<di>第[{_CN}]+[，,、])|(?P<circ>[①-⑳])|[(（](?P<par>\d{{1,2}})[)）])"
)
_DONE_SECTION = re.compile(r"已完成|已办结|已整改")
_NOISE = re.compile(
    r"^(?:发布日期|发布时间|信息来源|来源[:：]|字号|【?打印|关闭|分享|浏览|点击|责任编辑|联系方式|联系电话"
    r"|邮政信箱|电子邮箱|信息索引号|文件名称|发布机构|成文日期|公开方式|朗读|日期[:：])"
)
_DONE_TEXT = re.compile(
    r"已全部完成|已完成|已投入使用|已建成|已交付|已挂牌|已实施|已于[^，。；]{0,12}(?:印发|完成|建成|实施)"
)
_PROBLEM_HEADING = re.compile(r"问题(?:的整改)?[。.]?$|^关于.{2,60}问题")
_STATUS_HEADING = re.compile(r"^(?:已|正在|需|按计划|集中整改|持续|长期|尚未|未)")
_OPEN_TEXT = re.compile(r"正在|推进中|拟|计划|下一步|待|将")
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20


@dataclass
class DraftMeasure:
    id: str
    problem: int
    problem_title: str
    section: str
    text: str
    unit: str = ""
    co_units: list[str] = field(default_factory=list)
    unit_inferred: bool = False
    deadline_text: str = ""
    deadline: Deadline = field(default_factory=Deadline)
    status: str = "open"
    evidence: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """How sure the extraction is, 0–1: each flag a human should look at costs some."""
        cost = {
            "no_unit": 0.5,
            "unit_inferred": 0.3,
            "unit_check": 0.2,
            "no_deadline": 0.1,
            "status_from_text": 0.1,
            "deadline_past": 0.2,
            "deadline_low": 0.1,
        }
        return round(max(0.0, 1.0 - sum(cost.get(f, 0.1) for f in self.flags)), 2)


@dataclass
class Draft:
    report: ReportMeta
    problems: list[tuple[int, str, str]]  # (number, title, section)
    measures: list[DraftMeasure]


def _lines(text: str) -> list[str]:
    """Paragraphs, with a paragraph broken over several lines joined again."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    out: list[str] = []
    in_item = False  # the previous line belongs to a numbered item, whose paragraph may go on
    for raw in text.split("\n"):
        ln = raw.strip()
        if not ln:
            out.append("")
            in_item = False
            continue
        n = _norm(ln)
        structural = _SECTION.match(n) or _TOP.match(n) or _PROBLEM.match(n) or _MEASURE.match(n)
        if in_item and out and out[-1] and not structural and not re.search(r"[。；;:：！？!?)）”]$", out[-1]):
            out[-1] += ln  # a line break inside a paragraph
            continue
        out.append(ln)
        in_item = bool(_MEASURE.match(n) or _PROBLEM.match(n))
    return out


def _norm(ln: str) -> str:
    """Half-width forms for matching structure: （一）→(一), １．→1."""
    return ln.translate(_WIDTH)


def _headline(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    m = re.search(
        r"(\d+)\s*个问题中[，,]?\s*需一年内完成整改的\s*(\d+)\s*个[，,]?\s*(?:目前)?已完成(?:整改)?\s*(\d+)\s*个", text
    )
    if m:
        out.update(problems_total=int(m[1]), problems_due_within_year=int(m[2]), problems_done=int(m[3]))
    else:
        m = re.search(r"(\d+)\s*个问题[^。]{0,30}?已完成(?:整改)?\s*(\d+)\s*个", text)
        if m:
            out.update(problems_total=int(m[1]), problems_done=int(m[2]))
    m = re.search(
        r"(\d+)\s*条(?:整改)?措施中[，,]?\s*需一年内完成整改的\s*(\d+)\s*条[，,]?\s*(?:目前)?已完成(?:整改)?\s*(\d+)\s*条",
        text,
    )
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
    fm = re.search(
        r"(\d{4})年\d{1,2}月\d{1,2}日至\d{1,2}月\d{1,2}日[^。]{0,40}?于(\d{1,2})月(\d{1,2})日进行了?反馈", text
    )
    if fm:
        feedback = dt.date(int(fm[1]), int(fm[2]), int(fm[3]))
    return ReportMeta(
        title=title,
        issuer=issuer,
        date=date or published,
        feedback_date=feedback,
        published=published,
        **_headline(text),
    )


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
    paren_problems = False  # "（一）关于…的问题" headings, with numbered measures "1.…" under them
    buf: list[str] = []

    level = _level(meta)

    def flush() -> None:
        if current is None or not buf:
            buf.clear()
            return
        body = "".join(buf).strip()
        buf.clear()
        n = sum(1 for m in measures if m.problem == current) + 1
        measures.append(_draft(f"P{current}-{n}", current, problems[-1][1], section, body, ref, level))

    for raw in _lines(text):
        if not raw or _NOISE.match(raw):
            continue
        ln = _norm(raw)
        if m := _SECTION.match(ln):
            flush()
            if _PROBLEM_HEADING.search(m["t"].strip()) and not _STATUS_HEADING.match(m["t"].strip()):
                paren_problems = True
                tm = _PROBLEM_TITLE.search(ln)
                title = tm["t"] if tm else re.sub(r"^关于|的问题[。.]?$|问题[。.]?$", "", m["t"].strip())
                current = len(problems) + 1
                problems.append((current, title, ""))
                continue
            section, current = m["t"].strip(), None
            continue
        if _TOP.match(ln) and not _MEASURE.match(ln):
            flush()
            section, current, paren_problems = "", None, False
            continue
        pm = _PROBLEM.match(ln)
        if pm and paren_problems and current is not None:
            flush()  # under a "（一）…问题" heading, "1." starts a measure
            buf.append(raw)
            continue
        if pm and section and (_PROBLEM_TITLE.search(ln) or len(ln) < 60):
            flush()
            tm = _PROBLEM_TITLE.search(ln)
            title = tm["t"] if tm else pm["t"].rstrip("。.")
            current = len(problems) + 1
            problems.append((current, title, section))
            continue
        if current is None:
            continue
        if _MEASURE.match(ln) or (buf and not _MEASURE.match(buf[0])):
            flush()  # a marked item, or (in reports without 一是…) each paragraph, is one measure
        buf.append(raw)
    flush()
    if not problems:
        raise LedgerImportError(
            "没有识别出问题和整改措施的结构（如“1. 关于……问题的整改”“一是……”）。 No problems or measures recognised.",
            file=source,
        )
    return Draft(report=meta, problems=problems, measures=measures)


def _level(meta: ReportMeta) -> str:
    """ "区" or "县" for a district or county report (whose bodies Duban can infer), else ""."""
    head = f"{meta.title} {meta.issuer}"
    if re.search(r"县委|县人民政府|县政府|县委员会", head):
        return "县"
    if re.search(r"区委|区人民政府|区政府|区委员会", head):
        return "区"
    return ""


def _draft(
    mid: str, problem: int, title: str, section: str, body: str, ref: dt.date, level: str = "区"
) -> DraftMeasure:
    dm = DraftMeasure(id=mid, problem=problem, problem_title=title, section=section, text=body)
    dm.unit, dm.co_units, dm.unit_inferred = choose_units(body, title)
    if dm.unit_inferred:
        # District bodies are only inferred for a district or county's own report.
        dm.unit = (level + dm.unit[1:]) if level and dm.unit.startswith("区") else (dm.unit if level else "")
        dm.unit_inferred = bool(dm.unit)
    if not dm.unit:
        dm.flags.append("no_unit")
    elif dm.unit_inferred:
        dm.flags.append("unit_inferred")
    elif not dm.unit.startswith("区"):
        dm.flags.append("unit_check")
    d = parse_deadline(body, ref)
    if d.kind != "none":
        dm.deadline, dm.deadline_text = d, d.span
        if d.due and d.due < ref:
            dm.flags.append("deadline_past")
        if d.confidence == "low":
            dm.flags.append("deadline_low")  # a bare year, a stage without a verb, several dates: confirm it
    else:
        dm.flags.append("no_deadline")
    sentences = [x for x in re.split(r"(?<=[。；;])", body) if x.strip()]
    if _DONE_SECTION.search(section):
        dm.status = "done"
        dm.evidence = next((x for x in sentences if _DONE_TEXT.search(x)), "")
    elif not re.search(r"推进|正在|持续|长期|未完成", section):  # the section says nothing of status
        done = [x for x in sentences if _DONE_TEXT.search(x)]
        if done and not any(_OPEN_TEXT.search(x) for x in sentences):
            dm.status, dm.evidence = "done", done[0]
            dm.flags.append("status_from_text")
    return dm


DRAFT_COLUMNS = (
    "编号",
    "问题编号",
    "问题",
    "类别",
    "整改措施",
    "责任单位",
    "配合单位",
    "牵头领导",
    "完成时限",
    "到期日",
    "状态",
    "单位推定",
    "flags",
    "confidence",
)


def draft_rows(draft: Draft) -> list[list[object]]:
    """The draft in the importer's columns, plus flags and confidence for the reviewer."""
    rows: list[list[object]] = [list(DRAFT_COLUMNS)]
    for m in draft.measures:
        rows.append(
            [
                m.id,
                m.problem,
                m.problem_title,
                m.section,
                m.text,
                m.unit,
                "、".join(m.co_units),
                "",
                m.deadline_text,
                m.deadline.due.isoformat() if m.deadline.due else "",
                "已完成" if m.status == "done" else "推进中",
                "是" if m.unit_inferred else "",
                " ".join(m.flags),
                m.confidence,
            ]
        )
    return rows


def draft_json(draft: Draft) -> list[str]:
    import json

    out = []
    for m in draft.measures:
        out.append(
            json.dumps(
                {
                    "id": m.id,
                    "problem": m.problem,
                    "problem_title": m.problem_title,
                    "section": m.section,
                    "text": m.text,
                    "unit": m.unit,
                    "co_units": m.co_units,
                    "unit_inferred": m.unit_inferred,
                    "deadline_text": m.deadline_text,
                    "due": m.deadline.due.isoformat() if m.deadline.due else None,
                    "kind": m.deadline.kind,
                    "recur": m.deadline.recur,
                    "status": m.status,
                    "evidence": m.evidence,
                    "flags": m.flags,
                    "confidence": m.confidence,
                },
                ensure_ascii=False,
            )
        )
    out.append(json.dumps({"report": draft.report.to_dict()}, ensure_ascii=False))
    return out


def draft_summary(draft: Draft) -> list[str]:
    from collections import Counter, OrderedDict

    sections: OrderedDict[str, list[int]] = OrderedDict()
    for n, _, sec in draft.problems:
        sections.setdefault(sec or "(无分节)", []).append(n)
    lines = [f"{draft.report.title or '(无标题)'}：{len(draft.problems)}个问题，{len(draft.measures)}条措施"]
    for sec, probs in sections.items():
        count = sum(1 for m in draft.measures if m.problem in probs)
        lines.append(f"  {sec}：{len(probs)}个问题，{count}条措施")
    flags = Counter(f for m in draft.measures for f in m.flags)
    flagged = [m for m in draft.measures if set(m.flags) - {"no_deadline"}]
    lines.append(f"需人工核对 {len(flagged)} 条：" + "、".join(f"{k} {v}" for k, v in flags.most_common()))
    r = draft.report
    if r.measures_total:
        lines.append(
            f"通报口径：{r.problems_total}个问题中已完成{r.problems_done}个；"
            f"{r.measures_total}条措施中已完成{r.measures_done}条"
        )
    return lines
