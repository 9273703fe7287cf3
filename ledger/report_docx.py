"""Word reports: paragraphs and tables in document order.

A table whose header the importer recognises (序号 | 问题 | 整改措施 | 责任单位 | 完成时限 | 整改进展,
`ledger.ledgerfile.HEADERS`) is a ledger annex (附件：整改台账); each of its rows becomes labelled
lines ("1.问题" "整改措施：…" "责任单位：…"), which the extraction pipeline reads like a report that
lists its measures that way. A merged problem cell repeats over its rows: rows with the same
problem are one problem. Any other table is read cell by cell, as text.
"""

from __future__ import annotations

from typing import Any

from ledger.ledgerfile import HEADERS

# Progress columns the importer has no key for.
_PROGRESS = ("整改进展", "完成情况", "进展情况", "整改情况")
_LABELS = (("text", "整改措施"), ("unit", "责任单位"), ("deadline_text", "完成时限"), ("progress", "整改进展"))


def docx_text(doc: Any) -> str:
    """The document's text, one paragraph a line, ledger tables as labelled lines."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            out.append(item.text)
        elif isinstance(item, Table):
            out.extend(table_lines([[c.text.strip() for c in row.cells] for row in item.rows]))
    return "\n".join(out)


def _columns(header: list[str]) -> dict[str, int]:
    lookup = {alias.lower(): key for key, aliases in HEADERS.items() for alias in aliases}
    cols: dict[str, int] = {}
    for j, h in enumerate(header):
        key = lookup.get(h.strip().lower()) or ("progress" if h.strip() in _PROGRESS else "")
        if key == "status":
            key = "progress"
        if key and key not in cols:
            cols[key] = j
    return cols


def table_lines(rows: list[list[str]]) -> list[str]:
    """A ledger table as labelled lines; any other table as its cells' text."""
    at = next((i for i, r in enumerate(rows) if "text" in _columns(r) and "problem_title" in _columns(r)), None)
    if at is None:
        return [c for r in rows for i, c in enumerate(r) if c and (i == 0 or c != r[i - 1])]
    cols = _columns(rows[at])
    out: list[str] = []
    last, number = "", 0
    for r in rows[at + 1 :]:
        cell = {k: (r[j].strip() if j < len(r) else "") for k, j in cols.items()}
        if not any(cell.values()) or not cell.get("text"):
            continue
        if cell["problem_title"] != last:
            last, number = cell["problem_title"], number + 1
            out.append(f"{number}.{last}")
        out.extend(f"{word}：{cell[key]}" for key, word in _LABELS if cell.get(key))
    return out
