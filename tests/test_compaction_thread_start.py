"""A write is acknowledged once its record is in the journal; whatever the compaction it triggers
then meets (here: no thread can be started, as when the process is out of threads or memory), the
write stands, is still there after a restart, and the store closes cleanly."""

from __future__ import annotations

import threading

import pytest

from store.journal import JournaledStorage
from store.table import JournaledDB


def test_a_compaction_that_cannot_start_its_thread_keeps_the_write(tmp_path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
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


@pytest.mark.parametrize("background", [True, False])
def test_compaction_failing_on_a_full_disk_keeps_every_write(tmp_path, monkeypatch, background: bool) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "s.json")
    db = JournaledDB(path, storage=JournaledStorage, fsync=False, compact_bytes=1000)
    storage = db.storage
    assert isinstance(storage, JournaledStorage)
    storage.background = background
    t = db.table("x")
    t.insert({"i": 0, "pad": "y" * 600})

    def full(step: str) -> None:
        if step == "compact":
            raise OSError(28, "No space left on device")

    storage.fault = full
    t.insert({"i": 1, "pad": "y" * 600})
    storage.fault = None
    db.close()
    again = JournaledDB(path, storage=JournaledStorage, fsync=False)
    assert sorted(d["i"] for d in again.table("x")) == [0, 1]
    again.close()
