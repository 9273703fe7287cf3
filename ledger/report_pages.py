"""Text exported from printed pages (a PDF copied out, pdftotext): page numbers and running titles
removed, and lines the page broke rejoined into their paragraphs.

A page number is a line such as "— 3 —", "- 3 -", "第3页 共8页"; a running title is a line that
repeats the report's title further down, or a short unpunctuated line that recurs three times or
more. Hard wrapping is recognised from the text itself: many lines of about the same width that
stop without punctuation. Then a line that reaches that width goes on in the next one, unless the
next starts a numbered item or a label (a wrapped numbered item is rejoined by the paragraph reader,
`ledger.extract_blocks.lines`). Text without hard wrapping is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ledger.extract_blocks import is_structural

PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d+\s*(?:页)?\s*(?:[/／]\s*\d+|共\s*\d+\s*页)?[-—–\s]*$")
_END = re.compile(r"[。；;：:！？!?”）)」]$")
_TITLE_END = re.compile(r"^[\u4e00-\u9fff]{0,8}(?:通报|报告|公告|公示|情况|决定)$")


def width(s: str) -> float:
    """A line's printed width in ems: CJK and full-width characters 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in s)


def without_furniture(text: str) -> str:
    """The text less page numbers and running titles."""
    rows = [ln.strip() for ln in text.split("\n")]
    firsts = [r for r in rows if r][:2]
    title = firsts[0] + firsts[1] if len(firsts) == 2 and _TITLE_END.match(firsts[1]) else (firsts or [""])[0]
    counts = Counter(r for r in rows if 8 <= len(r) < 40 and not _END.search(r) and not is_structural(r))
    seen_title = False
    out = []
    for r in rows:
        if r and PAGE_NUMBER.match(r):
            continue
        if r and (r == title or (len(r) >= 0.6 * len(title) and title.startswith(r))):
            if seen_title:
                continue
            seen_title = True
        elif r and counts[r] >= 3:
            continue
        out.append(r)
    return "\n".join(out)


def unwrap(text: str) -> str:
    """Hard-wrapped lines joined into their paragraphs (only where the text is hard-wrapped)."""
    rows = [r.strip() for r in text.split("\n")]
    full = _wrap_width(rows)
    out: list[str] = []
    joining = False
    for i, r in enumerate(rows):
        if joining and r and not is_structural(r) and not is_structural(out[-1]):
            out[-1] += r
        else:
            out.append(r)
        last = out[-1]
        title_cut = i < 3 and not _END.search(last) and i + 1 < len(rows) and bool(_TITLE_END.match(rows[i + 1]))
        joining = bool(last) and not _END.search(last) and (title_cut or (full > 0 and width(r) >= full))
    return "\n".join(out)


def _wrap_width(rows: list[str]) -> float:
    """The width lines were broken at, or 0 if the text is not hard-wrapped."""
    open_rows = [width(r) for r in rows if len(r) >= 10 and not _END.search(r)]
    if len(open_rows) < 4:
        return 0.0
    widest = max(open_rows)
    near = [w for w in open_rows if w >= 0.85 * widest]
    body = [width(r) for r in rows if r]
    if len(near) < 4 or widest < 15 or len(near) < 0.2 * len(body):
        return 0.0
    return 0.85 * widest
