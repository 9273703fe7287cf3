"""The journal keeps every acknowledged write, drops only a torn last record, and never lies.

A write appends one record (the documents that changed) with one fsync; a crash can only
cut the record being written, and opening the store drops exactly that record.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading

import pytest

from ledger.errors import StoreError, StoreWriteError
from ledger.models import Measure
from ledger.status import add_note
from store import Repository
from store.journal import HEADER, JournaledStorage, replay
from store.table import JournaledDB

AT = dt.datetime(2024, 4, 1, 9)


def _measure(i: int) -> Measure:
    m = Measure(id=f"P1-{i}", problem=1, text="一是" + "整改" * 20, unit="区教育局")
    return add_note(m, f"进展{i}", "tg:5", AT)


def _journal(path: str) -> bytes:
    with open(path + ".journal", "rb") as f:
        return f.read()


def _records(repo: Repository) -> int:
    storage = repo._db.storage
    if isinstance(storage, JournaledStorage):
        return replay({}, _journal(storage.path), storage.path)[0]
    return len(storage.records)  # type: ignore[attr-defined]  # the memory twin


def test_one_update_with_its_audit_event_is_one_journal_record(repo: Repository) -> None:
    repo.put_measure(Measure(id="P1-1", problem=1, text="a"))
    before = _records(repo)
    repo.put_measure(add_note(repo.measure("P1-1"), "进展", "tg:5", AT))
    assert _records(repo) == before + 1
    assert [e.action for e in repo.events()] == ["note"]


def test_an_import_is_one_record_or_nothing(repo: Repository) -> None:
    before = _records(repo)
    repo.put_measures([_measure(i) for i in range(1, 30)])
    assert _records(repo) == before + 1
    with pytest.raises(RuntimeError), repo.batch():
        repo.put_measures([_measure(i) for i in range(30, 40)])
        raise RuntimeError("row 12 is wrong")
    assert _records(repo) == before + 1
    assert len(repo.measures()) == 29 and len(repo.events()) == 29


def test_an_update_appends_only_the_changed_documents(file_repo: Repository, tmp_path) -> None:
    path = str(tmp_path / "s.json")
    file_repo.put_measures([_measure(i) for i in range(1, 51)])
    size = len(_journal(path))
    file_repo.put_measure(add_note(file_repo.measure("P1-7"), "再进展", "tg:5", AT))
    record = _journal(path)[size:]
    length, _ = HEADER.unpack_from(record)
    assert len(record) == HEADER.size + length
    assert b"P1-7" in record and b"P1-8" not in record  # one measure and its event, not the ledger


def test_the_journal_is_replayed_after_a_crash_and_folded_in_at_open(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    for i in range(1, 4):
        r.put_measure(_measure(i))
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(path, copy / "s.json")  # the files as a crash would leave them: no compaction at close
    shutil.copy(path + ".journal", copy / "s.json.journal")
    r.close()
    reopened = Repository.open(str(copy / "s.json"))
    assert [m.id for m in reopened.measures()] == ["P1-1", "P1-2", "P1-3"]
    assert len(reopened.events()) == 3
    assert _journal(str(copy / "s.json")) == b""  # compacted into the snapshot
    reopened.close()


def test_a_journal_cut_at_every_byte_of_its_last_record_opens_with_the_acknowledged_writes(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path, fsync=False)
    r.put_measure(_measure(1))
    r.put_measure(_measure(2))
    acked_two = len(_journal(path))
    r.put_measure(_measure(3))
    journal, snapshot = _journal(path), (tmp_path / "s.json").read_bytes()
    r._db.storage._size = 0  # type: ignore[attr-defined]  # leave the files as a crash would
    r.close()
    case = str(tmp_path / "cut.json")
    for cut in range(acked_two, len(journal) + 1):
        with open(case, "wb") as f:
            f.write(snapshot)
        with open(case + ".journal", "wb") as f:
            f.write(journal[:cut])
        got = Repository.open(case, lock=False, fsync=False)
        want = ["P1-1", "P1-2", "P1-3"] if cut == len(journal) else ["P1-1", "P1-2"]
        assert [m.id for m in got.measures()] == want, f"cut at byte {cut}"
        assert len(got.events()) == len(want), f"cut at byte {cut}"
        got.close()
        assert _journal(case) == b""  # the torn tail is gone, never replayed later


def test_zeros_a_crash_left_after_the_last_record_are_dropped(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    r.put_measure(_measure(1))
    with open(path + ".journal", "ab") as f:
        f.write(b"\0" * 4096)
    r._db.storage._size = 0  # type: ignore[attr-defined]
    r.close()
    again = Repository.open(path)
    assert [m.id for m in again.measures()] == ["P1-1"]
    again.close()


def test_a_damaged_record_with_data_after_it_is_refused_not_dropped(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    r.put_measure(_measure(1))
    r.put_measure(_measure(2))
    journal = bytearray(_journal(path))
    journal[HEADER.size + 5] ^= 0xFF  # inside the first record's payload
    r._db.storage._size = 0  # type: ignore[attr-defined]
    r.close()
    with open(path + ".journal", "wb") as f:
        f.write(journal)
    with pytest.raises(StoreError, match="damaged"):
        Repository.open(path)
    assert _journal(path) == bytes(journal)  # left as it was, for whoever restores it


class FailingStorage(JournaledStorage):
    """A disk that fills up: the record is half written, then the write fails."""

    fail: OSError | None = None

    def _write_all(self, record: bytes) -> None:
        if self.fail is None:
            super()._write_all(record)
            return
        super()._write_all(record[: len(record) // 2])
        raise self.fail


@pytest.mark.parametrize(
    "error", [OSError(28, "No space left on device"), OSError(30, "Read-only file system")], ids=["enospc", "erofs"]
)
def test_a_failed_write_is_undone_in_memory_and_never_replayed(tmp_path, error: OSError) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository(JournaledDB(path, storage=FailingStorage))
    repo.put_measure(_measure(1))
    storage: FailingStorage = repo._db.storage  # type: ignore[assignment]
    storage.fail = error
    with pytest.raises(StoreWriteError, match="not saved"):
        repo.put_measure(add_note(repo.measure("P1-1"), "不会保存", "tg:5", AT))
    with pytest.raises(StoreWriteError):
        repo.put_measure(_measure(2))
    with pytest.raises(StoreWriteError):
        repo.record_sent("P1-1|green|2024-08-31|0", "P1-1", "green", AT)
    assert [n.note for n in repo.measure("P1-1").history] == ["进展1"]
    assert not repo.has_measure("P1-2") and not repo.sent_keys()
    assert len(repo.events()) == 1
    storage.fail = None
    repo.put_measure(_measure(3))  # the store goes on working
    storage._size = 0  # keep the journal as a crash would
    repo.close()
    again = Repository.open(path)
    assert [m.id for m in again.measures()] == ["P1-1", "P1-3"]
    assert [n.note for n in again.measure("P1-1").history] == ["进展1"]
    again.close()


def test_a_failed_compaction_keeps_the_acknowledged_write(tmp_path, monkeypatch) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path, compact_bytes=1)
    import store.journal

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.journal, "atomic_write", disk_full)
    repo.put_measure(_measure(1))  # acknowledged: it is in the journal
    monkeypatch.undo()
    repo._db.storage._size = 0  # type: ignore[attr-defined]
    repo.close()
    again = Repository.open(path)
    assert again.has_measure("P1-1")
    again.close()


def test_compaction_past_the_size_empties_the_journal(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path, compact_bytes=2_000)
    for i in range(1, 21):
        repo.put_measure(_measure(i))
        repo._db.storage.wait()  # type: ignore[attr-defined]  # (past the size, a write does not wait for one in flight)
        assert len(_journal(path)) <= max(2_000, os.path.getsize(path) // 4)  # or a quarter of the snapshot
    repo.close()
    assert os.path.getsize(path + ".journal") == 0
    again = Repository.open(path)
    assert len(again.measures()) == 20
    again.close()


def test_a_failed_write_that_cannot_be_cut_back_refuses_every_later_write(tmp_path, monkeypatch) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository(JournaledDB(path, storage=FailingStorage))
    storage: FailingStorage = repo._db.storage  # type: ignore[assignment]
    storage.fail = OSError(5, "Input/output error")

    def cannot(*args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "ftruncate", cannot)
    with pytest.raises(StoreWriteError):
        repo.put_measure(_measure(1))
    monkeypatch.undo()
    storage.fail = None
    with pytest.raises(StoreWriteError, match="restart"):
        repo.put_measure(_measure(2))  # the journal may hold half a record: nothing more goes after it
    assert not repo.has_measure("P1-1") and not repo.has_measure("P1-2")
    repo.close()
    again = Repository.open(path)  # the half record is a torn tail: dropped
    assert again.measures() == []
    again.close()


def test_a_background_compaction_writes_the_snapshot_while_writes_go_on(tmp_path, monkeypatch) -> None:
    """Past the size the journal is sealed and a new one started at once; the snapshot is written by a
    worker thread (here held back until the test lets it go) while later writes reach the new journal."""
    import threading

    import store.journal

    path = str(tmp_path / "s.json")
    repo = Repository.open(path, compact_bytes=2_000)
    release, writing = threading.Event(), threading.Event()
    real_write = store.journal.atomic_write

    def slow_write(*args: object, **kwargs: object) -> None:
        writing.set()
        assert release.wait(30)
        real_write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.journal, "atomic_write", slow_write)
    i = 0
    while not writing.is_set():  # until a write passes the size and the worker starts
        i += 1
        repo.put_measure(_measure(i))
    assert os.path.exists(path + ".journal.sealed")
    assert threading.current_thread() is threading.main_thread()
    repo.put_measure(_measure(i + 1))  # not held up by the snapshot being written
    assert len(_journal(path)) > 0 and os.path.getsize(path + ".journal.sealed") > 0
    during = Repository.snapshot(path)  # the CLI beside the bot: snapshot, sealed and live journal
    assert during.measure_count() == i + 1
    release.set()
    repo._db.storage.wait()  # type: ignore[attr-defined]
    assert not os.path.exists(path + ".journal.sealed")
    monkeypatch.undo()
    repo.close()
    again = Repository.open(path)
    assert again.measure_count() == i + 1
    again.close()


def test_a_failed_background_compaction_is_folded_in_by_the_next_one(tmp_path, monkeypatch) -> None:
    import store.journal

    path = str(tmp_path / "s.json")
    repo = Repository.open(path, compact_bytes=2_000)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.journal, "atomic_write", disk_full)
    i = 0
    while not os.path.exists(path + ".journal.sealed"):
        i += 1
        repo.put_measure(_measure(i))
    repo._db.storage.wait()  # type: ignore[attr-defined]
    assert os.path.exists(path + ".journal.sealed")  # the worker failed: the sealed journal stays
    monkeypatch.undo()
    while os.path.exists(path + ".journal.sealed"):  # the next compaction folds everything, at once
        i += 1
        repo.put_measure(_measure(i))
    repo.close()
    again = Repository.open(path)
    assert again.measure_count() == i
    again.close()


def test_a_compaction_that_cannot_start_its_thread_keeps_the_write(tmp_path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """A write is acknowledged once its record is in the journal: whatever the compaction it triggers
    meets (no thread can be started), the write stands, survives a restart, and the store closes."""
    path = str(tmp_path / "s.json")
    db = JournaledDB(path, storage=JournaledStorage, fsync=False, compact_bytes=1000)
    t = db.table("x")
    t.insert({"i": 0, "pad": "y" * 600})

    def cannot_start(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", cannot_start)
    t.insert({"i": 1, "pad": "y" * 600})  # passes the threshold: a background compaction is due
    monkeypatch.undo()
    assert len(db.table("x")) == 2
    assert "compaction" in caplog.text  # said in the log, not swallowed
    t.insert({"i": 2, "pad": "y" * 600})  # the next compaction folds the sealed journal in
    db.close()
    again = JournaledDB(path, storage=JournaledStorage, fsync=False)
    assert sorted(d["i"] for d in again.table("x")) == [0, 1, 2]
    again.close()
