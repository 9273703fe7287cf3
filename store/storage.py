"""Crash-safe TinyDB storage: the snapshot file, its checks, and the whole-file writer.

TinyDB's default `JSONStorage` truncates the file and rewrites it in place, so a
crash mid-write leaves a half-written file (TinyDB issues #91, #113, #176). Here a
whole-file write goes to a temporary file in the same folder, is fsynced, and
replaces the old file with `os.replace`, which is atomic on POSIX: a reader (or the
next start) sees either the old or the new file, never a mix.

`store.journal` builds on this: the snapshot is written this way when it is
compacted, and every change in between is appended to a journal. `AtomicJSONStorage`
(one whole-file rewrite per change) is kept as the baseline the bench compares with.

Only a missing file is a new store: an empty, `null` or unreadable file is refused
and never rewritten, so a damaged store cannot silently turn into an empty one.
"""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import orjson
from tinydb.storages import Storage

from ledger.errors import CorruptStore, StoreWriteError
from store.lazytable import split_tables

Data = dict[str, dict[str, Any]]
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".json"


def load_snapshot(path: str, *, lazy: bool = False) -> Data | None:
    """The tables in the snapshot file, None if there is no file; refuse anything else.

    With `lazy`, a snapshot written one table a line keeps its large tables unparsed until first
    used (`store.lazytable`); the running bot opens so, the CLI's snapshot readers parse it whole."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise CorruptStore(f"数据文件无法读取：{path}（{e.strerror}）。The store file {path} cannot be read.") from e
    if not raw.strip():
        raise CorruptStore(
            f"数据文件是空的：{path}。The store file {path} is empty; restore it from a backup"
            " (it is left untouched; delete it only to start a new, empty store)."
        )
    try:
        data = (split_tables(raw, path) if lazy else None) or orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise CorruptStore(f"数据文件已损坏：{path}。The store file {path} is not valid JSON ({e}).") from e
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptStore(
            f"数据文件内容不是台账：{path}。The store file {path} holds {type(data).__name__}, not the ledger's tables."
        )
    return data


def atomic_write(path: str, raw: bytes, *, fsync: bool = True) -> None:
    """Replace `path` by `raw` all at once: temp file, fsync, rename, fsync the folder."""
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync:
        fsync_folder(folder)


def fsync_folder(folder: str) -> None:
    dfd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def remove_stale_temp_files(path: str) -> None:
    """Temp files of writes cut short by a crash; only call while holding the store lock."""
    folder = os.path.dirname(path)
    for name in os.listdir(folder):
        if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Loading builds millions of small objects and no cycles: the collector only costs time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_failed(path: str, e: OSError) -> StoreWriteError:
    return StoreWriteError(
        f"无法写入数据文件 {path}（{e.strerror}），本次修改未保存。"
        f" Could not write the store {path} ({e.strerror}); this change was not saved and is undone."
    )


class Batching:
    """Writes inside `batch()` reach the disk together when the outermost batch ends, or not at all."""

    _batch_depth: int

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
        if self._batch_depth == 0:
            self._flush()

    def _flush(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError


def apply_docs(data: Data, table: str, docs: dict[str, Any], gone: object) -> None:
    """Set each document of `table` in `data` to its value; `gone` marks a removed one."""
    raw = data.setdefault(table, {})
    for key, doc in docs.items():
        if doc is gone:
            raw.pop(key, None)
        else:
            raw[key] = doc
    if not raw:
        del data[table]


class AtomicJSONStorage(Batching, Storage):
    """One whole-file rewrite per change (the bench's baseline), with batches and an in-memory copy."""

    def __init__(self, path: str, fsync: bool = True) -> None:
        self.path = os.path.realpath(path)
        self.fsync = fsync
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self._data: Data | None = load_snapshot(self.path)
        self._committed = orjson.dumps(self._data) if self._data is not None else None
        self._batch_depth = 0
        self._dirty = False

    def read(self) -> Data | None:
        return self._data

    def write(self, data: Data) -> None:
        self._data = data
        if self._batch_depth:
            self._dirty = True
            return
        self._flush()

    def _flush(self) -> None:
        if not self._dirty:
            return
        raw = orjson.dumps(self._data)
        try:
            atomic_write(self.path, raw, fsync=self.fsync)
        except OSError as e:
            self._rollback()
            raise write_failed(self.path, e) from e
        self._committed = raw
        self._dirty = False

    def _rollback(self) -> None:
        self._data = orjson.loads(self._committed) if self._committed else None
        self._dirty = False

    def remove_stale_temp_files(self) -> None:
        remove_stale_temp_files(self.path)


def append_lines(path: str, lines: list[bytes], *, fsync: bool = True) -> None:
    """Append JSON lines to an archive file and make them durable before anything relies on them."""
    new = not os.path.exists(path)
    with open(path, "ab") as f:
        f.write(b"".join(line + b"\n" for line in lines))
        f.flush()
        if fsync:
            os.fsync(f.fileno())
    if new and fsync:
        fsync_folder(os.path.dirname(path))


def read_lines(path: str) -> list[Any]:
    """The JSON lines of an archive file (none if there is no file; a torn last line is skipped)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return []
    out = []
    for line in raw.splitlines():
        with contextlib.suppress(orjson.JSONDecodeError):
            out.append(orjson.loads(line))
    return out
