"""The snapshot one table a line, and its large tables parsed when first used.

The snapshot is still one JSON object of tables, written as

    {
    "_meta":{...},
    "measures":{...},
    ...
    }

(orjson writes no newline of its own: inside strings it is escaped), so any JSON reader reads it as
before, and a store written in one line opens as it is (parsed whole; its next compaction writes
it in lines). Opening parses the small tables and keeps each large one (the measures, the audit
log: 0.5 s of a 50 000-measure launch) as its bytes in a `LazyTable`, a dict that parses itself on
its first use of any kind. A compaction writes the bytes of a table never used as they are.

What a LazyTable guarantees: every dict method, every operator and `iter`/`len`/`in` loads it
first, so TinyDB and the storage see a plain dict. What it cannot stop is C code reading a dict
subclass's storage directly (orjson.dumps does): only `dump_tables` serializes the tables, and it
writes an unloaded table's bytes. A table damaged inside its line is found when it is loaded (a
CorruptStore then), not at open; the structure of every line is checked at open.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from typing import Any

import orjson

from ledger.errors import CorruptStore

LAZY_BYTES = 256 * 1024  # a table this large waits until it is used
_LOADS = [  # every dict method and operator that reads or changes the documents
    *("__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__len__", "__reversed__"),
    *("__eq__", "__ne__", "__repr__", "__or__", "__ror__", "__ior__", "__sizeof__", "__reduce__", "__reduce_ex__"),
    *("get", "setdefault", "pop", "popitem", "keys", "items", "values", "update", "clear", "copy"),
]


class LazyTable(dict[str, Any]):
    """A stored table kept as its JSON bytes until it is first used; then a plain dict of documents."""

    def __init__(self, raw: bytes | memoryview, path: str, name: str) -> None:
        super().__init__()
        self.raw: bytes | memoryview | None = raw  # None once loaded
        self._where = (path, name)

    def load(self) -> None:
        raw = self.raw
        if raw is None:
            return
        was_enabled = gc.isenabled()
        gc.disable()  # like opening: many objects, no cycles, kept (see store.storage.paused_gc)
        try:
            docs = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            path, name = self._where
            raise CorruptStore(
                f"数据文件已损坏：{path}（{name}）。The store file {path} is damaged in {name} ({e})."
            ) from e
        finally:
            if was_enabled:
                gc.enable()
        if not isinstance(docs, dict):
            raise CorruptStore(f"数据文件内容不是台账：{self._where[0]}。Table {self._where[1]} is not a table.")
        dict.update(self, docs)
        self.raw = None
        gc.freeze()

    def nonempty(self) -> bool:
        """Whether it holds a document, without loading it."""
        return self.raw != b"{}" if self.raw is not None else dict.__len__(self) > 0


def _loading(name: str) -> Any:
    plain = getattr(dict, name)

    def method(self: LazyTable, *args: Any, **kwargs: Any) -> Any:
        if self.raw is not None:
            self.load()
        return plain(self, *args, **kwargs)

    method.__name__ = name
    return method


for _name in _LOADS:
    setattr(LazyTable, _name, _loading(_name))
LazyTable.__hash__ = None  # a dict: unhashable, as before


def has_documents(tables: Mapping[str, Any] | None, name: str) -> bool:
    """Whether the table holds a document, without loading a lazy one."""
    table = (tables or {}).get(name)
    if isinstance(table, LazyTable):
        return table.nonempty()
    return bool(table)


def dump_tables(data: Mapping[str, Any]) -> bytes:
    """The snapshot's bytes: one table a line; a table never loaded is written as it was read."""
    if not data:
        return b"{}"
    lines = []
    for name, table in data.items():
        body = table.raw if isinstance(table, LazyTable) and table.raw is not None else orjson.dumps(table)
        lines.append(orjson.dumps(name) + b":" + body)
    return b"{\n" + b",\n".join(lines) + b"\n}"


def split_tables(raw: bytes, path: str, lazy_bytes: int = LAZY_BYTES) -> dict[str, Any] | None:
    """The tables of a snapshot written one a line, the large ones lazy; None if it is not so written
    (the caller parses it whole, and refuses it if it is not JSON). The lines are views of `raw`, not
    copies (four copies of a 40 MB snapshot cost 0.1-0.2 s)."""
    if not (raw.startswith(b"{\n") and raw.endswith(b"\n}")):
        return None
    view = memoryview(raw)
    data: dict[str, Any] = {}
    pos, stop = 2, len(raw) - 2
    while pos < stop:
        end_line = raw.find(b"\n", pos, stop)
        end_line = stop if end_line < 0 else end_line
        close = end_line - 1 if raw[end_line - 1] == 0x2C else end_line  # without its "," separator
        colon = raw.find(b'":', pos, close)
        if raw[pos] != 0x22 or colon < 0 or raw[colon + 2] != 0x7B or raw[close - 1] != 0x7D:  # "name":{...}
            return None
        try:
            name = orjson.loads(view[pos : colon + 1])
        except orjson.JSONDecodeError:
            return None
        body = view[colon + 2 : close]
        data[name] = LazyTable(body, path, name) if len(body) > lazy_bytes else orjson.loads(body)
        pos = end_line + 1
    return data
