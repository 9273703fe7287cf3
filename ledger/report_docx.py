"""Word reports: paragraphs and tables in document order, with Word's automatic numbering written out.

A table whose header names a measure and a problem column is a ledger annex (附件：整改台账), read
by `ledger.report_tables`; any other table is read cell by cell, as text.

Offices number headings and measures with Word's lists (开始 → 编号) more often than by typing
"一、" or "1."; the numbers are then not in the paragraph's text but in numbering.xml, and without
them a report has no structure. So each numbered paragraph (its own w:numPr, or its style's) gets
its label as Word would show it: the level's w:lvlText ("%1、", "（%1）", "%1.%2") with each level's
counter in its w:numFmt (decimal, chineseCounting 一, decimalEnclosedCircle ①, letters, roman);
counters go per list (w:numId), start at w:start (or a w:startOverride), and a level restarts when
a level above it moves on. Bullets get no label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ledger.report_tables import table_lines

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CN = "零一二三四五六七八九"


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


@dataclass
class _Lists:
    """numId → its levels, and the counters as the document goes."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        count = self.counters.setdefault(num_id, {})
        count[ilvl] = count.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in count if k > ilvl]:
            del count[deeper]
        lvl = levels[ilvl]
        if lvl.fmt in ("bullet", "none"):
            return ""
        out = lvl.text
        for k in range(ilvl, -1, -1):  # %10 is not a thing; levels go 1–9
            n = count.get(k, levels.get(k, _Level()).start)
            out = out.replace(f"%{k + 1}", _format(n, levels.get(k, lvl).fmt))
        return out


def _format(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "japaneseCounting",
        "ideographDigital",
        "chineseLegalSimplified",
    ):
        return _chinese(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(ord("①") + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("upperLetter", "lowerLetter"):
        c = chr(ord("A") + (n - 1) % 26)
        return c if fmt == "upperLetter" else c.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        r = _roman(n)
        return r if fmt == "upperRoman" else r.lower()
    return str(n)


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for v, s in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def _val(el: Any, tag: str) -> str | None:
    child = el.find(f"{_W}{tag}") if el is not None else None
    return None if child is None else child.get(f"{_W}val")


def _lists(doc: Any) -> _Lists:
    try:
        root = doc.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return _Lists()
    abstract: dict[str, dict[int, _Level]] = {}
    for a in root.findall(f"{_W}abstractNum"):
        levels = {}
        for lvl in a.findall(f"{_W}lvl"):
            levels[int(lvl.get(f"{_W}ilvl", "0"))] = _Level(
                _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or "", int(_val(lvl, "start") or 1)
            )
        abstract[a.get(f"{_W}abstractNumId", "")] = levels
    out = _Lists()
    for num in root.findall(f"{_W}num"):
        levels = {
            k: _Level(v.fmt, v.text, v.start) for k, v in abstract.get(_val(num, "abstractNumId") or "", {}).items()
        }
        for over in num.findall(f"{_W}lvlOverride"):
            k = int(over.get(f"{_W}ilvl", "0"))
            if (start := _val(over, "startOverride")) is not None and k in levels:
                levels[k].start = int(start)
        out.levels[num.get(f"{_W}numId", "")] = levels
    return out


def _num_pr(paragraph: Any) -> tuple[str, int] | None:
    """(numId, level) of a paragraph's list, from its own properties or its style's."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.find(f"{_W}numPr") if p_pr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        s_pr = style.element.find(f"{_W}pPr")
        num_pr = s_pr.find(f"{_W}numPr") if s_pr is not None else None
        style = style.base_style
    num_id = _val(num_pr, "numId") if num_pr is not None else None
    if not num_id or num_id == "0":
        return None
    return num_id, int(_val(num_pr, "ilvl") or 0)


def docx_text(doc: Any) -> str:
    """The document's text, one paragraph a line, with list numbers written out and ledger tables
    as labelled lines."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lists = _lists(doc)
    out: list[str] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            numbered = _num_pr(item) if item.text.strip() else None
            out.append((lists.label(*numbered) if numbered else "") + item.text)
        elif isinstance(item, Table):
            out.extend(table_lines([[c.text.strip() for c in row.cells] for row in item.rows]))
    return "\n".join(out)
