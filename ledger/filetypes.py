"""What an uploaded evidence file really is, from its first bytes (not its name).

Evidence is a photo (JPEG, PNG, WebP, GIF, HEIC), a PDF or an Office document (OOXML .docx/.xlsx/.pptx,
legacy OLE2 .doc/.xls/.ppt, WPS files saved as either). Anything else (HTML, scripts, executables,
archives that are not Office documents) is refused, whatever its name says.
"""

from __future__ import annotations

import io
import os
import zipfile

OLE_EXTS = (".doc", ".xls", ".ppt", ".wps", ".et", ".dps")
OOXML_PARTS = (("word/", ".docx"), ("xl/", ".xlsx"), ("ppt/", ".pptx"))


def sniff(data: bytes, name: str = "") -> str | None:
    """The extension the content proves (".jpg", ".pdf", ".docx" …), or None when it is not evidence."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1"):
        return ".heic"
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: the name tells Word from Excel
        ext = os.path.splitext(name)[1].lower()
        return ext if ext in OLE_EXTS else ".doc"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(data)
    return None


def _ooxml(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, ext in OOXML_PARTS:
        if any(n.startswith(prefix) for n in names):
            return ext
    return None


def safe_display_name(name: str, limit: int = 120) -> str:
    """The original name for display and for the archive: no folders, no control characters."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"|?*')
    return (base or "file")[:limit]
