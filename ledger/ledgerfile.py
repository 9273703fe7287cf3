"""Reading and writing ledger files: TOML (the shipped format), CSV and XLSX.

Real ledgers (整改台账) come with Chinese or English headers; `HEADERS` lists the
words each column goes by. Every problem found in a file is reported with file,
row and column, and a file with any problem is rejected whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import LedgerImportError
from ledger.models import Measure, Problem, ReportMeta, Status, Unit

HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "序号", "措施编号", "id"),
    "problem": ("问题编号", "problem_no"),
    "problem_title": ("问题", "反馈问题", "问题名称", "problem", "problem_title"),
    "section": ("类别", "分类", "section", "category"),
    "text": ("整改措施", "措施", "具体措施", "measure", "text"),
    "unit": ("责任单位", "牵头单位", "责任部门", "unit"),
    "co_units": ("配合单位", "协同单位", "co_units"),
    "leader": ("牵头领导", "责任领导", "leader"),
    "deadline_text": ("完成时限", "整改时限", "时限", "deadline", "deadline_text"),
    "status": ("状态", "整改状态", "status"),
    "note": ("备注", "note"),
    "unit_inferred": ("单位推定", "unit_inferred"),
}
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "编号"),
    ("problem", "问题编号"),
    ("problem_title", "问题"),
    ("section", "类别"),
    ("text", "整改措施"),
    ("unit", "责任单位"),
    ("co_units", "配合单位"),
    ("leader", "牵头领导"),
    ("deadline_text", "完成时限"),
    ("due", "到期日"),
    ("status", "状态"),
    ("tier", "预警"),
    ("note", "备注"),
    ("unit_inferred", "单位推定"),
)
STATUS_WORDS: dict[str, Status] = {
    **dict.fromkeys(("未开始", "推进中", "整改中", "持续推进", "进行中", "未完成", "open", "开放"), "open"),
    **dict.fromkeys(("待审核", "待销号", "已提交", "submitted"), "submitted"),
    **dict.fromkeys(("已完成", "已整改", "已销号", "完成", "已办结", "done"), "done"),
}
STATUS_EXPORT = {"open": "推进中", "submitted": "待销号", "done": "已销号"}
_ID = re.compile(r"^P(\d{1,4})-(\d{1,4})$", re.IGNORECASE)
_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class RawRow:
    """One measure as read from a file, before validation; `row` is for error messages."""

    row: int
    values: dict[str, str]


@dataclass
class ParsedLedger:
    report: ReportMeta = field(default_factory=ReportMeta)
    problems: list[Problem] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    statuses: dict[str, Status] = field(default_factory=dict)


def read_ledger(path: str, known_problems: list[Problem] | None = None) -> ParsedLedger:
    """Read and validate a ledger file; raise LedgerImportError naming file, row and column."""
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise LedgerImportError("文件不存在。File not found.", file=name)
    ext = os.path.splitext(path)[1].lower()
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise LedgerImportError(f"无法读取文件：{e.strerror}。Cannot read the file.", file=name) from None
    return read_ledger_bytes(raw, name, ext, known_problems)


def read_ledger_bytes(raw: bytes, name: str, ext: str, known_problems: list[Problem] | None = None) -> ParsedLedger:
    if ext == ".toml":
        return _read_toml(raw, name)
    if ext == ".csv":
        rows = _csv_rows(raw, name)
    elif ext in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(raw, name)
    else:
        raise LedgerImportError(
            f"不支持的文件类型 {ext or '(无扩展名)'}，请使用 .toml、.csv 或 .xlsx。 Unsupported file type.", file=name
        )
    return _from_rows(rows, name, known_problems or [])


# -- TOML -------------------------------------------------------------------------
def _read_toml(raw: bytes, name: str) -> ParsedLedger:
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LedgerImportError("文件不是 UTF-8 编码。The file is not UTF-8.", file=name) from None
    except tomllib.TOMLDecodeError as e:
        raise LedgerImportError(f"TOML 格式错误：{e}", file=name) from None
    report = _report_from_toml(data.get("report", {}), name)
    problems: list[Problem] = []
    for i, p in enumerate(data.get("problems", []), start=1):
        if not isinstance(p, dict) or "id" not in p or not str(p.get("title", "")).strip():
            raise LedgerImportError(
                "问题需要 id 和 title。A problem needs id and title.", file=name, row=i, column="problems"
            )
        problems.append(
            Problem(
                id=int(p["id"]),
                title=str(p["title"]).strip(),
                section=str(p.get("section", "")),
                leader=str(p.get("leader", "")),
            )
        )
    titles = {p.id: p.title for p in problems}
    sections = {p.id: p.section for p in problems}
    rows: list[RawRow] = []
    for i, m in enumerate(data.get("measures", []), start=1):
        if not isinstance(m, dict):
            raise LedgerImportError("措施格式错误。Malformed measure.", file=name, row=i, column="measures")
        vals = {k: _cell(v) for k, v in m.items()}
        if "problem" in m and "problem_title" not in vals:
            vals["problem_title"] = titles.get(int(m["problem"]) if str(m["problem"]).isdigit() else -1, "")
            vals["section"] = sections.get(int(m["problem"]) if str(m["problem"]).isdigit() else -1, "")
        rows.append(RawRow(i, vals))
    if not rows:
        raise LedgerImportError("文件中没有整改措施（[[measures]]）。No measures in the file.", file=name)
    parsed = _from_rows(rows, name, problems, header_row=False)
    parsed.report = report
    declared = {q.id for q in problems}
    parsed.problems = problems + [p for p in parsed.problems if p.id not in declared]
    parsed.units = [
        Unit(name=str(u["name"]), aliases=tuple(u.get("aliases", ())))
        for u in data.get("units", [])
        if isinstance(u, dict) and u.get("name")
    ]
    return parsed


def _report_from_toml(d: Any, name: str) -> ReportMeta:
    if not isinstance(d, dict):
        raise LedgerImportError("[report] 应为表。[report] must be a table.", file=name)
    try:
        return ReportMeta.from_dict(d)
    except (ValueError, TypeError) as e:
        raise LedgerImportError(f"[report] 中的日期无效：{e}", file=name, column="report") from None


# -- CSV and XLSX -------------------------------------------------------------------
def _csv_rows(raw: bytes, name: str) -> list[RawRow]:
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise LedgerImportError(
            "无法识别文件编码（请保存为 UTF-8 或 GB18030 的 CSV）。"
            " Unknown encoding: save the CSV as UTF-8 or GB18030.",
            file=name,
        )
    try:
        table = list(csv.reader(io.StringIO(text)))
    except csv.Error as e:
        raise LedgerImportError(f"CSV 格式错误：{e}", file=name) from None
    return _table_rows(table, name)


def _xlsx_rows(raw: bytes, name: str) -> list[RawRow]:
    import openpyxl  # imported here: only spreadsheet imports need it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        raise LedgerImportError(
            "无法打开该 Excel 文件（文件损坏或不是 .xlsx）。 Cannot open the spreadsheet.", file=name
        ) from None
    ws = wb.worksheets[0]
    table = [["" if c is None else _cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
    wb.close()
    return _table_rows(table, name)


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, tuple)):
        return "、".join(str(x) for x in v)
    return str(v).strip()


def _table_rows(table: list[list[str]], name: str) -> list[RawRow]:
    header_at = next((i for i, r in enumerate(table) if any(str(c).strip() for c in r)), None)
    if header_at is None:
        raise LedgerImportError("文件为空。The file is empty.", file=name)
    header = [str(c).strip() for c in table[header_at]]
    lookup = {alias.lower(): key for key, aliases in HEADERS.items() for alias in aliases}
    cols: dict[int, str] = {}
    for j, h in enumerate(header):
        key = lookup.get(h.lower())
        if key and key not in cols.values():
            cols[j] = key
    rows = []
    for i, r in enumerate(table[header_at + 1 :], start=header_at + 2):
        if not any(str(c).strip() for c in r):
            continue
        rows.append(RawRow(i, {key: str(r[j]).strip() if j < len(r) else "" for j, key in cols.items()}))
    present = set(cols.values())
    for key, label in (("text", "整改措施"), ("unit", "责任单位")):
        if key not in present:
            raise LedgerImportError(
                f"缺少“{label}”列（表头可写：{'/'.join(HEADERS[key])}）。 Missing column {key}.",
                file=name,
                row=header_at + 1,
                column=label,
            )
    if not present & {"id", "problem", "problem_title"}:
        raise LedgerImportError(
            "缺少“问题”或“编号”列。Missing column problem or id.", file=name, row=header_at + 1, column="问题"
        )
    if not rows:
        raise LedgerImportError("文件中没有整改措施。No measures in the file.", file=name)
    return rows


# -- validation --------------------------------------------------------------------
def _from_rows(rows: list[RawRow], name: str, known: list[Problem], header_row: bool = True) -> ParsedLedger:
    by_title = {p.title: p.id for p in known}
    problems: dict[int, Problem] = {p.id: p for p in known}
    counters: dict[int, int] = {}
    measures: list[Measure] = []
    statuses: dict[str, Status] = {}
    seen: dict[str, int] = {}
    col = (lambda k: next(iter(HEADERS[k]))) if header_row else (lambda k: k)
    for r in rows:
        v = r.values
        text = v.get("text", "").strip()
        if not text:
            raise LedgerImportError("整改措施为空。Empty measure text.", file=name, row=r.row, column=col("text"))
        mid, pno = _resolve_id(v, r, name, by_title, problems, counters, col)
        if mid in seen:
            raise LedgerImportError(
                f"编号 {mid} 重复（第 {seen[mid]} 行已有）。Duplicate id.", file=name, row=r.row, column=col("id")
            )
        seen[mid] = r.row
        word = v.get("status", "").strip()
        if word and word.lower() not in {k.lower() for k in STATUS_WORDS}:
            raise LedgerImportError(
                f"无法识别的状态“{word}”（可用：{'、'.join(STATUS_WORDS)}）。Unknown status.",
                file=name,
                row=r.row,
                column=col("status"),
            )
        status: Status = (
            next((s for k, s in STATUS_WORDS.items() if k.lower() == word.lower()), "open") if word else "open"
        )
        statuses[mid] = status
        inferred = v.get("unit_inferred", "").strip().lower() in ("true", "1", "是", "yes", "推定")
        measures.append(
            Measure(
                id=mid,
                problem=pno,
                text=text,
                unit=v.get("unit", "").strip(),
                co_units=tuple(u for u in _SPLIT.split(v.get("co_units", "")) if u),
                leader=v.get("leader", "").strip(),
                deadline_text=v.get("deadline_text", "").strip(),
                status=status,
                unit_inferred=inferred,
                note=v.get("note", "").strip(),
            )
        )
    return ParsedLedger(problems=sorted(problems.values(), key=lambda p: p.id), measures=measures, statuses=statuses)


def _resolve_id(
    v: dict[str, str],
    r: RawRow,
    name: str,
    by_title: dict[str, int],
    problems: dict[int, Problem],
    counters: dict[int, int],
    col: Any,
) -> tuple[str, int]:
    raw_id = v.get("id", "").strip()
    title = v.get("problem_title", "").strip()
    section = v.get("section", "").strip()
    m = _ID.match(raw_id)
    if m:
        pno = int(m[1])
        mid = f"P{pno}-{int(m[2])}"
    else:
        pno_text = v.get("problem", "").strip()
        if pno_text:
            if not pno_text.isdigit():
                raise LedgerImportError(
                    f"问题编号“{pno_text}”应为数字。Problem number must be a number.",
                    file=name,
                    row=r.row,
                    column=col("problem"),
                )
            pno = int(pno_text)
        elif title:
            pno = by_title.get(title) or (max(problems, default=0) + 1)
        else:
            raise LedgerImportError(
                "缺少问题或编号。Missing problem or id.", file=name, row=r.row, column=col("problem_title")
            )
        counters[pno] = counters.get(pno, 0) + 1
        mid = f"P{pno}-{counters[pno]}"
    if pno not in problems:
        problems[pno] = Problem(id=pno, title=title or f"问题{pno}", section=section)
        if title:
            by_title.setdefault(title, pno)
    elif title and problems[pno].title.startswith("问题") and problems[pno].title != title:
        problems[pno] = Problem(id=pno, title=title, section=section or problems[pno].section)
    return mid, pno
