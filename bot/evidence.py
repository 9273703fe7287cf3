"""The evidence archive (一案一档): chat files downloaded into var/evidence/, `/archive P2-1`.

A file a unit sends with its 完成 is recorded at once as pending (file id, original name), then
downloaded with getFile. A download that fails stays pending with its error and is tried again
at the next sweep (and at start-up), so nothing is lost silently; a restart or SIGKILL mid-download
loses only the temporary file, and the record is marked stored only once the file is in place.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from typing import TYPE_CHECKING, Any

from telegram import Message
from telegram.error import TelegramError

from bot import delivery
from bot.services import Services
from bot.turn import Turn, handler
from ledger import actions, archive
from ledger.filetypes import safe_display_name, sniff
from ledger.models import Measure

if TYPE_CHECKING:
    from ledger.policy import Policy
    from store import Repository

log = logging.getLogger(__name__)


def chat_files(message: Message) -> list[tuple[str, str, str]]:
    """(file id, unique id, original name) of a message's photo or document."""
    out = []
    if message.photo:
        p = message.photo[-1]
        out.append((p.file_id, p.file_unique_id, f"photo_{p.file_unique_id}.jpg"))
    if message.document:
        d = message.document
        out.append((d.file_id, d.file_unique_id, safe_display_name(d.file_name or f"file_{d.file_unique_id}")))
    return out


def record_chat_files(s: Services, m: Measure, message: Message | None, actor: str) -> int:
    """Note the message's files as pending downloads for the measure; how many are new."""
    if s.evidence is None or message is None:
        return 0
    known = {rec["ref"] for rec in s.repo.evidence_files()}
    n = 0
    for file_id, unique, name in chat_files(message):
        ref = f"tg:{unique}"
        if ref in known:
            continue
        s.repo.put_evidence_file(_record(s, m, ref, name, actor, source="chat", state="pending", file_id=file_id))
        n += 1
    return n


def _record(s: Services, m: Measure, ref: str, name: str, actor: str, **kw: Any) -> dict[str, Any]:
    base = {"ref": ref, "measure": m.id, "key": s.repo.key_of(m.id), "name": name, "by": actor}
    return {**base, "at": s.now().isoformat(), "attempts": 0, "error": "", "sha256": "", "path": "", **kw}


def add_upload(s: Services, m: Measure, name: str, data: bytes, ext: str, actor: str) -> dict[str, Any]:
    """A file uploaded on the web page, already checked: stored at once, recorded as stored."""
    assert s.evidence is not None
    rel, digest = s.evidence.save(s.repo.key_of(m.id), data, ext)
    rec = _record(s, m, f"web:{digest}", safe_display_name(name), actor, source="web", state="stored")
    rec.update(sha256=digest, path=rel, size=len(data))
    s.repo.put_evidence_file(rec)
    return rec


_RUNNING: set[asyncio.Task[tuple[int, int]]] = set()  # kept until done (the loop holds tasks only weakly)


def fetch_soon(s: Services) -> None:
    """Download the pending files beside the reply, not before it."""
    task = asyncio.get_running_loop().create_task(fetch_pending(s))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)


async def fetch_pending(s: Services) -> tuple[int, int]:
    """Download every pending chat file; (stored, still pending). Failures are kept for the next sweep."""
    if s.evidence is None or s.outbox is None:
        return 0, 0
    stored = failed = 0
    for rec in s.repo.evidence_files():
        if rec.get("state") != "pending":
            continue
        try:
            f = await s.outbox.bot.get_file(rec["file_id"])
            data = bytes(await f.download_as_bytearray())
        except (TelegramError, OSError) as e:
            failed += 1
            s.repo.put_evidence_file({**rec, "attempts": rec.get("attempts", 0) + 1, "error": str(e)[:200]})
            log.warning(
                "evidence %s of %s not downloaded yet (%s); retried at the next sweep", rec["name"], rec["measure"], e
            )
            continue
        ext = sniff(data, rec["name"]) or _ext_of(rec["name"])
        rel, digest = s.evidence.save(rec["key"], data, ext)
        s.repo.put_evidence_file(
            {**rec, "state": "stored", "path": rel, "sha256": digest, "size": len(data), "error": ""}
        )
        stored += 1
    return stored, failed


def _ext_of(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    return ext if ext[1:].isalnum() and 1 < len(ext) <= 6 else ".bin"


def folders(s: Services, measures: list[Measure]) -> list[archive.Folder]:
    """Each measure with its stored files read back, and the ones still pending listed."""
    assert s.evidence is not None
    out = []
    for m in measures:
        recs = s.repo.evidence_files(m.id)
        stored = tuple((r, s.evidence.read(r["path"])) for r in recs if r.get("state") == "stored")
        out.append(archive.Folder(m, stored, tuple(r for r in recs if r.get("state") != "stored")))
    return out


def package(s: Services, measures: list[Measure], today: dt.date, with_ledger: bool = True) -> bytes:
    """The zip: a folder per measure with its cover sheet, and the ledger XLSX (as `/export`)."""
    from ledger.reports import export_bytes

    xlsx = None
    if with_ledger:
        r = s.repo
        xlsx = export_bytes(".xlsx", r.measures(), r.problems(), r.report(), r.units(), today, s.policy.yellow_days)
    return archive.write_zip(folders(s, measures), today, xlsx)


def archive_package(
    repo: Repository,
    policy: Policy,
    now: dt.datetime,
    root: str,
    unit: str = "",
    done_only: bool = False,
    aliases: dict[str, str] | None = None,
) -> tuple[bytes, int]:
    """`run_bot.py archive`: the package for the unit's (or every) measure, signed off only with `done_only`."""
    from bot.services import Settings
    from store.evidence import EvidenceDir

    unit = actions.resolve_unit(repo, unit, aliases) if unit else ""
    s = Services(repo=repo, policy=policy, settings=Settings(), clock=lambda: now, evidence=EvidenceDir(root))
    measures = [
        m
        for m in repo.measures()
        if (not unit or unit in (m.unit, *m.co_units)) and (not done_only or m.status == "done")
    ]
    return package(s, measures, now.date()), len(measures)


@handler
async def archive_cmd(turn: Turn) -> None:
    """/archive P2-1 (admins): that measure's evidence files and cover sheet as one zip."""
    actions.require_admin(turn.actor)
    s = turn.s
    if not turn.args or s.evidence is None:
        await turn.reply(turn.t("usage_archive" if s.evidence is not None else "archive_off"))
        return
    m = s.repo.measure(turn.args.split()[0])
    await fetch_pending(s)
    data = package(s, [m], turn.now.date(), with_ledger=False)
    name = f"{archive.folder_name(m)}_{turn.now:%Y%m%d}.zip"
    n = len(s.repo.evidence_files(m.id))
    await delivery.send_file(s, turn.chat_id, data, name, turn.t("archive_caption", mid=m.id, n=n))
