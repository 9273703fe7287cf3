"""The evidence package (一案一档) handed to an inspection group: one folder per measure.

Each folder holds the measure's evidence files under their original names and a cover sheet
(`封面.txt`): the measure, its unit, its deadline as written and as read, its status, who signed
it off and when, the whole history, and each file with its SHA-256. The package also carries the
ledger XLSX, identical to `/export`. Pure: the caller reads the files and the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.i18n import status_label
from ledger.models import Measure
from ledger.views import deadline_label

COVER = "封面.txt"


@dataclass(frozen=True)
class Folder:
    measure: Measure
    files: tuple[tuple[dict[str, Any], bytes], ...]  # (evidence record, bytes), stored files only
    missing: tuple[dict[str, Any], ...] = ()  # records still pending download: listed, never dropped silently


def folder_name(m: Measure) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", m.id).strip("._") or "measure"


def signed_off(m: Measure) -> tuple[str, dt.datetime] | None:
    """Who signed the measure off and when (the latest 销号 in its history)."""
    for e in reversed(m.history):
        if e.action == "signoff":
            return e.actor, e.at
    return None


def cover_sheet(folder: Folder, today: dt.date) -> str:
    m = folder.measure
    so = signed_off(m)
    lines = [
        f"措施编号 Measure: {m.id}",
        f"问题 Problem: {m.problem}",
        f"整改措施 Text: {m.text}",
        f"责任单位 Unit: {m.unit}" + (f"（配合 {'、'.join(m.co_units)}）" if m.co_units else ""),
        f"完成时限 Deadline: {m.deadline_text or '—'} → {deadline_label(m)}",
        f"状态 Status: {status_label(m.status)}",
        f"销号 Signed off: {so[1]:%Y-%m-%d %H:%M} {so[0]}" if so else "销号 Signed off: —",
        f"佐证说明 Evidence note: {m.evidence.note or '—'}",
        f"制表日期 As of: {today.isoformat()}",
        "",
        "履历 History:",
    ]
    lines += [f"  {e.at:%Y-%m-%d %H:%M}  {e.action}  {e.actor}  {e.note}".rstrip() for e in m.history]
    lines += ["", "佐证材料 Files:"]
    lines += [f"  {rec['name']}  sha256={rec['sha256']}  {rec.get('size', 0)} B" for rec, _ in folder.files]
    lines += [
        f"  {rec['name']}  （尚未下载 not yet downloaded: {rec.get('error') or 'pending'}）" for rec in folder.missing
    ]
    if not folder.files and not folder.missing:
        lines.append("  —")
    return "\n".join(lines) + "\n"


def file_names(records: Sequence[dict[str, Any]]) -> list[str]:
    """Original names, made unique within a folder (a second 验收单.pdf becomes 验收单(2).pdf)."""
    seen: dict[str, int] = {}
    out = []
    for rec in records:
        name = str(rec["name"]) or "file"
        n = seen.get(name, 0) + 1
        seen[name] = n
        if n > 1:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem}({n}).{ext}" if dot and stem else f"{name}({n})"
        out.append(name)
    return out


def write_zip(folders: Sequence[Folder], today: dt.date, xlsx: bytes | None = None, xlsx_name: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for folder in folders:
            base = folder_name(folder.measure)
            z.writestr(f"{base}/{COVER}", cover_sheet(folder, today))
            names = file_names([rec for rec, _ in folder.files])
            for name, (_rec, data) in zip(names, folder.files):
                z.writestr(f"{base}/{name}", data)
        if xlsx is not None:
            z.writestr(xlsx_name or f"整改台账_{today:%Y%m%d}.xlsx", xlsx)
    return out.getvalue()
