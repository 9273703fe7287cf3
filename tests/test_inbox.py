"""The durable inbox: updates Telegram handed over are handled after a crash, once each."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.app import build_application
from bot.services import Services, Settings
from devtools.emulator import Emulator
from ledger.actions import Actor, create_invite, redeem_invite
from ledger.policy import Policy
from store import Repository
from tests.conftest import load_seed
from tests.harness import ADMIN, TZ, running_bot

EDU = 501
NOW = dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)


def seeded_store(path: str) -> Repository:
    repo = Repository.open(path)
    load_seed(repo)
    inv = create_invite(repo, Actor(ADMIN, ADMIN, is_admin=True), "区教育局", NOW)
    redeem_invite(repo, inv["code"], EDU, EDU, "王老师", NOW)
    return repo


async def fetch_and_crash(repo: Repository, emu: Emulator) -> int:
    """A bot fetches what is waiting, then dies before handling any of it."""
    services = Services(repo, Policy(), Settings(admins=frozenset({ADMIN})), clock=lambda: NOW)
    app = build_application(services, emu.token, emu.base_url, emu.base_file_url, job_queue=False)
    await app.bot.initialize()
    try:
        return len(await app.bot.get_updates(timeout=0))
    finally:
        await app.bot.shutdown()


async def test_notes_fetched_before_a_crash_are_handled_after_the_restart_once_each(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = seeded_store(path)
    emu = Emulator()
    await emu.start()
    for i in range(20):
        emu.user_sends(EDU, f"/note P24-4 进展第{i}条")
    try:
        assert await fetch_and_crash(repo, emu) == 20
    finally:
        await emu.stop()
    repo.close()  # the process is gone; Telegram has confirmed nothing, or everything: neither matters

    repo = Repository.open(path)
    async for bot in running_bot(repo, NOW + dt.timedelta(minutes=1)):
        await bot.emu.wait_for(lambda: len([m for m in bot.emu.bot_messages(EDU) if "已记录" in m.text]) == 20)
        notes = [e.note for e in bot.repo.measure("P24-4").history if e.action == "note"]
        assert sorted(notes) == sorted(f"进展第{i}条" for i in range(20))  # all twenty, none twice
        await bot.emu.wait_for(lambda: not bot.repo.inbox_pending())  # each marked handled
    repo.close()


async def test_a_batch_telegram_sends_again_is_not_handled_twice(tmp_path) -> None:
    repo = seeded_store(str(tmp_path / "s.json"))
    emu = Emulator()
    await emu.start()
    try:
        for i in range(3):
            emu.user_sends(EDU, f"/note P24-4 第{i}条")
        assert await fetch_and_crash(repo, emu) == 3  # kept, but the offset was never confirmed
        assert await fetch_and_crash(repo, emu) == 0  # Telegram sends them again: dropped, and confirmed
        emu.user_sends(EDU, "/note P24-4 新的一条")
        assert await fetch_and_crash(repo, emu) == 1  # what is new still comes through
    finally:
        await emu.stop()
    assert len(repo.inbox_pending()) == 4
    repo.close()


def _note_update(update_id: int, text: str) -> dict[str, object]:
    chat, person = {"id": EDU, "type": "private"}, {"id": EDU, "is_bot": False, "first_name": "王"}
    command = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    message = {"message_id": 1, "date": 0, "chat": chat, "from": person, "text": text, "entities": command}
    return {"update_id": update_id, "message": message}


async def test_a_crash_between_a_notes_change_and_its_answer_applies_it_once_and_answers_it(tmp_path) -> None:
    """The first change an update makes marks it applied in the same write: a crash after the note
    reached the disk must not replay the /note (it would be recorded twice), only answer it."""
    from ledger.actions import add_note
    from store.journal import read_state

    path = str(tmp_path / "s.json")
    repo = seeded_store(path)
    repo.inbox_add([_note_update(7, "/note P24-4 一条"), _note_update(8, "/note P24-4 第二条")])
    with repo.handling(7):
        add_note(repo, Actor(EDU, EDU, False), "P24-4", "一条", NOW)
    after = read_state(path)  # as a process killed right now would find the store
    assert [(d["id"], bool(d.get("applied"))) for d in after["inbox"].values()] == [(7, True), (8, False)]
    repo._db.storage._size = 0  # type: ignore[attr-defined]  # the crash: no tidy close
    repo.close()

    repo = Repository.open(path)
    async for bot in running_bot(repo, NOW + dt.timedelta(minutes=1)):
        await bot.emu.wait_for(lambda: any("已记录" in m.text for m in bot.emu.bot_messages(EDU)))
        texts = [m.text for m in bot.emu.bot_messages(EDU)]
        assert any("重启前收到的消息已处理" in x and "/note P24-4 一条" in x for x in texts)
        notes = [e.note for e in bot.repo.measure("P24-4").history if e.action == "note"]
        assert sorted(notes) == ["一条", "第二条"]  # the first once, the second handled after the restart
        await bot.emu.wait_for(lambda: not bot.repo.inbox_pending() and not bot.repo.inbox_applied())
    repo.close()


def test_a_change_the_disk_refused_leaves_its_update_in_the_inbox(tmp_path) -> None:
    import errno

    import pytest

    from ledger.actions import add_note
    from ledger.errors import StoreWriteError
    from store.journal import JournaledStorage

    repo = seeded_store(str(tmp_path / "s.json"))
    repo.inbox_add([_note_update(7, "/note P24-4 一条")])

    def disk_full(step: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    JournaledStorage.fault = staticmethod(disk_full)  # type: ignore[assignment]
    try:
        with repo.handling(7), pytest.raises(StoreWriteError):
            add_note(repo, Actor(EDU, EDU, False), "P24-4", "一条", NOW)
    finally:
        JournaledStorage.fault = None
    assert [u["update_id"] for u in repo.inbox_pending()] == [7]  # undone together: handled again later
    assert not [e for e in repo.measure("P24-4").history if e.note == "一条"]
    JournaledStorage.fault = staticmethod(disk_full)  # type: ignore[assignment]
    try:
        repo.inbox_done(7)  # the person was told 出错了; the disk still refuses the done mark
    finally:
        JournaledStorage.fault = None
    assert repo.inbox_pending()
    repo.set_pref(EDU, "lang", "zh")  # the next write that succeeds takes it out
    assert not repo.inbox_pending()
    repo.close()


def test_a_done_mark_the_disk_refused_is_written_at_a_clean_stop(tmp_path) -> None:
    import errno

    from store.journal import JournaledStorage

    path = str(tmp_path / "s.json")
    repo = seeded_store(path)
    repo.inbox_add([_note_update(7, "/note P24-4 一条")])

    def disk_full(step: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    JournaledStorage.fault = staticmethod(disk_full)  # type: ignore[assignment]
    try:
        repo.inbox_done(7)  # the person was told the change was not saved
    finally:
        JournaledStorage.fault = None
    repo.close()  # no write in between: the stop writes it, so a restart does not apply it after all
    repo = Repository.open(path)
    assert not repo.inbox_pending()
    repo.close()


async def test_an_answer_is_marked_applied_in_the_same_write_as_the_note_it_records(tmp_path) -> None:
    """Clearing the waiting question used to be the answer's first write: a crash right after it
    marked the update applied with the note never recorded (the restart would only say 'handled')."""
    import orjson

    from bot.acts import Ask, Question
    from store.journal import HEADER

    path = str(tmp_path / "s.json")
    repo = seeded_store(path)
    repo.set_pref(EDU, "await", Question(Ask.NOTE, "P24-4", "", NOW.isoformat(), EDU).dump())
    async for bot in running_bot(repo, NOW + dt.timedelta(minutes=1)):
        answer = await bot.say(EDU, "进展一条")
        assert "已记录" in answer.text
        journal = open(path + ".journal", "rb").read()
        records, pos = [], 0
        while pos < len(journal):
            length, _ = HEADER.unpack_from(journal, pos)
            records.append(orjson.loads(journal[pos + HEADER.size : pos + HEADER.size + length])["t"])
            pos += HEADER.size + length
        marked = [r for r in records if any(d and d.get("applied") for d in r.get("inbox", {}).values())]
        assert len(marked) == 1 and "measures" in marked[0]  # the mark rides on the note's own write
        for _ in range(1000):  # the handler clears it once its reply is out (no wall time passes)
            if not bot.repo.pref(EDU, "await"):
                break
            await asyncio.sleep(0)
        assert not bot.repo.pref(EDU, "await")  # and the question is gone after
    repo.close()
