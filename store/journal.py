"""A journaled TinyDB storage: each change appends the documents it changed, with one fsync.

Files: the snapshot `<store>` (the same single JSON file of tables as before, so an
existing store opens as it is) and the journal `<store>.journal` next to it. A
write appends one record and fsyncs; a batch (an import, a measure with its audit
events) is one record, so it is all-or-nothing. A record is

    length (4 bytes, little-endian) | crc32 of the payload (4 bytes) | payload

and the payload is `{"t": {table: {doc_id: document or null}}}` (null: removed).

Opening replays the journal onto the snapshot. A record cut short by a crash (too
short, bad checksum, or zeros a crash left at the end) is the one write that was
never acknowledged: it is truncated away. A bad record with more data after it is
not a crash but damage, and the store is refused.

Compaction writes the snapshot atomically (`store.storage.atomic_write`) and then
empties the journal. It runs when a store is opened with a non-empty journal and when
it is closed (`compact`, in the caller), and right after a write is acknowledged once
the journal passes `compact_bytes` or a quarter of the snapshot, whichever is larger:
a compaction costs as much as the snapshot, so this keeps its share of each write
bounded and the replay at start short. That one runs in the background
(`compact_in_background`): the journal is sealed (renamed `<store>.journal.sealed`) and a
new one started, the tables are serialized in the caller's thread (the state the sealed
journal ends at), and a worker thread writes and fsyncs the snapshot and removes the
sealed journal; it touches files only, never the tables, which stay on the one thread
that uses TinyDB. Opening replays snapshot, sealed journal, live journal. A crash
between any two steps is harmless: each record sets documents to their final values,
so replaying a journal onto a newer snapshot gives that snapshot again.

A write that fails (disk full, read-only folder) undoes the change in memory and
truncates the journal back, then raises `StoreWriteError`: memory and disk agree.
`JournaledStorage.fault` is the seam a test or the soak uses to make the disk fill up
(None in production; the storage never chooses a fault itself).

`before_flush` (set by the repository) may add changes to a write just before it is
made, in the same record: the durable inbox takes the update being handled out of the
inbox with the first change it caused (`store.chat_state`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import threading
import zlib
from collections.abc import Callable
from typing import Any

import orjson
from tinydb.storages import Storage

from ledger.errors import CorruptStore, StoreError, StoreWriteError
from store.lazytable import dump_tables
from store.storage import (
    Batching,
    Data,
    apply_docs,
    atomic_write,
    fsync_folder,
    load_snapshot,
    paused_gc,
    remove_stale_temp_files,
    write_failed,
)
from store.table import ABSENT, Before

HEADER = struct.Struct("<II")
COMPACT_BYTES = 16 * 1024 * 1024  # at least ~3 000 updates of a measure with history between compactions

log = logging.getLogger(__name__)


class MemoryJournalStorage(Batching, Storage):
    """Change tracking, batches (one record each) and rollback in memory; the twin tests run against."""

    def __init__(self) -> None:
        self._data: Data = {}
        self._pending: dict[str, dict[str, Any]] = {}  # table -> doc id -> document or ABSENT
        self._undo: dict[tuple[str, str], Any] = {}  # (table, doc id) -> first state in this write
        self._batch_depth = 0
        self.records: list[bytes] = []  # what a file would have received, one entry a record
        self.before_flush: Callable[[], None] | None = None

    # -- TinyDB's storage seam -------------------------------------------------
    def read(self) -> Data:
        return self._data

    def write(self, data: Data) -> None:
        """A whole-database write (TinyDB's `drop_tables`): every table counts as changed."""
        old = self._data
        for name in set(old) | set(data):
            before = {k: dict(v) for k, v in old.get(name, {}).items()}
            before.update({k: ABSENT for k in data.get(name, {}) if k not in before})
            self._note(name, before, data)
        self._data = data
        if not self._batch_depth:
            self._flush()

    def close(self) -> None:
        pass

    # -- per-document changes (store.table.TrackedTable) ------------------------
    def changed(self, table: str, before: Before) -> None:
        self._note(table, before, self._data)
        if not self._batch_depth:
            self._flush()

    def undo(self, table: str, before: Before) -> None:
        apply_docs(self._data, table, before, ABSENT)

    def _note(self, table: str, before: Before, data: Data) -> None:
        raw = data.get(table, {})
        pending = self._pending.setdefault(table, {})
        for key, first in before.items():
            now = raw.get(key, ABSENT)
            unchanged = (now is ABSENT and first is ABSENT) or (now is not ABSENT and now == first)
            if unchanged and key not in pending:
                continue
            pending[key] = now
            self._undo.setdefault((table, key), first)

    def _rollback(self) -> None:
        by_table: dict[str, Before] = {}
        for (table, key), first in self._undo.items():
            by_table.setdefault(table, {})[key] = first
        for table, before in by_table.items():
            self.undo(table, before)
        self._pending.clear()
        self._undo.clear()

    def _flush(self) -> None:
        if self._pending and self.before_flush is not None:
            self._batch_depth += 1  # its changes join this write
            try:
                self.before_flush()
            finally:
                self._batch_depth -= 1
        changes = {t: {k: (None if d is ABSENT else d) for k, d in docs.items()} for t, docs in self._pending.items()}
        changes = {t: docs for t, docs in changes.items() if docs}
        if changes:
            payload = orjson.dumps({"t": changes})
            try:
                self._append(HEADER.pack(len(payload), zlib.crc32(payload)) + payload)
            except BaseException:  # not on disk: not in memory either
                self._rollback()
                raise
        self._pending.clear()
        self._undo.clear()

    def _append(self, record: bytes) -> None:
        self.records.append(record)


def read_state(path: str) -> Data:
    """The snapshot with its journal segments replayed (a torn tail left out, as at a restart), read only.

    Beside a running bot: if a compaction replaced the snapshot or sealed the journal while the files
    were read (their identities before and after differ), they are read again."""
    real = os.path.realpath(path)
    for _ in range(20):
        before = _identities(real)
        with paused_gc():
            data = load_snapshot(real)
            if data is None:
                raise StoreError(f"没有数据文件：{path}。No store at {path}.")
            segments = [_read_file(real + SEALED), _read_file(real + ".journal")]
        if _identities(real) == before:
            break
    assert data is not None
    with paused_gc():
        for segment in segments:
            replay(data, segment, path)
    return data


SEALED = ".journal.sealed"  # the journal a background compaction is folding into the snapshot


def _identities(real: str) -> list[tuple[int, int, int] | None]:
    out: list[tuple[int, int, int] | None] = []
    for name in (real, real + SEALED, real + ".journal"):
        try:
            st = os.stat(name)
            out.append((st.st_ino, st.st_mtime_ns, st.st_size) if name == real else (st.st_ino, 0, 0))
        except FileNotFoundError:
            out.append(None)
    return out


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return b""
    except OSError as e:
        raise CorruptStore(f"数据日志无法读取：{path}（{e.strerror}）。") from e


def replay(data: Data, journal: bytes, path: str) -> tuple[int, int]:
    """Apply the journal's whole records to `data`; (records applied, bytes that hold them)."""
    pos = count = 0
    view = memoryview(journal)
    while pos < len(journal):
        length = 0
        torn = len(journal) - pos < HEADER.size
        if not torn:
            length, crc = HEADER.unpack_from(journal, pos)
            payload = view[pos + HEADER.size : pos + HEADER.size + length]
            torn = length == 0 or len(payload) < length or zlib.crc32(payload) != crc
        if torn:
            end = pos + HEADER.size + length
            if end < len(journal) and journal[end:].strip(b"\0"):
                raise CorruptStore(
                    f"数据日志在第 {pos} 字节处损坏：{path}.journal。The store journal is damaged at byte {pos}"
                    " with data after it (not a crash); restore the store from a backup."
                )
            break
        for table, docs in orjson.loads(payload)["t"].items():
            apply_docs(data, table, docs, None)
        pos += HEADER.size + length
        count += 1
    return count, pos


class JournaledStorage(MemoryJournalStorage):
    """The snapshot file plus an append-only journal of changed documents."""

    # Fault injection for tests and the soak: called as `fault("append")` with half of a record
    # written (a disk that fills up mid-write) and `fault("compact")` before a snapshot is
    # written; it raises OSError to fail that step. None in production.
    fault: Callable[[str], None] | None = None

    def __init__(
        self,
        path: str,
        fsync: bool = True,
        compact_bytes: int = COMPACT_BYTES,
        compact_share: float = 0.25,
        background: bool = True,
    ) -> None:
        super().__init__()
        self.path = os.path.realpath(path)  # a symlink writes (and locks) the real file
        self.journal_path = self.path + ".journal"
        self.sealed_path = self.path + SEALED
        self.fsync = fsync
        self.compact_bytes = compact_bytes
        self.compact_share = compact_share  # or this share of the snapshot, if that is more
        self.background = background  # past the threshold: compact_in_background (else compact)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        snapshot = load_snapshot(self.path, lazy=True)
        sealed = _read_file(self.sealed_path)  # a background compaction's, if a crash cut it short
        journal = _read_file(self.journal_path)
        if snapshot is None and (journal + sealed).strip(b"\0"):
            raise CorruptStore(
                f"数据文件缺失，但日志还在：{self.path}。The store {self.path} is missing but its journal"
                " is not; restore the store file rather than start an empty one."
            )
        self._data = snapshot if snapshot is not None else {}
        replay(self._data, sealed, self.path)  # older than the live journal: first
        count, good = replay(self._data, journal, self.path)
        self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._size = len(journal)
        self._snapshot_size = os.path.getsize(self.path) if snapshot is not None else 0
        self._broken = False
        self._worker: threading.Thread | None = None  # the background compaction writing the snapshot
        if snapshot is None or count or good < len(journal) or os.path.exists(self.sealed_path):
            try:
                self.compact()  # a new store gets its snapshot; a replayed journal is folded in
            except BaseException:
                self.close()
                raise

    def _append(self, record: bytes) -> None:
        if self._broken:
            raise write_failed(self.path, OSError(0, "an earlier failed write could not be undone; restart"))
        try:
            self._write_all(record)
            if self.fsync:
                self._sync()
        except OSError as e:
            try:  # the record, whole or half, must not replay later as if it had been acknowledged
                os.ftruncate(self._fd, self._size)
                if self.fsync:
                    os.fsync(self._fd)
            except OSError:
                self._broken = True
            raise write_failed(self.path, e) from e
        self._size += len(record)
        if self._size > max(self.compact_bytes, self._snapshot_size * self.compact_share):
            try:  # the write is safe in the journal already: whatever compaction meets, it stands
                self.compact_in_background() if self.background else self.compact()
            except Exception:  # disk full, no thread to start: the journal keeps it all
                log.exception("compaction of %s failed; the journal keeps every change, tried again later", self.path)

    def _write_all(self, record: bytes) -> None:
        view = memoryview(record)
        if self.fault is not None:
            view = view[os.write(self._fd, view[: len(view) // 2]) :]
            self.fault("append")
        while view:
            view = view[os.write(self._fd, view) :]

    def _sync(self) -> None:
        os.fdatasync(self._fd)

    def compact(self) -> None:
        """Write the snapshot atomically, then remove a sealed journal and empty the live one."""
        self.wait()  # a background compaction's snapshot is older than this one: it goes first
        try:
            if self.fault is not None:
                self.fault("compact")
            raw = dump_tables(self._data)  # one table a line; a table never loaded: its bytes as read
            atomic_write(self.path, raw, fsync=self.fsync)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.sealed_path)  # replaying it onto this snapshot would give this snapshot
            os.ftruncate(self._fd, 0)
            if self.fsync:
                os.fsync(self._fd)
                fsync_folder(os.path.dirname(self.path))
        except OSError as e:
            raise write_failed(self.path, e) from e
        self._size, self._snapshot_size = 0, len(raw)

    def compact_in_background(self) -> None:
        """Seal the journal and start a new one, then write the snapshot in a thread (the write and its
        fsyncs, 0.1-0.2 s at 40 MB, no longer hold up the event loop; serializing stays here: it is the
        state the sealed journal ends at, and the loop changes the tables meanwhile).

        A crash at any step loses nothing: opening replays the snapshot (old or new: it is replaced
        atomically), then the sealed journal, then the live one; each record sets documents to their
        values, so replaying the sealed one onto the new snapshot gives that snapshot again."""
        if self._worker is not None and self._worker.is_alive():
            return  # one at a time; the journal keeps every write meanwhile
        self.wait()
        if os.path.exists(self.sealed_path):  # an earlier one failed (disk full): fold everything here
            self.compact()
            return
        try:
            if self.fault is not None:
                self.fault("compact")
            raw = dump_tables(self._data)
            os.rename(self.journal_path, self.sealed_path)
            try:
                fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError:
                os.rename(self.sealed_path, self.journal_path)  # as it was
                raise
            os.close(self._fd)
            self._fd, self._size = fd, 0
            if self.fsync:
                fsync_folder(os.path.dirname(self.path))  # the new journal exists before a record goes in
        except OSError as e:
            raise write_failed(self.path, e) from e
        worker = threading.Thread(target=self._write_snapshot, args=(raw,), name="duban-compaction")
        worker.start()  # if it cannot start, the sealed journal is folded in by the next compaction
        self._worker = worker

    def _write_snapshot(self, raw: bytes) -> None:
        """In the worker thread: only files, never the tables."""
        try:
            atomic_write(self.path, raw, fsync=self.fsync)
            os.unlink(self.sealed_path)
            if self.fsync:
                fsync_folder(os.path.dirname(self.path))
            self._snapshot_size = len(raw)
        except OSError as e:  # the sealed journal stays, to be folded in by the next compaction
            log.error("background compaction of %s failed (%s); the sealed journal is kept", self.path, e.strerror)

    def wait(self) -> None:
        """Until a background compaction has finished."""
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    def close(self) -> None:
        """Fold the journal into the snapshot, so a cleanly closed store is one self-contained file."""
        if self._fd >= 0:
            self.wait()
            sealed = os.path.exists(self.sealed_path)
            if (self._size or sealed) and not self._broken and not self._pending:  # never an unfinished batch
                with contextlib.suppress(StoreWriteError):  # the journal still holds every change
                    self.compact()
            os.close(self._fd)
            self._fd = -1

    def remove_stale_temp_files(self) -> None:
        remove_stale_temp_files(self.path)
