"""Getting plain text out of a report file: .txt (UTF-8 or GB18030), .docx (with ledger tables), .html and .pdf."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ledger.errors import LedgerImportError
from ledger.report_docx import docx_text
from ledger.report_pdf import pdf_text
from ledger.report_tables import is_ledger_header, table_lines
from ledger.sheets import open_docx

BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
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
# Furniture is skipped only on elements whose end tag is never left out (a <td> or <li> often is,
# and skipping one would never end).
_CONTAINERS = {"div", "ul", "ol", "dl", "section", "aside", "span", "table", "header"}
# A site's furniture by class or id: menus, breadcrumbs, share and print tools, previous/next links,
# the footer (a page's own header is kept: the title often sits in it).
_FURNITURE = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|footer|foot|breadcrumb|crumbs?|share|tools?|toolbar|prev|next|topbar|top|"
    r"sidebar|copyright|bottom|location|position|guide)(?:$|[-_\s])",
    re.IGNORECASE,
)


@dataclass
class _Table:
    rows: list[list[str]] = field(default_factory=list)
    cell: list[str] | None = None  # the open cell's text

    def close_cell(self) -> None:
        if self.cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def text(self) -> str:
        """A ledger table as labelled lines; any other (a layout table holding the article) cell by cell."""
        self.close_cell()
        if any(is_ledger_header(r) for r in self.rows):
            return "\n".join(table_lines(self.rows))
        return "\n".join(c for r in self.rows for c in r if c)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = ""  # the tag of the element being skipped
        self.depth = 0  # how many of that tag are open inside it (unclosed <li> and <p> do not matter)
        self.tables: list[_Table] = []

    def out(self, text: str) -> None:
        if not self.tables:
            self.parts.append(text)
        elif self.tables[-1].cell is not None:
            self.tables[-1].cell.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping == "head" and tag == "body":  # a <head> left open: the body still counts
            self.skipping = ""
        if self.skipping:
            self.depth += tag == self.skipping
            return
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if tag in _SKIP_TAGS or (tag in _CONTAINERS and names and _FURNITURE.search(names)):
            self.skipping, self.depth = tag, 1
        elif tag == "table":
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self.tables[-1].close_cell()
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].close_cell()
            self.tables[-1].cell = []
        elif tag in BLOCK_TAGS:
            self.out("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.depth -= tag == self.skipping
            if not self.depth:
                self.skipping = ""
            return
        if tag == "table" and self.tables:
            self.out("\n" + self.tables.pop().text() + "\n")
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].close_cell()
        elif tag in BLOCK_TAGS:
            self.out("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out(data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        while self.tables:  # a table never closed
            self.out("\n" + self.tables.pop().text() + "\n")


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
        return docx_text(open_docx(raw, name))
    if ext == ".pdf" or raw[:5] == b"%PDF-":
        return pdf_text(raw, name)
    text = decode(raw, name)
    if ext in (".html", ".htm") or re.search(r"<(html|body|p|div)\b", text[:2000], re.IGNORECASE):
        return html_to_text(text)
    return text
