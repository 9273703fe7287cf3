"""From a sheet's grid to the rows that are measures, and a word on every row that is not.

Real 台账 have a title and a 填报单位/日期 line above the header, a problem merged over its
measures (or written on its first row only), section rows between groups (一、党的建设方面,
merged across the row), several measures in one cell (1.…；2.…), footnotes and totals below
(注：…, 填表人：…, 合计), empty rows in between. Rows above the header are titles; a problem and
a section are carried down their group; a unit written once per problem applies to the rows
below it in that problem (said in the summary); measure text and ids are never carried down.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from ledger.cellsplit import ASPECT, SECTION_HEAD, TOP_LEVEL, section_name, split_items
from ledger.columns import FOOTNOTE, HEADERS, Header, find_header
from ledger.errors import LedgerImportError
from ledger.filer import filer_above, named_unit
from ledger.progress import Progress, Tick, ticker
from ledger.sheets import Sheet, serial_date, text_of
from ledger.status import status_from_text, status_from_word
from ledger.xlsxwrite import col_letter

CARRIED = ("problem", "problem_title", "section")  # written once per group, applies to the rows below
NEVER_COPIED = ("text", "id")  # a merged copy of these is not a value
DERIVED_SHEETS = ("逾期",)  # sheets Duban's own export adds, repeating rows of the main sheet
SAMPLE_SHEET = re.compile(r"示例|样例|范例|样表|模板|填表说明|填报说明")  # a filled-in example beside the ledger


@dataclass
class RawRow:
    """One measure as read from a file, before validation; `row` (1-based) is for error messages.

    `part` is (k, n) when the row's measure cell held n numbered measures and this is the k-th;
    `guessed` names what the reader filled in for the office to check (`unit_above`).
    """

    row: int
    values: dict[str, str]
    sheet: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    deadline_is_date: bool = False
    part: tuple[int, int] = (0, 0)
    guessed: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # key → the column as titled, 整改措施（C 列）


@dataclass(frozen=True)
class Skipped:
    """A row that is not a measure, and why (标题 title, 脚注 footnote, 空行 empty, 问题行 problem only,
    分类行 a section heading such as 一、党的建设方面, 续行 a measure's merged cell going on)."""

    sheet: str
    row: int
    why: str


@dataclass
class SheetRows:
    sheets: list[str] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rows_read: int = 0
    by_meaning: list[tuple[str, str, str]] = field(default_factory=list)  # sheet, header as written, key
    hidden: list[tuple[str, str]] = field(default_factory=list)  # sheet, header of a hidden column
    hidden_sheets: list[str] = field(default_factory=list)  # ledger sheets passed over because hidden


def ledger_sheets(sheets: list[Sheet], name: str, pick: str | None) -> list[tuple[Sheet, Header]]:
    """The sheets that hold a ledger header (`pick` names one); raise when there is none."""
    if not any(any(text_of(v) for v in r) for sh in sheets for r in sh.rows):
        raise LedgerImportError("文件为空。The file is empty.", file=name)
    found = []
    for sh in sheets:
        h = find_header([[text_of(v) for v in r] for r in sh.rows[:12]], sh.hidden)
        if h is not None and (pick is None or sh.name == pick):
            found.append((sh, h))
    if pick is not None and not found:
        names = "、".join(s.name for s in sheets)
        raise LedgerImportError(
            f"没有名为“{pick}”且带台账表头的工作表（共有：{names}）。 No ledger sheet named {pick}.", file=name
        )
    if len(found) > 1:
        found = [(s, h) for s, h in found if s.name not in DERIVED_SHEETS and not SAMPLE_SHEET.search(s.name)]
    if any(s.hidden_sheet for s, _ in found) and not all(s.hidden_sheet for s, _ in found):
        found = [(s, h) for s, h in found if not s.hidden_sheet]  # an old copy the office hid
    if not found:
        names = "、".join(f"“{s.name}”" for s in sheets) if len(sheets) > 1 else ""
        raise LedgerImportError(
            f"{'工作表 ' + names + ' ' if names else ''}前 10 行中找不到表头：需要“整改措施”列，"
            "以及“责任单位”“完成时限”“编号”之一"
            f"（整改措施可写作：{'/'.join(HEADERS['text'])}）。 No ledger header in the first 10 rows.",
            file=name,
            row=1,
            column="整改措施",
        )
    return found


def read_rows(
    sheets: list[Sheet], name: str, pick: str | None = None, *, split: bool = True, progress: Progress | None = None
) -> SheetRows:
    """The measures of the ledger sheets; `split=False` keeps a cell of numbered measures as one.
    `progress` hears ("read", rows done, rows in the ledger sheets) as the rows are read."""
    out = SheetRows()
    chosen = ledger_sheets(sheets, name, pick)
    total = sum(len(sh.rows) for sh, _ in chosen)
    tick = ticker(progress, "read", total)
    out.hidden_sheets = [s.name for s in sheets if s.hidden_sheet and s not in [c for c, _ in chosen]]
    for sh, h in chosen:
        filer, how = ("", "") if "unit" in h.keys else (filer_above(sh, h), "unit_filer")
        if "unit" not in h.keys and not filer:
            filer, how = named_unit(sh, h), "unit_sheet"
        if "unit" not in h.keys and not filer:
            raise LedgerImportError(
                f"缺少“责任单位”列（表头可写：{'/'.join(HEADERS['unit'])}），表头上方没有“填报单位：…”，"
                "工作表名和标题也不是单位名。 Missing column unit.",
                file=_where(name, sh, len(chosen)),
                row=h.row + 1,
                column="责任单位",
            )
        _progress_as_status(sh, h)
        out.sheets.append(sh.name)
        header = [text_of(v) for v in sh.rows[h.row]]
        out.by_meaning += [(sh.name, label, h.cols[j]) for j, label in h.by_meaning.items()]
        out.hidden += [(sh.name, header[j] or col_letter(j)) for j in sorted(sh.hidden) if j < len(header)]
        first = len(out.rows)
        _sheet_rows(sh, h, len(chosen) > 1, out, split and not h.ours, _where(name, sh, len(chosen)), tick)
        for r in out.rows[first:] if filer else ():
            r.values["unit"], r.guessed = filer, (*r.guessed, how)
    if not out.rows:
        raise LedgerImportError("文件中没有整改措施。No measures in the file.", file=name)
    _unique_part_ids(out.rows)
    tick(total)
    return out


PROGRESS = re.compile(r"完成情况|整改情况|进展|进度|办理情况|是否完成")
STATUS_SHARE = 0.8  # of a progress column's filled cells that must be status words to read it as the status


def _progress_as_status(sh: Sheet, h: Header) -> None:
    """With no 状态 column, a 完成情况 (整改进展 …) column holding status words (已完成, 整改中 …) in
    nearly every filled cell is also read as the status; one of prose (已制定年度计划) is only kept."""
    if "status" in h.keys:
        return
    for j, label in list(h.extras.items()):
        if not PROGRESS.search(label):
            continue
        cells = [(i, r[j]) for i, r in enumerate(sh.rows) if i > h.row and j < len(r) and (i, j) not in sh.covered]
        filled = [text_of(v) for _, v in cells if text_of(v)]
        words = [w for w in filled if status_from_word(w) or status_from_text(w)]
        if filled and len(words) >= STATUS_SHARE * len(filled):
            h.cols[j], h.by_meaning[j] = "status", label  # and still kept as the office's column
            return


def _where(name: str, sh: Sheet, n: int) -> str:
    return f"{name} [{sh.name}]" if n > 1 or sh.name != name else name


@dataclass
class _Carried:
    """What a sheet's rows carry down (section, problem, the unit of its last measure); per-sheet lookups."""

    section: str = ""
    problem: dict[str, str] = field(default_factory=dict)
    unit: str = ""
    text_col: int = 10**6
    deadline_col: int = 10**6
    wide: int = 2  # cells one text must fill to be a heading merged across the row


def _sheet_rows(
    sh: Sheet, h: Header, section_is_sheet: bool, out: SheetRows, split: bool, where: str, tick: Tick
) -> None:
    for i in range(h.row):
        if any(text_of(v) for v in sh.rows[i]):
            out.skipped.append(Skipped(sh.name, i + 1, "标题"))
            out.rows_read += 1
    above = {text_of(v) for r in sh.rows[: h.row + 1] for v in r if text_of(v)}  # title and header cells
    carried = _Carried(sh.name if section_is_sheet else "", text_col=h_col(h, "text"))
    carried.deadline_col, carried.wide = h_col(h, "deadline_text"), max(2, len(h.cols.keys() | h.extras.keys()) // 2)
    titles = [text_of(v) for v in sh.rows[h.row]]
    headers = {key: f"{' '.join(titles[j].split()) or key}（{col_letter(j)} 列）" for j, key in h.cols.items()}
    for i in range(h.row + 1, len(sh.rows)):
        out.rows_read += 1
        tick(out.rows_read)
        texts = [text_of(v) for v in sh.rows[i]]  # each cell converted once
        values, own = _values(sh, h, i, texts)
        why = _not_a_measure(sh, h, i, values, own, above, carried, out.rows, texts)
        if why == "续行":
            _refuse_own_deadline_or_status(sh, h, i, values, out.rows, where)
        if why:
            out.skipped.append(Skipped(sh.name, i + 1, why))
        else:
            raw = _measure_row(sh, h, i, values, carried, texts)
            raw.headers = headers
            out.rows += _parts(raw) if split else [raw]


def _values(sh: Sheet, h: Header, i: int, texts: list[str]) -> tuple[dict[str, str], list[str]]:
    """Row i's value for each column Duban reads, and the texts written in the row itself (not merged copies)."""
    cells, covered = sh.rows[i], sh.covered
    own = [t for j, t in enumerate(texts) if t and (i, j) not in covered] if covered else [t for t in texts if t]
    values: dict[str, str] = {}
    for j, key in h.cols.items():
        if j >= len(cells) or (key in NEVER_COPIED and (i, j) in covered):
            values[key] = ""
        else:
            values[key] = _deadline_text(cells[j]) if key == "deadline_text" else texts[j]
    return values, own


def _not_a_measure(
    sh: Sheet,
    h: Header,
    i: int,
    values: dict[str, str],
    own: list[str],
    above: set[str],
    carried: _Carried,
    rows: list[RawRow],
    texts: list[str],
) -> str:
    """Why row i is not a measure (空行, 重复表头, 脚注, 分类行, 问题行, 续行), or "" when it is one;
    a section or problem row starts a new group in `carried`."""
    if not any(values.values()) and not own:
        return "空行"
    distinct = set(own)
    if len(distinct) >= 2 and distinct <= above:  # the header again, as on each page of a Word table
        return "重复表头"
    if len(own) >= 3 and own[0] == "1" and own == [str(n) for n in range(1, len(own) + 1)]:  # 1 | 2 | 3 …
        return "列号行"
    if own and FOOTNOTE.match(own[0]):
        return "脚注"
    heading = _heading(texts, h, values, carried.wide)
    if heading == "section":
        carried.section, carried.problem, carried.unit = section_name(own[0]), {}, ""
        return "分类行"
    if heading == "problem":
        carried.problem, carried.unit = {"problem_title": section_name(own[0]), "section": carried.section}, ""
        return "问题行"
    if _continues(sh, carried.text_col, i, values, rows):
        return "续行"
    if values.get("text"):
        return ""
    if own and len(own) == 1 and not values.get("problem_title"):
        numbered = values.get("id") == own[0] and own[0].isdigit()  # a template's numbered empty row
        return "空行" if numbered else "脚注"
    if values.get("problem_title") and not ({k for k, v in values.items() if v} - {*CARRIED, "id"}):
        carried.problem, carried.unit = {k: values.get(k, "") for k in CARRIED}, ""
        return "问题行"
    return ""  # a row with a unit or deadline but no measure: refused when validated


def _measure_row(sh: Sheet, h: Header, i: int, values: dict[str, str], carried: _Carried, texts: list[str]) -> RawRow:
    """Row i as a measure: its problem (its own, else carried down), section, and the unit written
    once for its problem (said in the summary). Without a problem (no problem column or problem
    row) a blank unit is only blank: left for the measure's text to name or infer, never the row above's."""
    title, number, before = values.get("problem_title"), values.get("problem"), carried.problem
    if title or number:
        if (title and title != before.get("problem_title", "")) or (number and number != before.get("problem", "")):
            carried.unit = ""
        carried.problem = {k: values.get(k, "") for k in CARRIED}
    else:
        values.update({k: v for k, v in carried.problem.items() if v})
    if not values.get("section") and carried.section:
        values["section"] = carried.section
    guessed: tuple[str, ...] = ()
    grouped = carried.problem.get("problem_title") or carried.problem.get("problem")  # a unit: once per problem
    if not values.get("unit") and carried.unit and values.get("text") and grouped:
        values["unit"], guessed = carried.unit, ("unit_above",)
    carried.unit = values.get("unit", "") or carried.unit
    cells = sh.rows[i]
    extra = tuple((label, texts[j]) for j, label in h.extras.items() if j < len(texts) and texts[j]) if h.extras else ()
    dl = cells[carried.deadline_col] if carried.deadline_col < len(cells) else None
    is_date = isinstance(dl, dt.date) or serial_date(dl) is not None
    return RawRow(i + 1, values, sh.name, extra, is_date, guessed=guessed)


def _continues(sh: Sheet, text_col: int, i: int, values: dict[str, str], rows: list[RawRow]) -> bool:
    """A row under a measure merged down over it, naming another unit: that unit joins the measure
    (one measure, one unit per row, as offices lay out joint responsibility)."""
    if (i, text_col) not in sh.covered or not rows or rows[-1].sheet != sh.name:
        return False
    unit, last = values.get("unit", ""), rows[-1].row
    for r in reversed(rows):
        if r.row != last or r.sheet != sh.name:
            break
        if unit and unit not in r.values.get("unit", ""):
            r.values["unit"] = f"{r.values['unit']}、{unit}" if r.values.get("unit") else unit
    return True


CONTINUED_SAME = (("deadline_text", "完成时限"), ("status", "状态"))  # a continuation row must not differ in these


def _refuse_own_deadline_or_status(
    sh: Sheet, h: Header, i: int, values: dict[str, str], rows: list[RawRow], where: str
) -> None:
    """A continuation row (the measure merged down over it) that writes its own deadline or status,
    different from the measure's: joining its unit would drop them, so the office is asked to split it."""
    first = [r for r in rows if r.sheet == sh.name and r.row == rows[-1].row]
    for key, label in CONTINUED_SAME:
        own = values.get(key, "")
        if own and (i, h_col(h, key)) not in sh.covered and all(own != r.values.get(key, "") for r in first):
            theirs = first[0].values.get(key, "") or "（空）"
            raise LedgerImportError(
                f"第 {first[0].row} 行的整改措施合并到了第 {i + 1} 行，但第 {i + 1} 行的{label}“{own}”"
                f"与第 {first[0].row} 行的“{theirs}”不同。请把两行拆成两条措施（各写措施内容），"
                f"或统一{label}后再导入。 A measure merged over rows {first[0].row}-{i + 1} has a different "
                f"{key} on row {i + 1}: split it into two measures.",
                file=where,
                row=i + 1,
                column=label,
            )


def _heading(cells: list[str], h: Header, values: dict[str, str], wide_at: int) -> str:
    """A row holding one text and nothing else: a section (一、党的建设方面, merged across the row
    or alone in a column), a problem (a heading merged across a sheet with no problem column), or ""."""
    texts = [t for t in cells if t]
    if not texts or any(t != texts[0] for t in texts):
        return ""
    only = texts[0]
    wide = len(texts) >= wide_at  # merged across the row
    if not wide and any(values.get(k) == only for k in ("problem_title", "problem")):
        return ""  # a problem written in its own column: the 问题行 rule below
    if not wide and values.get("text") == only and not ASPECT.search(only):
        return ""  # a measure alone on its row (二、完善制度): a measure, never dropped as a heading
    if not (wide or SECTION_HEAD.match(only) or ASPECT.search(only)):
        return ""
    if "problem_title" in h.keys or ASPECT.search(only) or TOP_LEVEL.match(only):
        return "section"
    return "problem"


def _parts(r: RawRow) -> list[RawRow]:
    """A row whose measure cell holds several numbered measures, as one row per measure; the
    deadline (or unit) cell is split alongside when it is numbered the same way, else shared."""
    items = split_items(r.values.get("text", ""))
    if len(items) < 2:
        return [r]
    paired = {}
    for key in ("deadline_text", "unit", "leader", "status"):
        cell = split_items(r.values.get(key, ""))
        if len(cell) == len(items):
            paired[key] = cell
    out = []
    for k, item in enumerate(items):
        values = dict(r.values, text=item, **{key: cell[k] for key, cell in paired.items()})
        if values.get("id"):
            values["id"] = f"{values['id']}-{k + 1}"
        is_date = r.deadline_is_date and "deadline_text" not in paired
        out.append(RawRow(r.row, values, r.sheet, r.extra, is_date, (k + 1, len(items)), r.guessed, r.headers))
    return out


def _unique_part_ids(rows: list[RawRow]) -> None:
    """A split row's ids (3-1, 3-2) give way to 3（1）, 3（2） where the file already uses 3-1."""
    written = {r.values.get("id", "") for r in rows if not r.part[0]}
    for r in rows:
        mid = r.values.get("id", "")
        if r.part[0] and mid in written:
            r.values["id"] = f"{mid.rsplit('-', 1)[0]}（{r.part[0]}）"


def h_col(h: Header, key: str) -> int:
    return next((j for j, k in h.cols.items() if k == key), 10**6)


# A date as a database or an Excel export writes it into text: 2025/6/30 0:00:00, 2025-06-30 00:00:00,
# 20250630 (the whole cell, nothing else in it). A date as people write it (2025.9.30) stays as written.
_EXPORTED_DATE = re.compile(
    r"^(?P<y>(?:19|20)\d\d)(?:[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
    r"|(?P<m8>[01]\d)(?P<d8>[0-3]\d))$"
)


def _deadline_text(v: Any) -> str:
    """Excel dates and serial numbers (46203, also typed as text) and dates exported as text
    (2025/6/30 0:00:00, 20250630) become ISO dates; prose stays prose."""
    if isinstance(v, (dt.date, dt.datetime)):
        return text_of(v)
    d = serial_date(v)
    if d:
        return d.isoformat()
    text = text_of(v)
    m = _EXPORTED_DATE.match(text.strip())
    if m:
        try:
            return dt.date(int(m["y"]), int(m["m"] or m["m8"]), int(m["d"] or m["d8"])).isoformat()
        except ValueError:
            return text  # 2025/2/30: not a date; read (and refused) as written
    return text
