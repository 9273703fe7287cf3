"""Getting plain text out of a report file: .txt (UTF-8 or GB18030), .docx (with ledger tables), .html and .pdf."""

from __future__ import annotations

import io
import os
import re
from html.parser import HTMLParser

from ledger.errors import LedgerImportError
from ledger.report_docx import docx_text
from ledger.report_pdf import pdf_text

BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "blockquote",
}


_SKIP_TAGS = {"script", "style", "head", "nav", "footer", "noscript", "iframe", "form", "select", "button"}
_VOID = {"br", "img", "meta", "link", "input", "hr", "area", "base", "col", "embed", "source", "wbr"}
# A site's furniture by class or id: menus, breadcrumbs, share and print tools, previous/next links,
# the footer (a page's own header is kept: the title often sits in it).
_FURNITURE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|footer|foot|breadcrumb|crumbs?|share|tools?|toolbar|prev|next|topbar|top|"
    r"sidebar|copyright|bottom|location|position|guide)(?:$|[-_\s])",
    re.IGNORECASE,
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0  # open elements since the one being skipped began (0: not skipping)
        self.cells = -1  # cells begun in the current table row (-1: not in a row)
        self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and not self.skip:
                self.parts.append("\n")
            return
        if self.skip:
            self.skip += 1
            return
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if tag in _SKIP_TAGS or (names and _FURNITURE.search(names)):
            self.skip = 1
            return
        if tag in ("td", "th"):  # a row is one line, its cells separated by tabs
            self.parts.append("\t" if self.cells > 0 else "")
            self.cells, self.in_cell = max(self.cells, 0) + 1, True
        elif tag == "tr":
            self.parts.append("\n")
            self.cells = 0
        elif tag in BLOCK_TAGS:
            self.parts.append(" " if self.in_cell else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.skip:
            self.skip -= 1
            return
        if tag in ("td", "th"):
            self.in_cell = False
        elif tag == "tr":
            self.parts.append("\n")
            self.cells = -1
        elif tag in BLOCK_TAGS:
            self.parts.append(" " if self.in_cell else "\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"[\n\t]", " ", data))


def html_to_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    return re.sub(r"\n[ \u3000]*\n+", "\n", "".join(p.parts))


def decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:4096]:
        raise LedgerImportError("这不是文本文件（含二进制内容）。Not a text file.", file=name)
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LedgerImportError("无法识别文件编码（请用 UTF-8 或 GB18030）。Unknown encoding.", file=name)


def read_report(path: str) -> str:
    """The report's text, one paragraph a line; LedgerImportError for what cannot be read."""
    name = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise LedgerImportError(f"无法读取文件：{e.strerror}。Cannot read the file.", file=name) from None
    ext = os.path.splitext(path)[1].lower()
    if ext == ".docx":
        try:
            import docx  # python-docx; only needed for Word files

            doc = docx.Document(io.BytesIO(raw))
        except Exception:
            raise LedgerImportError(
                "无法打开该 Word 文件（.docx 损坏或格式不对）。Cannot open the .docx.", file=name
            ) from None
        return docx_text(doc)
    if ext == ".pdf" or raw[:5] == b"%PDF-":
        return pdf_text(raw, name)
    text = decode(raw, name)
    if ext in (".html", ".htm") or re.search(r"<(html|body|p|div)\b", text[:2000], re.IGNORECASE):
        return html_to_text(text)
    return text
