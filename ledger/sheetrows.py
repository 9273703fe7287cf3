"""From a sheet's grid to the rows that are measures, and a word on every row that is not.

Real 台账 have a title and a 填报单位/日期 line above the header, a problem merged over its
measures (or written on its first row only), footnotes below (注：…, 填表人：…), empty rows
in between. Rows above the header are titles; a problem is carried down its group; measure
text and ids are never carried down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ledger.columns import FOOTNOTE, HEADERS, Header, find_header
from ledger.errors import LedgerImportError
from ledger.sheets import Sheet, serial_date

CARRIED = ("problem", "problem_title", "section")  # written once per group, applies to the rows below
NEVER_COPIED = ("text", "id")  # a merged copy of these is not a value
DERIVED_SHEETS = ("逾期",)  # sheets Duban's own export adds, repeating rows of the main sheet


@dataclass
class RawRow:
    """One measure as read from a file, before validation; `row` (1-based) is for error messages."""

    row: int
    values: dict[str, str]
    sheet: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    deadline_is_date: bool = False


@dataclass(frozen=True)
class Skipped:
    """A row that is not a measure, and why (标题 title, 脚注 footnote, 空行 empty, 问题行 problem only)."""

    sheet: str
    row: int
    why: str


@dataclass
class SheetRows:
    sheets: list[str] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rows_read: int = 0


def text_of(v: Any) -> str:
    """A cell as text: dates as ISO dates, whole floats without `.0`."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def ledger_sheets(sheets: list[Sheet], name: str, pick: str | None) -> list[tuple[Sheet, Header]]:
    """The sheets that hold a ledger header (`pick` names one); raise when there is none."""
    if not any(any(text_of(v) for v in r) for sh in sheets for r in sh.rows):
        raise LedgerImportError("文件为空。The file is empty.", file=name)
    found = []
    for sh in sheets:
        h = find_header([[text_of(v) for v in r] for r in sh.rows[:12]])
        if h is not None and (pick is None or sh.name == pick):
            found.append((sh, h))
    if pick is not None and not found:
        names = "、".join(s.name for s in sheets)
        raise LedgerImportError(
            f"没有名为“{pick}”且带台账表头的工作表（共有：{names}）。 No ledger sheet named {pick}.", file=name
        )
    if len(found) > 1:
        found = [(s, h) for s, h in found if s.name not in DERIVED_SHEETS]
    if not found:
        raise LedgerImportError(
            "前 10 行中找不到表头：需要“整改措施”列，以及“责任单位”“完成时限”“编号”之一"
            f"（整改措施可写作：{'/'.join(HEADERS['text'])}）。 No ledger header in the first 10 rows.",
            file=name,
            row=1,
            column="整改措施",
        )
    return found


def read_rows(sheets: list[Sheet], name: str, pick: str | None = None) -> SheetRows:
    out = SheetRows()
    chosen = ledger_sheets(sheets, name, pick)
    for sh, h in chosen:
        if "unit" not in h.keys:
            raise LedgerImportError(
                f"缺少“责任单位”列（表头可写：{'/'.join(HEADERS['unit'])}）。 Missing column unit.",
                file=_where(name, sh, len(chosen)),
                row=h.row + 1,
                column="责任单位",
            )
        out.sheets.append(sh.name)
        _sheet_rows(sh, h, len(chosen) > 1, out)
    if not out.rows:
        raise LedgerImportError("文件中没有整改措施。No measures in the file.", file=name)
    return out


def _where(name: str, sh: Sheet, n: int) -> str:
    return f"{name} [{sh.name}]" if n > 1 or sh.name != name else name


def _sheet_rows(sh: Sheet, h: Header, section_is_sheet: bool, out: SheetRows) -> None:
    for i in range(h.row):
        if any(text_of(v) for v in sh.rows[i]):
            out.skipped.append(Skipped(sh.name, i + 1, "标题"))
            out.rows_read += 1
    carried: dict[str, str] = {}
    for i in range(h.row + 1, len(sh.rows)):
        cells = sh.rows[i]
        out.rows_read += 1
        own = [text_of(v) for j, v in enumerate(cells) if (i, j) not in sh.covered and text_of(v)]
        values: dict[str, str] = {}
        for j, key in h.cols.items():
            v = cells[j] if j < len(cells) else None
            if key in NEVER_COPIED and (i, j) in sh.covered:
                v = None
            values[key] = _deadline_text(v) if key == "deadline_text" else text_of(v)
        if not any(values.values()) and not own:
            out.skipped.append(Skipped(sh.name, i + 1, "空行"))
            continue
        if not values.get("text"):
            if own and (FOOTNOTE.match(own[0]) or (len(own) == 1 and not values.get("problem_title"))):
                out.skipped.append(Skipped(sh.name, i + 1, "脚注"))
                continue
            if values.get("problem_title") and not ({k for k, v in values.items() if v} - {*CARRIED, "id"}):
                carried = {k: values.get(k, "") for k in CARRIED}
                out.skipped.append(Skipped(sh.name, i + 1, "问题行"))
                continue
        if values.get("problem_title") or values.get("problem"):
            carried = {k: values.get(k, "") for k in CARRIED}
        else:
            values.update({k: v for k, v in carried.items() if v})
        if section_is_sheet and not values.get("section"):
            values["section"] = sh.name
        extra = tuple(
            (label, text_of(cells[j])) for j, label in h.extras.items() if j < len(cells) and text_of(cells[j])
        )
        dl = cells[h_col(h, "deadline_text")] if h_col(h, "deadline_text") < len(cells) else None
        is_date = isinstance(dl, dt.date) or serial_date(dl) is not None
        out.rows.append(RawRow(i + 1, values, sh.name, extra, is_date))


def h_col(h: Header, key: str) -> int:
    return next((j for j, k in h.cols.items() if k == key), 10**6)


def _deadline_text(v: Any) -> str:
    """Excel dates and serial numbers (46203, also typed as text) become ISO dates; prose stays prose."""
    if isinstance(v, (dt.date, dt.datetime)):
        return text_of(v)
    d = serial_date(v)
    return d.isoformat() if d else text_of(v)


ALIAS_SHEETS = ("别名", "单位别名")


def alias_sheet(sheets: list[Sheet]) -> dict[str, str]:
    """A sheet named 别名: two columns, the name as written → the unit it means (a header row is skipped)."""
    out: dict[str, str] = {}
    for sh in sheets:
        if sh.name.strip() not in ALIAS_SHEETS:
            continue
        for r in sh.rows:
            cells = [text_of(v) for v in r[:2]]
            if len(cells) == 2 and all(cells) and cells[0] != "别名":
                out[cells[0]] = cells[1]
    return out
