"""Ledger tables inside a report, from any source: Word tables, HTML tables, and tables pasted as
text (cells separated by tabs, or by ` | `).

A table whose header names a measure column and a problem column (序号 | 问题 | 整改措施 | 责任单位 |
完成时限 | 整改进展, the importer's `HEADERS` plus the audit report's 审计发现问题 / 整改情况) is a
ledger: each row becomes labelled lines ("1.问题" "整改措施：…" "责任单位：…"), which the extraction
pipeline reads like a report written that way. Rows with the same problem (a merged cell repeated,
or the same text written again) are one problem. Any other table is read cell by cell, as text.
"""

from __future__ import annotations

import re

from ledger.columns import HEADERS, header_text

# Headers a report's table uses that a ledger sheet does not: problem and progress columns.
_EXTRA = {
    "problem_title": (
        "审计发现问题",
        "审计查出问题",
        "发现问题",
        "巡察发现问题",
        "巡视发现问题",
        "问题表现",
        "问题内容",
    ),
    "progress": (
        "整改进展",
        "完成情况",
        "进展情况",
        "整改情况",
        "整改进度",
        "整改成效",
        "状态",
        "整改状态",
        "完成状态",
        "整改结果",
        "办理情况",
    ),
    "unit": ("责任处室", "牵头部门", "责任科室", "责任股室"),
}
_LABELS = (
    ("text", "整改措施"),
    ("unit", "责任单位"),
    ("co_units", "配合单位"),
    ("leader", "牵头领导"),
    ("deadline_text", "完成时限"),
    ("progress", "整改进展"),
)
_LOOKUP = {header_text(a): k for k, aliases in HEADERS.items() for a in aliases if k != "status"}
_LOOKUP |= {header_text(a): k for k, aliases in _EXTRA.items() for a in aliases}
_CELLS = re.compile(r"\t|\s+[|｜]\s+")


def _columns(header: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for j, h in enumerate(header):
        key = _LOOKUP.get(header_text(h))
        if key and key not in cols:
            cols[key] = j
    return cols


def is_ledger_header(row: list[str]) -> bool:
    cols = _columns(row)
    return "text" in cols and "problem_title" in cols


def table_lines(rows: list[list[str]]) -> list[str]:
    """A ledger table as labelled lines; any other table as its cells' text."""
    at = next((i for i, r in enumerate(rows) if is_ledger_header(r)), None)
    if at is None:
        return [c for r in rows for i, c in enumerate(r) if c and (i == 0 or c != r[i - 1])]
    cols = _columns(rows[at])
    out: list[str] = [c for r in rows[:at] for c in r if c]  # a caption row above the header
    last, number = "", 0
    for r in rows[at + 1 :]:
        cell = {k: (r[j].strip() if j < len(r) else "") for k, j in cols.items()}
        if not any(cell.values()) or not cell.get("text"):
            continue
        if cell["problem_title"] and cell["problem_title"] != last:
            last, number = cell["problem_title"], number + 1
            out.append(f"{number}. {last}")  # the space keeps "2. 3个项目…" a heading
        out.extend(f"{word}：{_one_line(cell[key])}" for key, word in _LABELS if cell.get(key))
    return out


def _one_line(cell: str) -> str:
    return re.sub(r"\s*\n\s*", "", cell)


def text_tables(text: str) -> str:
    """Text with each run of tab-separated (or ` | `-separated) lines read as a table: a ledger
    table becomes labelled lines, any other table one line per cell. A ledger table copied from a
    web page one cell a line (its header words on consecutive lines, then rows that start 1, 2, 3…)
    is read too."""
    src = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(src):
        header = _cell_header(src, i)
        if header:
            rows, j = _cell_rows(src, i + header, header)
            if rows:
                out.extend(table_lines([[c.strip() for c in src[i : i + header]], *rows]))
                i = j
                continue
        j = i
        while j < len(src) and len(_cells(src[j])) >= 3:
            j += 1
        if j - i >= 2:
            out.extend(table_lines([_cells(ln) for ln in src[i:j]]))
            i = j
        else:
            out.append(src[i])
            i += 1
    return "\n".join(out)


def _cell_header(src: list[str], i: int) -> int:
    """How many consecutive lines from `i` are header words forming a ledger header (0 if none)."""
    n = 0
    while i + n < len(src) and header_text(src[i + n]) in _LOOKUP:
        n += 1
    return n if n >= 3 and is_ledger_header([c.strip() for c in src[i : i + n]]) else 0


def _cell_rows(src: list[str], i: int, width: int) -> tuple[list[list[str]], int]:
    """Rows of `width` lines each, while each starts with the next 序号; and where they end."""
    rows: list[list[str]] = []
    while i + width <= len(src) and src[i].strip() == str(len(rows) + 1):
        rows.append([c.strip() for c in src[i : i + width]])
        i += width
    return rows, i


def _cells(line: str) -> list[str]:
    if "\t" not in line and "|" not in line and "｜" not in line:
        return []
    return [c.strip() for c in _CELLS.split(line.strip(" \u3000\r"))]
