"""A TinyDB table whose writes cost O(change) and name the documents they changed.

TinyDB's `Table._update_table` copies the whole table into a new int-keyed dict and
back on every write (28% of an update at 50 000 measures), and its storage then only
sees "everything". Here the updater works on a view of the stored dict that notes the
first state of each document it touches; the storage is told which documents changed
(`ChangeSink.changed`), journals just those, and can undo them.

A document is compared with its first state one level deep: TinyDB's updates replace
top-level fields, which is all the repository does. A callable update that mutates a
nested value in place would not be seen; the repository does not use one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, Protocol, cast

from tinydb import TinyDB
from tinydb.table import Table

ABSENT: Any = object()  # the first state of a document that did not exist
Before = dict[str, Any]  # str doc id -> first state (a shallow copy) or ABSENT


class ChangeSink(Protocol):
    """What a storage must offer to take per-document changes."""

    def read(self) -> dict[str, dict[str, Any]] | None: ...

    def changed(self, table: str, before: Before) -> None: ...

    def undo(self, table: str, before: Before) -> None: ...


class _TrackedView(MutableMapping[int, Any]):
    """The int-keyed dict TinyDB's updaters expect, over the str-keyed stored table."""

    def __init__(self, raw: dict[str, Any], before: Before) -> None:
        self._raw = raw
        self._before = before

    def _note(self, key: str) -> None:
        if key not in self._before:
            doc = self._raw.get(key, ABSENT)
            self._before[key] = ABSENT if doc is ABSENT else dict(doc)

    def __getitem__(self, doc_id: int) -> Any:
        key = str(doc_id)
        doc = self._raw[key]
        self._note(key)
        return doc

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        key = str(doc_id)
        self._note(key)
        self._raw[key] = doc

    def __delitem__(self, doc_id: int) -> None:
        key = str(doc_id)
        self._note(key)
        del self._raw[key]

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._raw

    def __iter__(self) -> Iterator[int]:
        return (int(k) for k in list(self._raw))

    def __len__(self) -> int:
        return len(self._raw)


class TrackedTable(Table):
    """TinyDB's table, changing stored documents in place and reporting what changed."""

    def _update_table(self, updater: Callable[[dict[int, Mapping[str, Any]]], None]) -> None:
        sink: ChangeSink = self._storage  # type: ignore[assignment]
        tables = sink.read()
        assert tables is not None, "a change-tracking storage always has a dict of tables"
        raw = tables.setdefault(self.name, {})
        before: Before = {}
        try:
            updater(_TrackedView(raw, before))  # type: ignore[arg-type]
        except BaseException:
            sink.undo(self.name, before)  # one operation is all-or-nothing too
            raise
        finally:
            self.clear_cache()
            if not raw:
                tables.pop(self.name, None)
        sink.changed(self.name, before)

    def _get_next_id(self) -> int:
        next_id = cast(int | None, self._next_id)
        if next_id is None:  # TinyDB finds the largest id in Python; this does it in C
            next_id = max(map(int, self._read_table()), default=0) + 1
        self._next_id = next_id + 1  # type: ignore[assignment]
        return next_id

    def raw_items(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """The stored documents without TinyDB's per-document copy (read only!)."""
        return iter(self._read_table().items())


class JournaledDB(TinyDB):
    """TinyDB with change-tracking tables; pair it with a `store.journal` storage."""

    table_class = TrackedTable


def put_keyed(table: Table, key: str, docs: list[dict[str, Any]]) -> None:
    """Upsert many documents by a key field in one pass over the table; the last of a key wins."""
    doc_id = {d[key]: d.doc_id for d in table.all()}
    new: dict[Any, dict[str, Any]] = {}
    for doc in docs:
        if doc[key] in doc_id:
            table.update(doc, doc_ids=[doc_id[doc[key]]])
        else:
            new[doc[key]] = doc
    if new:
        table.insert_multiple(new.values())
