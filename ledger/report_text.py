"""Getting plain text out of a report file: .txt (UTF-8 or GB18030), .docx (with ledger tables), .html and .pdf."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser

from ledger.errors import LedgerImportError
from ledger.report_docx import docx_text
from ledger.report_pdf import pdf_text
from ledger.sheets import open_docx

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
    "td",
    "table",
    "ul",
    "ol",
    "blockquote",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "nav", "footer"):
            self.skip += 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "nav", "footer") and self.skip:
            self.skip -= 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    return re.sub(r"\n\s*\n+", "\n", "".join(p.parts))


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
