"""The evidence archive (一案一档): chat files downloaded with getFile into var/evidence/, a failed
download kept and retried (across a restart and a SIGKILL), `/archive P2-1` and `run_bot.py archive`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import textwrap
import zipfile

from bot.evidence import fetch_pending
from bot.sweeping import sweep
from ledger import actions
from ledger.models import Evidence
from ledger.reports import export_bytes
from ledger.service import import_file
from store import Repository
from store.evidence import EvidenceDir
from tests.conftest import ROOT, SEED
from tests.harness import ADMIN, Bot
from tests.test_bot_units import EDU, bind

PDF = b"%PDF-1.4\n% the acceptance sheet\n%%EOF\n"


async def report_done_with(bot: Bot, tmp_path, **file) -> None:  # type: ignore[no-untyped-def]
    bot.s.evidence = EvidenceDir(str(tmp_path / "evidence"))
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    answer = await bot.say(EDU, "完成 已更换，附验收单", reply_to=reminder.message_id, **file)
    assert "已提交措施 P24-4" in answer.text


async def test_a_document_sent_in_chat_is_archived_with_its_name_and_hash(bot: Bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await report_done_with(bot, tmp_path, document=("验收单.pdf", PDF))
    await fetch_pending(bot.s)  # the background download, or this one: the same file either way
    [rec] = bot.repo.evidence_files("P24-4")
    digest = hashlib.sha256(PDF).hexdigest()
    assert (rec["state"], rec["name"], rec["sha256"], rec["source"]) == ("stored", "验收单.pdf", digest, "chat")
    assert (tmp_path / "evidence" / rec["path"]).read_bytes() == PDF
    assert rec["path"] == f"{bot.repo.key_of('P24-4')}/{digest}.pdf"
    answer = await bot.say(ADMIN, "/archive P24-4")
    assert answer.kind == "document" and answer.file_name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(answer.file_bytes)) as z:
        assert z.read("P24-4/验收单.pdf") == PDF
        cover = z.read("P24-4/封面.txt").decode()
    assert "区教育局" in cover and "2024-08-31" in cover and f"sha256={digest}" in cover and "submit" in cover
    assert "仅限" in (await bot.say(EDU, "/archive P24-4")).text


async def test_a_failed_download_is_kept_and_retried_after_a_restart(bot: Bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await report_done_with(bot, tmp_path, photo=True)  # the emulator has no bytes for this photo yet
    stored, failed = await fetch_pending(bot.s)
    assert (stored, failed) == (0, 1)
    [rec] = bot.repo.evidence_files("P24-4")
    assert rec["state"] == "pending" and rec["attempts"] >= 1 and "invalid file_id" in rec["error"].lower()
    # what a restart reads back from the store file: the pending record, with its error
    again = Repository.open(str(tmp_path / "duban.json"), lock=False)
    assert [r["state"] for r in again.evidence_files("P24-4")] == ["pending"]
    again.close()
    bot.emu._files[rec["file_id"]] = ("photos/p.jpg", b"\xff\xd8\xff\xe0 a jpeg")
    assert await fetch_pending(bot.s) == (1, 0)
    [rec] = bot.repo.evidence_files("P24-4")
    assert rec["state"] == "stored" and rec["path"].endswith(".jpg") and rec["error"] == ""


def test_sigkill_mid_write_leaves_a_pending_record_and_no_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A writer killed between writing the bytes and renaming them into place: the store still says
    pending, no half file is under its final name, and the start-up sweep removes the temporary file."""
    store, root = tmp_path / "duban.json", tmp_path / "evidence"
    child = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {ROOT!r})
        from store import Repository
        from store.evidence import EvidenceDir
        repo = Repository.open({str(store)!r})
        repo.put_evidence_file({{"ref": "tg:u1", "measure": "P24-4", "key": "k1", "name": "a.pdf", "state": "pending",
                                 "file_id": "f1", "attempts": 0, "error": "", "sha256": "", "path": ""}})
        os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # killed just before the rename
        EvidenceDir({str(root)!r}).save("k1", b"%PDF-1.4 partial", ".pdf")
    """)
    r = subprocess.run([sys.executable, "-c", child], capture_output=True, timeout=60)
    assert r.returncode == -9, r.stderr
    repo = Repository.open(str(store))
    assert [x["state"] for x in repo.evidence_files()] == ["pending"]
    repo.close()
    names = os.listdir(root / "k1")
    assert len(names) == 1 and names[0].startswith(".part-")
    assert EvidenceDir(str(root)).remove_partial() == 1 and os.listdir(root / "k1") == []


def test_archive_command_writes_a_folder_per_measure_and_the_ledger(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import run_bot

    at = dt.datetime(2024, 9, 2, 10, 0)
    repo = Repository.open(str(tmp_path / "var" / "duban.json"))
    import_file(repo, SEED, at, "test")
    office = actions.Actor(user_id=ADMIN, chat_id=ADMIN, is_admin=True)
    evidence = EvidenceDir(str(tmp_path / "var" / "evidence"))
    rel, digest = evidence.save(repo.key_of("P24-4"), PDF, ".pdf")
    repo.put_evidence_file(
        {"ref": f"web:{digest}", "measure": "P24-4", "key": repo.key_of("P24-4"), "name": "验收单.pdf"}
        | {"state": "stored", "path": rel, "sha256": digest, "size": len(PDF), "source": "web"}
    )
    actions.submit(repo, office, "P24-4", Evidence("已更换", (f"web:{digest}",)), at)
    actions.approve_signoff(repo, office, "P24-4", at + dt.timedelta(hours=1))
    repo.close()
    cfg = tmp_path / "config.toml"
    cfg.write_text('[store]\npath = "var/duban.json"\n', encoding="utf-8")
    out = tmp_path / "package.zip"
    argv = ["--config", str(cfg), "archive", str(out), "--done", "--unit", "教育局", "--at", "2024-09-03T09:00"]
    assert run_bot.main(argv) == 0
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        cover = z.read("P24-4/封面.txt").decode()
        assert z.read("P24-4/验收单.pdf") == PDF
        xlsx = z.read("整改台账_20240903.xlsx")
    assert [n.split("/")[0] for n in names if n.endswith("封面.txt")] == ["P24-4"]  # only 区教育局's signed-off one
    assert f"销号 Signed off: 2024-09-02 11:00 tg:{ADMIN}" in cover and "区教育局" in cover
    repo = Repository.open(str(tmp_path / "var" / "duban.json"))
    r = repo
    same = export_bytes(".xlsx", r.measures(), r.problems(), r.report(), r.units(), dt.date(2024, 9, 3), 10)
    repo.close()
    assert xlsx == same
