"""Reading the grid of cells out of a CSV, XLSX or legacy XLS file, within safe limits.

Every format becomes `Sheet`s of plain cell values with merged ranges expanded: the top-left
value is copied into each cell of the range, and `covered` remembers which cells were copies
(a measure's text or id is never taken from a copy). Sizes are checked before anything is
loaded whole: a small file that inflates to 100 000 rows is refused with a message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from ledger.columns import FOOTNOTE, find_header
from ledger.errors import LedgerImportError
from ledger.xlsxwrite import EXCEL_EPOCH, col_letter

MAX_ROWS = 100_000  # rows holding cells; a district ledger has hundreds, more is a mistake or a zip bomb
MAX_INFLATED = 200 * 1024 * 1024  # bytes an XLSX may unpack to
EMPTY_RUN_STOP = 5_000  # formatted-but-empty rows at the end of a sheet: stop reading there
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_COL = re.compile(rb"<col\b[^>]*>")
_ATTR = re.compile(rb'\b(min|max|hidden)="([^"]*)"')


@dataclass
class Sheet:
    """One sheet's cells (rows of values, as read) and the cells filled from a merged range."""

    name: str
    rows: list[list[Any]]
    covered: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based
    hidden: frozenset[int] = frozenset()  # hidden columns, 0-based
    hidden_sheet: bool = False  # a sheet the office hid (an old copy, a lookup list)


def too_many_rows(name: str, sheet: str = "") -> LedgerImportError:
    where = f"工作表“{sheet}”" if sheet else "文件"
    return LedgerImportError(
        f"{where}超过 {MAX_ROWS} 行，不像一份整改台账，已拒绝导入。 More than {MAX_ROWS} rows: refused.", file=name
    )


def csv_sheets(raw: bytes, name: str) -> list[Sheet]:
    """A CSV in UTF-8 (with or without BOM) or GB18030/GBK, cells separated by commas, semicolons
    or tabs (whichever splits the first lines into the most cells)."""
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
    rows: list[list[Any]] = []
    hint = re.match(r"sep=(.)\r?\n", text)  # Excel's own first line naming the separator
    sep = hint.group(1) if hint else _separator(text)
    text = text[hint.end() :] if hint else text
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=sep)
    last_line = 0
    quoted = "'" in text  # else no cell can start with the export's guarding quote
    try:
        for r in reader:
            rows.append([_unquote(c) for c in r] if quoted else r)
            last_line = reader.line_num
            if len(rows) > MAX_ROWS:
                raise too_many_rows(name)
    except csv.Error as e:
        line = text.splitlines()[last_line] if last_line < len(text.splitlines()) else ""
        col = line[: line.index('"')].count(sep) if '"' in line else 0
        raise LedgerImportError(
            f"CSV 格式错误（引号不成对？）：{e}。 Malformed CSV (unbalanced quote?).",
            file=name,
            row=last_line + 1,
            column=col_letter(col),
        ) from None
    return [Sheet(name, rows)]


SEPARATORS = (",", ";", "\t")


def _separator(text: str) -> str:
    """The separator that gives the first lines the most cells (a comma when none splits anything)."""
    head = "\n".join(text.splitlines()[:30])

    def cells(sep: str) -> int:
        try:
            return sum(len(r) for r in csv.reader(io.StringIO(head), delimiter=sep))
        except csv.Error:
            return 0

    return max(SEPARATORS, key=lambda sep: (cells(sep), sep == ","))


def _unquote(cell: str) -> str:
    """Undo the `'` that Duban's CSV export puts before a cell that would start a formula."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell


def xlsx_sheets(raw: bytes, name: str) -> list[Sheet]:
    import openpyxl  # imported here: only spreadsheet imports need it

    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        inflated = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise LedgerImportError(
            "无法打开该 Excel 文件（文件损坏或不是 .xlsx）。 Cannot open the spreadsheet.", file=name
        ) from None
    if inflated > MAX_INFLATED:
        raise LedgerImportError(
            f"文件解压后超过 {MAX_INFLATED // 2**20} MB，已拒绝导入。 The spreadsheet inflates too far.", file=name
        )
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        raise LedgerImportError(
            "无法打开该 Excel 文件（文件损坏或不是 .xlsx）。 Cannot open the spreadsheet.", file=name
        ) from None
    try:
        for ws in wb.worksheets:  # count first: reading 100 000 rows through openpyxl takes ~15 s
            if _rows_with_cells(zf, getattr(ws, "_worksheet_path", "")) > MAX_ROWS:
                raise too_many_rows(name, ws.title)
        return [_read_only_sheet(ws, zf, name) for ws in wb.worksheets]
    finally:
        wb.close()


def _rows_with_cells(zf: zipfile.ZipFile, path: str) -> int:
    """Rows that hold cells, counted by scanning the sheet's XML as it inflates (stops past the cap)."""
    if not path:
        return 0
    n, tail = 0, b""
    with zf.open(path) as f:
        while chunk := f.read(1 << 20):
            n += (tail + chunk).count(b"</row>")
            tail = chunk[-5:]
            if n > MAX_ROWS:
                break
    return n


def _read_only_sheet(ws: Any, zf: zipfile.ZipFile, name: str) -> Sheet:
    rows: list[list[Any]] = []
    kept, empty_run = 0, 0
    for cells in ws.iter_rows():
        values = [_month_shown(c.value, getattr(c, "number_format", "")) for c in cells]
        if any(v is not None and str(v).strip() for v in values):
            kept, empty_run = kept + 1, 0
            if kept > MAX_ROWS:
                raise too_many_rows(name, ws.title)
        else:
            empty_run += 1
            if empty_run > EMPTY_RUN_STOP:
                break
        rows.append(list(values))
    # read-only worksheets do not parse merged ranges: read them from the sheet's XML
    path = getattr(ws, "_worksheet_path", "")
    merges, hidden = [], set()
    if path:
        xml = zf.read(path)
        for m in _MERGE.finditer(xml):
            c1, r1, c2, r2 = m.groups()
            merges.append((int(r1) - 1, int(r2) - 1, _col_index(c1.decode()), _col_index(c2.decode())))
        hidden = _hidden_columns(xml)
    shown = getattr(ws, "sheet_state", "visible") == "visible"
    return _expand(Sheet(ws.title, rows, hidden=frozenset(hidden), hidden_sheet=not shown), merges)


def _hidden_columns(xml: bytes) -> set[int]:
    """Columns a `<col min max hidden="1">` hides (0-based); read-only worksheets do not parse them."""
    out: set[int] = set()
    for tag in _COL.finditer(xml[: xml.find(b"<sheetData")] if b"<sheetData" in xml else b""):
        attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(tag.group(0))}
        if attrs.get("hidden") in ("1", "true") and attrs.get("min", "").isdigit():
            lo, hi = int(attrs["min"]), int(attrs.get("max", attrs["min"]) or attrs["min"])
            out.update(range(lo - 1, min(hi, lo + 1000)))
    return out


_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _month_shown(v: Any, number_format: str | None) -> Any:
    """A date shown as a month (`yyyy"年"m"月"`, `yyyy-mm`) is a month, not its first day: a cell
    showing 2024年6月 holds 2024-06-01, and the office means the end of June."""
    if not isinstance(v, dt.datetime) or not number_format:
        return v
    shown = _QUOTED.sub("", number_format).lower()
    if "d" in shown or "y" not in shown or "m" not in shown or "h" in shown:
        return v
    return f"{v.year}年{v.month}月"


def xls_sheets(raw: bytes, name: str) -> list[Sheet]:
    """Legacy Excel 97–2003 through xlrd (which reads .xls only, and is maintained for that)."""
    import xlrd  # type: ignore[import-untyped]

    try:
        book = xlrd.open_workbook(file_contents=raw, formatting_info=True, on_demand=True)
    except Exception:
        raise LedgerImportError(
            "无法打开该 .xls 文件（文件损坏或不是 Excel 97–2003）。 Cannot open the .xls.", file=name
        ) from None
    sheets = []
    for sh in book.sheets():
        if sh.nrows > MAX_ROWS:
            raise too_many_rows(name, sh.name)
        rows: list[list[Any]] = []
        for r in range(sh.nrows):
            row: list[Any] = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    shown = book.format_map.get(book.xf_list[cell.xf_index].format_key)
                    value = xlrd.xldate_as_datetime(cell.value, book.datemode)
                    row.append(_month_shown(value, shown.format_str if shown else ""))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                else:
                    row.append(cell.value)
            rows.append(row)
        merges = [(rlo, rhi - 1, clo, chi - 1) for rlo, rhi, clo, chi in sh.merged_cells]
        hidden = frozenset(c for c, info in sh.colinfo_map.items() if info.hidden)
        sheets.append(_expand(Sheet(sh.name, rows, hidden=hidden, hidden_sheet=sh.visibility != 0), merges))
    return sheets


def open_docx(raw: bytes, name: str) -> Any:
    """A Word document (python-docx, imported only for Word files); LedgerImportError when it is not one."""
    try:
        import docx

        return docx.Document(io.BytesIO(raw))
    except Exception:
        raise LedgerImportError(
            "无法打开该 Word 文件（.docx 损坏或格式不对）。Cannot open the .docx.", file=name
        ) from None


def docx_sheets(raw: bytes, name: str) -> list[Sheet]:
    """The tables of a Word document (a ledger sent as a .docx table), one sheet each (表1, 表2 …);
    a table of the same width that goes on with measures (no header, or the header repeated) is the
    ledger broken across pages; a signature table under it (填表人 | 张三 | 审核人 | 李四) is not.

    A merged cell spans several grid positions in Word; each copy after the first is marked as
    covered, as with a merged range in Excel, so a problem merged down applies to each row.
    """
    doc = open_docx(raw, name)
    sheets: list[Sheet] = []
    width = -1
    for table in doc.tables:
        if table.rows and len(table.columns) == width and _goes_on(sheets[-1], table):  # one ledger
            sheet = sheets[-1]
        else:
            sheet, width = Sheet(f"表{len(sheets) + 1}", []), len(table.columns)
            sheets.append(sheet)
        above: list[Any] = []
        for row in table.rows:
            i = len(sheet.rows)
            if i >= MAX_ROWS:
                raise too_many_rows(name, sheet.name)
            tcs = [cell._tc for cell in row.cells]
            sheet.rows.append([cell.text.strip() or None for cell in row.cells])
            for j, tc in enumerate(tcs):
                if (j > 0 and tcs[j - 1] is tc) or (j < len(above) and above[j] is tc):
                    sheet.covered.add((i, j))
            above = tcs
    if not sheets:
        raise LedgerImportError(
            "这份 Word 文件中没有表格。若是整改情况报告，请先用 extract 生成台账草稿再导入。"
            " No table in the Word file: use extract for a report.",
            file=name,
        )
    return sheets


def _goes_on(sheet: Sheet, table: Any) -> bool:
    """Whether a Word table continues the ledger above: the header repeated, or no header and a row
    that is not a footer (a signature or footnote table is its own sheet, holding no measures)."""
    rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
    if find_header(rows) is not None:
        return rows[0] in [[text_of(v) for v in r] for r in sheet.rows[:10]]
    firsts = [next((c for c in r if c), "") for r in rows]
    return any(f and not FOOTNOTE.match(f) for f in firsts)


def _expand(sheet: Sheet, merges: list[tuple[int, int, int, int]]) -> Sheet:
    """Copy each merged range's top-left value into its other cells, remembering which were copies."""
    for r1, r2, c1, c2 in merges:
        if r1 >= len(sheet.rows):
            continue
        top = sheet.rows[r1][c1] if c1 < len(sheet.rows[r1]) else None
        for r in range(r1, min(r2, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    row[c] = top
                    sheet.covered.add((r, c))
    return sheet


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")


def serial_date(v: Any) -> dt.date | None:
    """An Excel serial day number (46203, or "46203" typed as text) in a plausible range, as a date."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) or (isinstance(v, str) and _SERIAL.match(v.strip())):
        n = float(v)
        if 30_000 <= n <= 80_000 and n == int(n):  # 1982 … 2119
            return EXCEL_EPOCH + dt.timedelta(days=int(n))
    return None


def text_of(v: Any) -> str:
    """A cell as text: dates as ISO dates, whole floats without `.0`."""
    if type(v) is str:  # nearly every cell: the one test first (250 000 cells in a large CSV)
        return v.strip()
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
