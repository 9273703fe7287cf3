"""Reading ledger files: TOML (the shipped format), CSV, XLSX, legacy XLS and Word tables.

Real ledgers (整改台账) come with Chinese or English headers (`ledger.columns`), titles,
merged cells and footnotes (`ledger.sheetrows`). The office's own measure ids are kept;
ids are synthesized (`P{problem}-{n}`) only when the file has none that are unique.
Every problem found in a file is reported with file, row and column, and a file with any
problem is rejected whole.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from ledger.columns import EXPORT_COLUMNS, HEADERS
from ledger.errors import LedgerImportError
from ledger.extract_blocks import BRACKETED_LABELS, labels_in
from ledger.ids import clean_id, id_key
from ledger.models import Measure, Problem, ReportMeta, Status, Unit
from ledger.progress import Progress, ticker
from ledger.sheetrows import RawRow, Skipped, read_rows
from ledger.sheets import alias_sheet, csv_sheets, docx_sheets, xls_sheets, xlsx_sheets
from ledger.status import STATUS_WORDS, status_from_text, status_from_word
from ledger.units import choose_units, split_units

__all__ = ["EXPORT_COLUMNS", "HEADERS", "STATUS_EXPORT", "STATUS_WORDS", "ParsedLedger", "read_ledger"]
STATUS_EXPORT = {"open": "推进中", "submitted": "待销号", "done": "已销号"}
SYNTHESIZED_NOTE = "未找到唯一的编号列，已按问题顺序生成编号 P1-1…"
_PID = re.compile(r"^P(\d{1,4})-(\d{1,4})$", re.IGNORECASE)
_ROW_NUMBER = re.compile(r"^\d{1,4}$")
_PART_SUFFIX = re.compile(r"(?:-\d+|（\d+）)$")
_TOML_SCALARS = (str, int, bool, dt.date)


@dataclass
class ParsedLedger:
    """A file as read: what it holds, and what the reader did (for the import summary)."""

    report: ReportMeta = field(default_factory=ReportMeta)
    problems: list[Problem] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    statuses: dict[str, Status] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ids_synthesized: bool = False
    deadline_dates: set[str] = field(default_factory=set)  # ids whose deadline cell was an Excel date
    aliases: dict[str, str] = field(default_factory=dict)  # from a 别名 sheet: name as written → unit
    # What the reader had to guess, for the office to check: kind → ids (or "row → ids" for splits).
    # split, unit_above, unit_from_text, unit_inferred, unit_missing, status_read, status_unknown
    guesses: dict[str, list[str]] = field(default_factory=dict)
    by_meaning: list[tuple[str, str, str]] = field(default_factory=list)  # sheet, header as written, key
    hidden: list[tuple[str, str]] = field(default_factory=list)  # sheet, header of a hidden column
    hidden_sheets: list[str] = field(default_factory=list)  # hidden sheets not read


def read_ledger(
    path: str,
    known_problems: list[Problem] | None = None,
    *,
    sheet: str | None = None,
    split: bool = True,
    progress: Progress | None = None,
) -> ParsedLedger:
    """Read and validate a ledger file; raise LedgerImportError naming file, row and column.

    `sheet` picks one sheet; `split=False` keeps a cell of numbered measures (1.…；2.…) as one measure;
    `progress` hears the rows read and the measures checked (`ledger.progress`).
    """
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise LedgerImportError("文件不存在。File not found.", file=name)
    ext = os.path.splitext(path)[1].lower()
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise LedgerImportError(f"无法读取文件：{e.strerror}。Cannot read the file.", file=name) from None
    return read_ledger_bytes(raw, name, ext, known_problems, sheet=sheet, split=split, progress=progress)


def read_ledger_bytes(
    raw: bytes,
    name: str,
    ext: str,
    known_problems: list[Problem] | None = None,
    *,
    sheet: str | None = None,
    split: bool = True,
    progress: Progress | None = None,
) -> ParsedLedger:
    if ext == ".toml":
        return _read_toml(raw, name)
    if ext == ".csv":
        sheets = csv_sheets(raw, name)
    elif ext in (".xlsx", ".xlsm"):
        sheets = xlsx_sheets(raw, name)
    elif ext == ".xls":
        sheets = xls_sheets(raw, name)
    elif ext == ".docx":
        sheets = docx_sheets(raw, name)
    else:
        raise LedgerImportError(
            f"不支持的文件类型 {ext or '(无扩展名)'}，请使用 .toml、.csv、.xlsx、.xls 或 .docx。"
            " Unsupported file type.",
            file=name,
        )
    found = read_rows(sheets, name, sheet, split=split, progress=progress)
    parsed = _from_rows(found.rows, name, known_problems or [], progress=progress)
    parsed.sheets, parsed.rows_read, parsed.skipped = found.sheets, found.rows_read, found.skipped
    parsed.by_meaning, parsed.hidden, parsed.hidden_sheets = found.by_meaning, found.hidden, found.hidden_sheets
    parsed.aliases = alias_sheet(sheets)
    return parsed


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
        if not isinstance(p, dict) or not isinstance(p.get("id"), int) or not str(p.get("title", "")).strip():
            raise LedgerImportError(
                "问题需要整数 id 和 title。A problem needs an integer id and a title.",
                file=name,
                row=i,
                column="problems",
            )
        problems.append(
            Problem(
                id=int(p["id"]),
                title=str(p["title"]).strip(),
                section=str(p.get("section", "")),
                leader=str(p.get("leader", "")),
            )
        )
    by_id = {p.id: p for p in problems}
    rows: list[RawRow] = []
    for i, m in enumerate(data.get("measures", []), start=1):
        if not isinstance(m, dict):
            raise LedgerImportError("措施格式错误。Malformed measure.", file=name, row=i, column="measures")
        extra = m.pop("extra", {})
        if not isinstance(extra, dict) or not all(isinstance(v, str) for v in extra.values()):
            raise LedgerImportError(
                'extra 应为表，如 extra = {"整改进展" = "…"}。 extra must be a table of text.',
                file=name,
                row=i,
                column="extra",
            )
        vals = {k: _toml_cell(v, k, i, name) for k, v in m.items()}
        if isinstance(m.get("problem"), int) and "problem_title" not in vals:
            known = by_id.get(m["problem"])
            vals["problem_title"] = known.title if known else ""
            vals["section"] = known.section if known else ""
        rows.append(RawRow(i, vals, extra=tuple((str(k), v.strip()) for k, v in extra.items() if v.strip())))
    if not rows:
        raise LedgerImportError("文件中没有整改措施（[[measures]]）。No measures in the file.", file=name)
    parsed = _from_rows(rows, name, problems, header_row=False)
    parsed.report = report
    parsed.rows_read = len(rows)
    declared = {q.id for q in problems}
    parsed.problems = problems + [p for p in parsed.problems if p.id not in declared]
    parsed.units = [
        Unit(name=str(u["name"]), aliases=tuple(u.get("aliases", ())))
        for u in data.get("units", [])
        if isinstance(u, dict) and u.get("name")
    ]
    return parsed


def _toml_cell(v: Any, key: str, row: int, name: str) -> str:
    """A measure's field as text; `id = 1.5` or `text = {a = 1}` is refused, not stringified."""
    ok = isinstance(v, _TOML_SCALARS) and not (key == "id" and isinstance(v, (bool, dt.date)))
    if isinstance(v, list) and key == "co_units":
        ok = all(isinstance(x, str) for x in v)
        v = "、".join(v) if ok else v
    if not ok:
        raise LedgerImportError(
            f"字段 {key} 的值 {v!r} 类型不对（应为文字{'或整数' if key == 'id' else ''}）。 Wrong type for {key}.",
            file=name,
            row=row,
            column=key,
        )
    return _text(v)


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _report_from_toml(d: Any, name: str) -> ReportMeta:
    if not isinstance(d, dict):
        raise LedgerImportError("[report] 应为表。[report] must be a table.", file=name)
    try:
        return ReportMeta.from_dict(d)
    except (ValueError, TypeError) as e:
        raise LedgerImportError(f"[report] 中的日期无效：{e}", file=name, column="report") from None


# -- validation --------------------------------------------------------------------
def _from_rows(
    rows: list[RawRow], name: str, known: list[Problem], header_row: bool = True, progress: Progress | None = None
) -> ParsedLedger:
    def col(key: str, r: RawRow | None = None) -> str:
        """A column as the office titled it, with its letter (整改措施（C 列）); a TOML field by its key."""
        return (r.headers.get(key) if r else None) or (HEADERS[key][0] if header_row else key)

    def where(r: RawRow) -> str:
        return f"{name} [{r.sheet}]" if r.sheet and r.sheet != name else name

    problems: dict[int, Problem] = {p.id: p for p in known}
    by_title = {(p.section, p.title): p.id for p in known} | {("", p.title): p.id for p in known}
    top = [max(problems, default=0)]
    pnos = [_problem_of(r, problems, by_title, top) for r in rows]
    ids, synthesized = _ids(rows, pnos, where, col)
    parsed = ParsedLedger(ids_synthesized=synthesized)
    tick = ticker(progress, "check", len(rows))
    for n, (r, pno, mid) in enumerate(zip(rows, pnos, ids), start=1):
        tick(n)
        v = r.values
        text = v.get("text", "").strip()
        if not text:
            raise LedgerImportError(
                "整改措施为空：这一行填了其他内容，却没有措施（若是说明或合计行，请删去或以“注：”开头）。"
                " Empty measure text.",
                file=where(r),
                row=r.row,
                column=col("text", r),
            )
        status, status_note = _status(v.get("status", "").strip(), mid, parsed.guesses)
        note = v.get("note", "").strip()
        if status_note and status_note not in note:
            note = f"{note}；{status_note}" if note else status_note
        unit, co = split_units(v.get("unit", ""))
        for guess in r.guessed:
            parsed.guesses.setdefault(guess, []).append(mid)
        inferred = v.get("unit_inferred", "").strip().lower() in ("true", "1", "是", "yes", "推定")
        said = labelled(text) if header_row else {}  # （责任单位：…，完成时限：…） written in the measure's cell
        if not unit and said.get("unit"):
            unit, co = split_units(said["unit"])
            parsed.guesses.setdefault("unit_from_text", []).append(mid)
        if not v.get("deadline_text", "").strip() and said.get("deadline"):
            v = {**v, "deadline_text": said["deadline"]}
            parsed.guesses.setdefault("deadline_from_text", []).append(mid)
        if not v.get("leader", "").strip() and said.get("leader"):
            v = {**v, "leader": said["leader"]}
        if not unit and header_row:
            unit, co, inferred = _unit_from_text(text, problems[pno].title, mid, parsed.guesses)
        co_more = split_units(v.get("co_units", ""))
        co_all = tuple(dict.fromkeys(u for u in (*co, *co_more[:1], *co_more[1]) if u)) if co or any(co_more) else ()
        parsed.statuses[mid] = status
        if r.deadline_is_date:
            parsed.deadline_dates.add(mid)
        parsed.measures.append(
            Measure(
                id=mid,
                problem=pno,
                text=text,
                unit=unit,
                co_units=co_all,
                leader=v.get("leader", "").strip(),
                deadline_text=v.get("deadline_text", "").strip(),
                status=status,
                unit_inferred=inferred,
                note=note,
                extra=r.extra,
            )
        )
    parsed.problems = sorted(problems.values(), key=lambda p: p.id)
    splits: dict[tuple[str, int], list[str]] = {}
    for r, mid in zip(rows, ids):
        if r.part[0]:
            splits.setdefault((r.sheet, r.row), []).append(mid)
    for (_, row), mids in splits.items():
        parsed.guesses.setdefault("split", []).append(f"第 {row} 行→{'、'.join(mids)}")
    return parsed


def _status(word: str, mid: str, guesses: dict[str, list[str]]) -> tuple[Status, str]:
    """The status a cell's word means; a word that only starts with one (已完成，5月已验收) or means
    nothing known (open, kept in the note) is listed for the office to check, never refused."""
    if not word:
        return "open", ""
    meaning = status_from_word(word)
    if meaning is not None:
        return meaning
    meaning = status_from_text(word)
    if meaning is not None:
        guesses.setdefault("status_read", []).append(f"{mid}（{word}）")
        return meaning
    guesses.setdefault("status_unknown", []).append(f"{mid}（{word}）")
    return "open", f"文件中状态为“{word}”"


def labelled(text: str) -> dict[str, str]:
    """What a measure's own cell says in bracketed labels: "…（责任单位：区住建局，完成时限：2024年底）"
    gives {"unit": "区住建局", "deadline": "2024年底"}; the first of each kind counts."""
    out: dict[str, str] = {}
    for m in BRACKETED_LABELS.finditer(text):
        for kind, value in labels_in(m["v"]):
            if value:
                out.setdefault(kind, value.strip("。；;，, "))
    return out


def _unit_from_text(
    text: str, problem: str, mid: str, guesses: dict[str, list[str]]
) -> tuple[str, tuple[str, ...], bool]:
    """An empty 责任单位 cell: the body the measure names (由区卫健委牵头…), else the body whose business
    it is about (flagged as inferred), else none; each listed in the summary."""
    lead, co, inferred = choose_units(text, problem)
    kind = "unit_missing" if not lead else "unit_inferred" if inferred else "unit_from_text"
    guesses.setdefault(kind, []).append(mid)
    return lead, tuple(co), inferred


def _problem_of(r: RawRow, problems: dict[int, Problem], by_title: dict[tuple[str, str], int], top: list[int]) -> int:
    """The problem a row belongs to: its number, else its title (new titles numbered on), else its P-id;
    `top` holds the largest problem number so far (kept here, so a new title is not a scan of all problems).

    A problem number that is not a plain number (（一）, 一-1) only labels the problem: the row is
    grouped by its title, or by that label where it has none (问题（一）).
    """
    v = r.values
    title, section = v.get("problem_title", "").strip(), v.get("section", "").strip()
    pno_text = v.get("problem", "").strip()
    pid = _PID.match(clean_id(v.get("id", "")))
    if pno_text and not pno_text.isdigit():
        title, pno_text = title or f"问题{pno_text}", ""
    if pno_text:
        pno = int(pno_text)
    elif title and (section, title) in by_title:
        pno = by_title[(section, title)]
    elif pid and not title:
        pno = int(pid[1])
    else:
        title = title or (f"{section}（未分组）" if section else "（未分组）")
        pno = by_title.get((section, title)) or (top[0] + 1)
    if pno not in problems:
        problems[pno] = Problem(id=pno, title=title or f"问题{pno}", section=section)
        top[0] = max(top[0], pno)
    elif title and problems[pno].title.startswith("问题") and problems[pno].title != title:
        problems[pno] = Problem(id=pno, title=title, section=section or problems[pno].section)
    if title:
        by_title.setdefault((section, title), pno)
    return pno


def _ids(rows: list[RawRow], pnos: list[int], where: Any, col: Any) -> tuple[list[str], bool]:
    """The office's ids, or synthesized ones where there are none or a 序号 repeats; a true duplicate is refused."""
    raw = [clean_id(r.values.get("id", "")) for r in rows]
    # 3-1, 3-2 from splitting row 3's cell are still row numbers; a 序号 merged down over a problem's
    # measures (or written on its first row only) numbers problems: blanks below it are not missing ids
    bases = [_PART_SUFFIX.sub("", x) if r.part[0] else x for r, x in zip(rows, raw)]
    row_numbers = all(not x or _ROW_NUMBER.match(x) for x in bases)
    keys = [id_key(x) for x in raw]
    repeats = len({k for k in keys if k}) < len([k for k in keys if k])
    if not any(raw) or (row_numbers and (repeats or not all(raw))):
        counters: dict[int, int] = {}
        out = []
        for pno in pnos:
            counters[pno] = counters.get(pno, 0) + 1
            out.append(f"P{pno}-{counters[pno]}")
        return out, True
    seen: dict[str, str] = {}
    for r, x, k in zip(rows, raw, keys):
        if not x:
            raise LedgerImportError(
                "编号为空（其他行都有编号）。Empty id.", file=where(r), row=r.row, column=col("id", r)
            )
        if k in seen:
            raise LedgerImportError(
                f"编号 {x} 重复（{seen[k]}已有）。Duplicate id.", file=where(r), row=r.row, column=col("id", r)
            )
        seen[k] = (f"工作表“{r.sheet}”" if r.sheet else "") + f"第 {r.row} 行"
    return raw, False
