"""The repository's in-memory view of the measures table, built only when first asked for.

Opening a 50 000-measure store used to index every id and a start-up check decoded every measure
(3.8 s before the bot polled). Now opening builds nothing: the id index is made on the first lookup
by id, and the decoded measures in ledger order on the first `all()`; both then follow each write
(`put`, `added`) instead of being rebuilt. The sort key of each measure is kept beside it, so a new
measure is placed by bisection rather than by sorting 50 000 again.
"""

from __future__ import annotations

import bisect
import gc
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ledger.ids import id_key, natural_key
from ledger.models import Measure
from store.codec import Decoder
from store.storage import paused_gc

SortKey = tuple[int, tuple[tuple[int, int | str], ...], str]
_PLAIN = re.compile(r"[!-~]*")  # printable ASCII without spaces: NFKC leaves it as it is
_CHUNK = re.compile(r"(\d+)")


def fast_id_key(measure_id: str) -> str:
    """`ledger.ids.id_key`, with its common case (an ASCII id such as ZG-00001) done without NFKC."""
    if _PLAIN.fullmatch(measure_id):
        return measure_id.lower()  # casefold() is lower() on ASCII
    return id_key(measure_id)


def measure_sort_key(m: Measure) -> SortKey:
    """Ledger order: problem, then the id read naturally (P2-9 before P2-10, ZG-01 before ZG-02)."""
    if _PLAIN.fullmatch(m.id):  # natural_key, without its id_key's NFKC for an ASCII id
        parts = _CHUNK.split(m.id.lower())
        return (m.problem, tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p), m.id)
    return (m.problem, natural_key(m.id), m.id)


class MeasureIndex:
    """Id index and decoded cache over `raw()` (the stored measure documents, read only)."""

    def __init__(self, raw: Callable[[], Iterable[tuple[int | str, Mapping[str, Any]]]]) -> None:
        self._raw = raw
        self._ids: dict[str, int] | None = None  # id_key -> doc id
        self.reset()

    def reset(self) -> None:
        """Forget everything (after a rollback, a bulk insert or a renumbering): rebuilt when next asked."""
        self._ids = None
        self.drop_decoded()

    def drop_decoded(self) -> None:
        self._cache: list[Measure] | None = None  # decoded measures in ledger order
        self._keys: list[SortKey] = []  # their sort keys, same order
        self._pos: dict[str, int] = {}  # id_key -> place in the cache

    @property
    def ids(self) -> dict[str, int]:
        """id_key -> doc id of every stored measure (built on first use: 50 000 ids take ~0.1 s)."""
        if self._ids is None:
            self._ids = {fast_id_key(doc["id"]): int(i) for i, doc in self._raw()}
        return self._ids

    def all(self) -> list[Measure]:
        """All measures in ledger order; decoded once (like loading: many objects, no cycles, frozen)."""
        if self._cache is None:
            with paused_gc():
                decode = Decoder().measure
                ms = [decode(d) for _, d in self._raw()]
                keyed = sorted(((measure_sort_key(m), m) for m in ms), key=lambda km: km[0])
                self._keys = [k for k, _ in keyed]
                self._cache = [m for _, m in keyed]
                self._pos = {fast_id_key(m.id): i for i, m in enumerate(self._cache)}
            gc.freeze()
        return list(self._cache)

    def decoded(self, measure_id: str) -> Measure | None:
        """The cached measure with this id, if everything is decoded already."""
        if self._cache is None:
            return None
        i = self._pos.get(fast_id_key(measure_id))
        return None if i is None else self._cache[i]

    def put(self, m: Measure) -> None:
        """A measure was written: keep the decoded list current without decoding the others again."""
        if self._cache is None:
            return
        k = fast_id_key(m.id)
        i = self._pos.get(k)
        key = measure_sort_key(m)
        if i is not None and self._keys[i] == key:
            self._cache[i] = m
            return
        if i is not None:  # its sort key changed (a problem moved): take it out, then place it again
            del self._cache[i], self._keys[i]
        j = bisect.bisect_right(self._keys, key)
        self._cache.insert(j, m)
        self._keys.insert(j, key)
        start = j if i is None else min(i, j)
        for n in range(start, len(self._cache)):
            self._pos[fast_id_key(self._cache[n].id)] = n
