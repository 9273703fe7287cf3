"""Word reports: paragraphs and tables in document order.

A table whose header names a measure and a problem column is a ledger annex (附件：整改台账), read
by `ledger.report_tables`; any other table is read cell by cell, as text.
"""

from __future__ import annotations

from typing import Any

from ledger.report_tables import table_lines


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
