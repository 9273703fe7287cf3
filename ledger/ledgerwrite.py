"""Writing ledgers: the shipped TOML format, and CSV/XLSX in the columns the importer reads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

from ledger.columns import EXPORT_COLUMNS
from ledger.ledgerfile import STATUS_EXPORT
from ledger.models import Measure, Problem, ReportMeta, Unit
from ledger.xlsxwrite import FILLS, SheetSpec, write_workbook


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return _toml_str(str(v))


def write_toml(
    report: ReportMeta, problems: list[Problem], measures: list[Measure], units: list[Unit], header: str = ""
) -> str:
    """The shipped format: a report table, then problems, then measures, in ledger order."""
    out: list[str] = []
    if header:
        out += [f"# {line}" for line in header.splitlines()] + [""]
    out.append("[report]")
    for k, v in report.to_dict().items():
        value = dt.date.fromisoformat(str(v)) if k in ("date", "feedback_date", "published") else v
        out.append(f"{k} = {_toml_value(value)}")
    for u in units:
        out += ["", "[[units]]", f"name = {_toml_str(u.name)}"]
        if u.aliases:
            out.append(f"aliases = {_toml_value(list(u.aliases))}")
    for p in problems:
        out += [
            "",
            "[[problems]]",
            f"id = {p.id}",
            f"title = {_toml_str(p.title)}",
            f"section = {_toml_str(p.section)}",
        ]
        if p.leader:
            out.append(f"leader = {_toml_str(p.leader)}")
    for m in measures:
        out += ["", "[[measures]]", f"id = {_toml_str(m.id)}", f"problem = {m.problem}", f"unit = {_toml_str(m.unit)}"]
        if m.co_units:
            out.append(f"co_units = {_toml_value(list(m.co_units))}")
        if m.unit_inferred:
            out.append("unit_inferred = true")
        if m.leader:
            out.append(f"leader = {_toml_str(m.leader)}")
        out.append(f"deadline_text = {_toml_str(m.deadline_text)}")
        out.append(f"status = {_toml_str(m.status)}")
        if m.note:
            out.append(f"note = {_toml_str(m.note)}")
        if m.extra:
            out.append("extra = {" + ", ".join(f"{_toml_str(k)} = {_toml_str(v)}" for k, v in m.extra) + "}")
        out.append(f"text = {_toml_str(m.text)}")
    return "\n".join(out) + "\n"


def export_rows(problems: list[Problem], measures: list[Measure], tiers: dict[str, str]) -> list[list[str]]:
    """One row per measure, in EXPORT_COLUMNS order then the office's own extra columns (header row first)."""
    rows: list[list[str]] = []
    for _ in export_rows_steps(problems, measures, tiers, rows):
        pass
    return rows


def export_rows_steps(
    problems: list[Problem], measures: list[Measure], tiers: dict[str, str], rows: list[list[str]], step: int = 500
) -> Iterator[None]:
    """`export_rows` into `rows`, pausing every `step` measures (for a caller on an event loop)."""
    titles = {p.id: p for p in problems}
    extras = list(dict.fromkeys(label for m in measures for label, _ in m.extra))
    rows.append([label for _, label in EXPORT_COLUMNS] + extras)
    for i, m in enumerate(measures, start=1):
        if i % step == 0:
            yield
        p = titles.get(m.problem)
        vals = {
            "id": m.id,
            "problem": str(m.problem),
            "problem_title": p.title if p else "",
            "section": p.section if p else "",
            "text": m.text,
            "unit": m.unit,
            "co_units": "、".join(m.co_units),
            "leader": m.leader,
            "deadline_text": m.deadline_text,
            "due": m.due.isoformat() if m.due else "",
            "status": STATUS_EXPORT[m.status],
            "tier": tiers.get(m.id, ""),
            "note": m.note,
            "unit_inferred": "是" if m.unit_inferred else "",
        }
        own = dict(m.extra)
        rows.append([vals[k] for k, _ in EXPORT_COLUMNS] + [own.get(label, "") for label in extras])


# A cell beginning with one of these is a formula to a spreadsheet program (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_csv(rows: list[list[str]]) -> bytes:
    """CSV for Excel and WPS; a cell that would start a formula is written with a leading `'`."""
    buf = io.StringIO()
    safe = ([f"'{c}" if c.startswith(FORMULA_START) else c for c in r] for r in rows)
    csv.writer(buf, lineterminator="\r\n").writerows(safe)  # CRLF: a lone \r in a cell gets quoted
    return buf.getvalue().encode("utf-8-sig")


TIER_FILLS = dict(zip(("green", "yellow", "red", "done"), FILLS))
TIER_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "done": "已销号", "": ""}
WIDTHS = {"编号": 10, "问题": 24, "整改措施": 60, "责任单位": 16, "完成时限": 24, "到期日": 12}


def write_xlsx(rows: list[list[str]], tiers_by_row: list[str], overdue_rows: list[list[str]] | None = None) -> bytes:
    """XLSX with a traffic-light fill per measure row, and an overdue sheet (same style) when given.

    到期日 is a real Excel date; the header row is frozen and has an autofilter. Streamed by
    `ledger.xlsxwrite`, so time grows linearly with the ledger.
    """
    return write_workbook(xlsx_sheets(rows, tiers_by_row, overdue_rows))


def xlsx_sheets(
    rows: list[list[str]], tiers_by_row: list[str], overdue_rows: list[list[str]] | None = None
) -> list[SheetSpec]:
    """The export's sheets: the ledger with traffic-light fills, and the overdue sheet when given."""
    sheets = [_spec("整改台账", rows, tiers_by_row)]
    if overdue_rows is not None:
        sheets.append(_spec("逾期", overdue_rows, ["red"] * (len(overdue_rows) - 1)))
    return sheets


def _spec(title: str, rows: list[list[str]], tiers: list[str]) -> SheetSpec:
    header = rows[0] if rows else []
    due = header.index("到期日") if "到期日" in header else -1
    fill_of = {t: i for i, t in enumerate(TIER_FILLS, start=1)}
    return SheetSpec(
        title=title,
        rows=rows,
        date_col=due,
        fills=[fill_of.get(t, 0) for t in tiers],
        widths={j: WIDTHS[h] for j, h in enumerate(header) if h in WIDTHS},
        wrap_col=header.index("整改措施") if "整改措施" in header else -1,
    )
