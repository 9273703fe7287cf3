"""Crash-safe TinyDB storage.

TinyDB's default `JSONStorage` truncates the file and rewrites it in place, so a
crash mid-write leaves a half-written file (TinyDB issues #91, #113, #176). Here
every write goes to a temporary file in the same folder, is fsynced, and replaces
the old file with `os.replace`, which is atomic on POSIX: a reader (or the next
start) sees either the old or the new file, never a mix.

The data is also kept in memory: one process owns the store (see `store.lock`),
so reading the file again on every query would only cost time.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import orjson
from tinydb.storages import Storage

Data = dict[str, dict[str, Any]]


class _BatchingStorage(Storage):
    """Writes inside `batch()` reach the backing store together when it ends, or not at all."""

    _data: Data | None
    _batch_depth: int
    _dirty: bool

    def read(self) -> Data | None:
        return self._data

    def write(self, data: Data) -> None:
        self._data = data
        if self._batch_depth:
            self._dirty = True
            return
        self._flush()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group writes into one write; on an exception nothing is written."""
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if self._batch_depth == 0:
                self._rollback()
            raise
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._dirty:
            self._flush()

    def _flush(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError


class AtomicJSONStorage(_BatchingStorage):
    """JSON file written by temp file + fsync + rename, with an in-memory copy."""

    def __init__(self, path: str, fsync: bool = True) -> None:
        self.path = os.path.abspath(path)
        self.fsync = fsync
        self._data: Data | None = None
        self._committed: bytes | None = None
        self._batch_depth = 0
        self._dirty = False
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        if os.path.exists(self.path):
            with open(self.path, "rb") as f:
                raw = f.read()
            self._committed = raw
            self._data = orjson.loads(raw) if raw.strip() else None

    def _flush(self) -> None:
        raw = orjson.dumps(self._data)
        folder = os.path.dirname(self.path)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                if self.fsync:
                    os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if self.fsync:
            dfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        self._committed = raw
        self._dirty = False

    def _rollback(self) -> None:
        self._data = orjson.loads(self._committed) if self._committed else None
        self._dirty = False

    def close(self) -> None:
        pass

    def remove_stale_temp_files(self) -> None:
        """Temp files of writes cut short by a crash; only call while holding the store lock."""
        folder = os.path.dirname(self.path)
        for name in os.listdir(folder):
            if name.startswith(".tmp-") and name.endswith(".json"):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


class MemoryBatchStorage(_BatchingStorage):
    """In-memory twin of `AtomicJSONStorage` for tests, with the same batch semantics."""

    def __init__(self) -> None:
        self._data = None
        self._committed: bytes | None = None
        self._batch_depth = 0
        self._dirty = False

    def _flush(self) -> None:
        self._committed = orjson.dumps(self._data)
        self._dirty = False

    def _rollback(self) -> None:
        self._data = orjson.loads(self._committed) if self._committed else None
        self._dirty = False
