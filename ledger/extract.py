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

from ledger.errors import LedgerImportError
from ledger.extract_blocks import Block, blocks
from ledger.extract_measure import DraftMeasure, draft_measure
from ledger.extract_meta import figures, looks_truncated, owner_unit, report_meta
from ledger.extract_tree import build
from ledger.models import ReportMeta
from ledger.report_pages import unwrap, without_furniture
from ledger.report_tables import text_tables

_NOISE = re.compile(
    r"^(?:发布日期|发布时间|信息来源|来源[:：]|字号|【?打印|关闭|分享|浏览|点击|责任编辑|联系方式|联系电话"
    r"|邮政信箱|电子邮箱|信息索引号|文件名称|发布机构|成文日期|公开方式|朗读|日期[:：]|当前位置|您的位置|您当前所在位置"
    r"|上一篇|下一篇|访问量|浏览次数|关怀版|无障碍|色调调节"
    r"|主办单位|承办单位|网站标识码|网站地图|扫一扫|【字体|【打印|【关闭|分享到|.*ICP备)"
)
_DATE_LINE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


@dataclass
class Draft:
    report: ReportMeta
    problems: list[tuple[int, str, str]]  # (number, title, section)
    measures: list[DraftMeasure]
    figures: dict[str, object] = field(default_factory=dict)  # the preamble's counts, as stated
    warnings: list[str] = field(default_factory=list)


def extract_text(text: str, source: str = "report", *, default_ref: dt.date | None = None) -> Draft:
    """Split a report's text into problems and measures; raises LedgerImportError if none found.

    Deadlines are read against the report's own date, else `default_ref` (the caller's today).
    """
    if not text.strip():
        raise LedgerImportError("文件为空，没有可提取的内容。The report is empty.", file=source)
    text = unwrap(without_furniture(text_tables(text)))
    meta = report_meta(text)
    ref = meta.date or default_ref or dt.date(2000, 1, 1)
    level = _level(meta)
    owner = owner_unit(meta.title, meta.issuer)
    body, annex = _annex([b for b in blocks(text) if not _NOISE.match(b.raw)])
    found = build(_without_closing(_without_signature(body)))
    warnings: list[str] = []
    in_annex = build(_without_signature(annex)) if annex else []
    if any(p.measures for p in in_annex):
        if any(p.measures for p in found):
            warnings.append(
                "报告附有整改台账，已按附件台账提取；正文中的整改情况未重复计入。Read from the annexed ledger."
            )
        found = in_annex
    problems: list[tuple[int, str, str]] = []
    measures: list[DraftMeasure] = []
    for p in found:
        if not p.measures:
            continue
        n = len(problems) + 1
        problems.append((n, p.title, p.section))
        for k, rm in enumerate(p.measures, start=1):
            measures.append(draft_measure(f"P{n}-{k}", n, p.title, p.section, rm, p.section_unit, ref, level, owner))
    if not problems:
        raise LedgerImportError(_no_structure(body), file=source)
    draft = Draft(report=meta, problems=problems, measures=measures, figures=figures(text), warnings=warnings)
    if looks_truncated(text):
        measures[-1].flags.append("truncated")
        draft.warnings.append("原文似乎被截断（以“……”结尾），只提取了现有部分。The text looks truncated.")
    draft.warnings.extend(_count_mismatch(draft))
    return draft


_ANNEX = re.compile(r"^附\s*件\s*\d*\s*[:：]?")


def _annex(bs: list[Block]) -> tuple[list[Block], list[Block]]:
    """The report's body and its annex (附件：整改台账 …), from the first short line that opens one."""
    at = next(
        (i for i, b in enumerate(bs) if i and b.style == "text" and len(b.raw) <= 40 and _ANNEX.match(b.raw)), None
    )
    return (bs, []) if at is None else (bs[:at], bs[at + 1 :])


_CLOSING = re.compile(
    r"^(?:下一步[，,：:]|今后[，,]|欢迎|以上报告|特此(?:通报|报告)|专此报告"
    r"|(?:[^，。；]{0,12}(?:党委|党组|党工委|委员会|领导小组)|我[局区县委院校司办])将(?:持续|继续|进一步|坚持)[^。]{0,60}。$)"
)


def _without_closing(bs: list[Block]) -> list[Block]:
    """The blocks less a closing paragraph after the last heading ("下一步，…", "欢迎…监督"), which
    would otherwise become a measure of the last problem."""
    last_heading = max((i for i, b in enumerate(bs) if b.style not in ("text", "enum", "label")), default=-1)
    cut = next((i for i, b in enumerate(bs) if i > last_heading and b.style == "text" and _CLOSING.match(b.raw)), None)
    return bs if cut is None else bs[:cut]


def _no_structure(bs: list[Block]) -> str:
    """Why nothing was extracted, in terms the office can act on."""
    headings = sum(1 for b in bs if b.style not in ("text", "enum", "label"))
    said = f"全文{len(bs)}段，其中编号标题{headings}个、“一是/①”类条目{sum(1 for b in bs if b.style == 'enum')}个"
    return (
        f"没有识别出问题和整改措施的结构（{said}）。需要问题标题（如“1. 关于……问题的整改”“问题一：”“（一）……”）"
        "及其下的整改措施（“一是……”“①”“整改措施：……”），或含“问题”“整改措施”列的台账表格；"
        "扫描件请先 OCR。 No problems or measures recognised."
    )


def _count_mismatch(draft: Draft) -> list[str]:
    """A warning where the report's own total differs from what was extracted (a layout partly read)."""
    out = []
    for key, got, word in (
        ("problems_total", len(draft.problems), "个问题"),
        ("measures_total", len(draft.measures), "条措施"),
    ):
        said = draft.figures.get(key)
        if isinstance(said, int) and said != got:
            out.append(
                f"报告称{said}{word}，提取到{got}{word[0]}，请核对是否漏提或多提。Stated {said}, extracted {got}."
            )
    return out


def _without_signature(bs: list[Block]) -> list[Block]:
    """The blocks less the closing issuer and date, which would otherwise end the last problem."""
    if bs and _DATE_LINE.fullmatch(bs[-1].raw.strip()):
        bs = bs[:-1]
        if bs and bs[-1].style == "text" and len(bs[-1].raw) < 40 and not re.search(r"[。；;，,]", bs[-1].raw):
            bs = bs[:-1]
    return bs


def _level(meta: ReportMeta) -> str:
    """ "区" or "县" for a district or county report (whose bodies Duban can infer), "市" for a city's
    (whose bodies it checks against 市 but does not infer), else ""."""
    head = f"{meta.title} {meta.issuer}"
    if re.search(r"县委|县人民政府|县政府|县委员会", head):
        return "县"
    if re.search(r"区委|区人民政府|区政府|区委员会", head):
        return "区"
    issuer = f"{meta.title.split('关于')[0]} {meta.issuer}"
    if re.search(r"市委|市人民政府|市政府|市委员会", issuer) or "市本级" in meta.title:
        return "市"
    return ""


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
    "备注",
    "flags",
    "confidence",
)


def draft_xlsx(draft: Draft) -> bytes:
    """The draft ledger as XLSX for `extract --out`: its rows, completed measures marked."""
    from ledger.ledgerwrite import write_xlsx

    rows = [[str(c) for c in r] for r in draft_rows(draft)]
    return write_xlsx(rows, ["done" if m.status == "done" else "" for m in draft.measures])


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
                m.leader,
                m.deadline_text,
                m.deadline.due.isoformat() if m.deadline.due else "",
                "已完成" if m.status == "done" else "推进中",
                "是" if m.unit_inferred else "",
                m.note,
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
                    "leader": m.leader,
                    "unit_inferred": m.unit_inferred,
                    "deadline_text": m.deadline_text,
                    "due": m.deadline.due.isoformat() if m.deadline.due else None,
                    "kind": m.deadline.kind,
                    "recur": m.deadline.recur,
                    "status": m.status,
                    "evidence": m.evidence,
                    "flags": m.flags,
                    "confidence": m.confidence,
                    "unit_source": m.unit_source,
                    "note": m.note,
                },
                ensure_ascii=False,
            )
        )
    report = draft.report.to_dict() | {k: v for k, v in draft.figures.items() if k not in draft.report.to_dict()}
    if draft.warnings:
        report["warnings"] = draft.warnings
    out.append(json.dumps({"report": report}, ensure_ascii=False))
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
    lines.extend(_stated(draft))
    lines.extend(draft.warnings)
    return lines


_FIGURE_WORDS = (
    ("problems_total", "问题{}个"),
    ("problems_done", "已完成{}个"),
    ("problems_open", "正在整改{}个"),
    ("measures_total", "措施{}条"),
    ("measures_done", "已完成{}条"),
    ("measures_open", "正在推进{}条"),
    ("completion_rate", "完成率{}%"),
)


def _stated(draft: Draft) -> list[str]:
    """The report's own figures, beside the ledger's count, as today."""
    r = draft.report
    if r.measures_total and r.problems_total and r.measures_done is not None and r.problems_done is not None:
        line = f"通报口径：{r.problems_total}个问题中已完成{r.problems_done}个；"
        return [line + f"{r.measures_total}条措施中已完成{r.measures_done}条"]
    said = [w.format(draft.figures[k]) for k, w in _FIGURE_WORDS if k in draft.figures]
    if not said:
        return []
    done = sum(1 for m in draft.measures if m.status == "done")
    return [
        f"通报口径：{'，'.join(said)}（台账提取：{len(draft.problems)}个问题，{len(draft.measures)}条措施，已完成{done}条）"
    ]
