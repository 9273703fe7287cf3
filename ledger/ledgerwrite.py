"""Writing ledgers: the shipped TOML format, and CSV/XLSX in the columns the importer reads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from ledger.ledgerfile import EXPORT_COLUMNS, STATUS_EXPORT
from ledger.models import Measure, Problem, ReportMeta, Unit


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
        out.append(f"text = {_toml_str(m.text)}")
    return "\n".join(out) + "\n"


def export_rows(problems: list[Problem], measures: list[Measure], tiers: dict[str, str]) -> list[list[str]]:
    """One row per measure, in EXPORT_COLUMNS order (with the header row first)."""
    titles = {p.id: p for p in problems}
    rows = [[label for _, label in EXPORT_COLUMNS]]
    for m in measures:
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
        rows.append([vals[k] for k, _ in EXPORT_COLUMNS])
    return rows


def write_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


TIER_FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE", "done": "D9D9D9"}
TIER_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "done": "已销号", "": ""}


def write_xlsx(rows: list[list[str]], tiers_by_row: list[str], overdue_rows: list[list[str]] | None = None) -> bytes:
    """XLSX with a traffic-light fill per measure row, and an overdue sheet when given."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    for r in rows:
        ws.append(r)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, tier in enumerate(tiers_by_row, start=2):
        fill = TIER_FILLS.get(tier)
        if fill:
            for cell in ws[i]:
                cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
    widths = {"A": 8, "C": 24, "E": 60, "F": 16, "I": 24}
    for colname, w in widths.items():
        ws.column_dimensions[colname].width = w
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if overdue_rows is not None:
        ws2 = wb.create_sheet("逾期")
        for r in overdue_rows:
            ws2.append(r)
        for cell in ws2[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
