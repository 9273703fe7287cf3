"""PDF reports: the text layer, with the page's furniture removed and wrapped lines rejoined.

Read with pdfminer.six (pure Python, maintained, gives each line's position): a line in the top
or bottom margin that recurs on other pages, or is a page number, is a header or footer; a line
that reaches the right margin goes on in the next line unless that starts a numbered item or a
label. A PDF without any text (a scan) is refused with a message to run OCR first.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from ledger.errors import LedgerImportError
from ledger.extract_blocks import is_structural
from ledger.report_pages import PAGE_NUMBER as _PAGE_NUMBER

_MARGIN = 0.08  # of the page height, top and bottom


@dataclass(frozen=True)
class Line:
    page: int
    x0: float
    x1: float
    top: float  # from the top of the page, 0–1
    text: str


def pdf_text(raw: bytes, name: str) -> str:
    """The report's text, one paragraph a line."""
    lines = _lines(raw, name)
    if not any(ln.text for ln in lines):
        raise LedgerImportError(
            "PDF 无文字层，请先 OCR（这是扫描件）。The PDF has no text layer: run OCR first.", file=name
        )
    return "\n".join(_paragraphs(_without_furniture(lines)))


def _lines(raw: bytes, name: str) -> list[Line]:
    from pdfminer.high_level import extract_pages  # only PDF reports need it
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    out: list[Line] = []
    try:
        for no, page in enumerate(extract_pages(io.BytesIO(raw), laparams=LAParams())):
            height = page.height or 1.0
            found: list[Line] = []
            for box in page:
                if not isinstance(box, LTTextContainer):
                    continue
                for ln in box:
                    if isinstance(ln, LTTextLine) and ln.get_text().strip():
                        top = 1 - ln.y1 / height
                        found.append(Line(no, ln.x0, ln.x1, top, ln.get_text().strip()))
            out.extend(sorted(found, key=lambda x: (round(x.top, 3), x.x0)))
    except Exception:
        raise LedgerImportError("无法打开该 PDF 文件（文件损坏或已加密）。Cannot open the PDF.", file=name) from None
    return out


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _without_furniture(lines: list[Line]) -> list[Line]:
    """The lines less page headers, footers and page numbers."""
    pages = len({ln.page for ln in lines})
    edge = [ln for ln in lines if ln.top < _MARGIN or ln.top > 1 - _MARGIN]
    recurring = Counter(_shape(ln.text) for ln in edge)
    return [
        ln
        for ln in lines
        if not (
            (ln.top < _MARGIN or ln.top > 1 - _MARGIN)
            and (_PAGE_NUMBER.match(ln.text) or (pages > 1 and recurring[_shape(ln.text)] > 1))
        )
    ]


def _paragraphs(lines: list[Line]) -> list[str]:
    """Lines joined into paragraphs: a line that fills the measure goes on in the next."""
    if not lines:
        return []
    right = max(ln.x1 for ln in lines)
    left = min(ln.x0 for ln in lines)
    em = max(1.0, (right - left) / 40)  # a generous character width
    out: list[str] = []
    full = False
    for ln in lines:
        indented = ln.x0 - left > em * 1.5
        if out and full and not indented and not is_structural(ln.text):
            out[-1] += ln.text
        else:
            out.append(ln.text)
        full = right - ln.x1 < em * 1.5
    return out
