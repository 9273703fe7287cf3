"""The ledger store: TinyDB tables behind a repository that speaks domain objects.

Tables: units, problems, measures, members, invites, events (audit log, append
only), sent (the reminder sent-log) and _meta (schema version, report metadata).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from typing import Any

from tinydb import Query, TinyDB

from ledger.errors import StoreError, UnknownMeasure
from ledger.hooks import Hook
from ledger.ids import id_key
from ledger.models import Event, Measure, Member, Problem, ReportMeta, Unit
from store import retention
from store.chat_state import ChatState
from store.codec import (
    _base36,
    measure_from_doc,
    measure_to_doc,
    member_from_doc,
    member_to_doc,
    problem_from_doc,
    problem_to_doc,
    unit_from_doc,
    unit_to_doc,
)
from store.journal import COMPACT_BYTES, JournaledStorage, MemoryJournalStorage, read_state
from store.lazytable import has_documents
from store.lock import StoreLock
from store.measure_index import MeasureIndex, fast_id_key
from store.storage import AtomicJSONStorage, paused_gc
from store.table import JournaledDB, TrackedTable, put_keyed

SCHEMA_VERSION = 1
SENT_MARGIN_DAYS = 60  # a sent key outlives the last day a sweep could ask about it by this much
EVENTS_KEPT_DAYS = 400  # the audit log keeps a year and a bit; older events go to a yearly file


class Repository(ChatState):
    """All reads and writes of the ledger; one instance per process."""

    def __init__(self, db: TinyDB, lock: StoreLock | None = None) -> None:
        self._db = db
        self._lock = lock
        self._check_schema()
        self._batch_depth = 0
        self._index()
        self._done_later = set()
        if hasattr(db.storage, "before_flush"):  # the journaled storages (not the bench's baseline)
            db.storage.before_flush = self._take_handled_update

    def _index(self) -> None:
        """(Re)start the in-memory indexes (at open, and after a rollback); the measures' are built when
        first used (`store.measure_index`), so opening a large store decodes and indexes none of them."""
        self._measures = MeasureIndex(lambda: self._raw_items("measures"))
        self._sent_keys: set[str] = {doc["key"] for _, doc in self._raw_items("sent")}
        self._sent_frozen: frozenset[str] | None = None  # what sent_keys() last handed out, while current

    @property
    def _measure_ids(self) -> dict[str, int]:
        """id_key -> doc id of every measure (built on first use)."""
        return self._measures.ids

    # -- opening -----------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str,
        *,
        lock: bool = True,
        fsync: bool = True,
        journal: bool = True,
        compact_bytes: int = COMPACT_BYTES,
    ) -> Repository:
        """Open (or create, if there is no file) the store; with `lock`, refuse if another process has it.

        `journal=False` rewrites the whole file on every change (the bench's baseline).
        Loading runs with the garbage collector paused, and what was loaded is frozen
        (`gc.freeze`): it lives as long as the process, so the collector need not scan it.
        """
        store_lock = StoreLock(path) if lock else None
        if store_lock:
            store_lock.acquire()
        try:
            with paused_gc():
                db: TinyDB
                if journal:
                    db = JournaledDB(path, storage=JournaledStorage, fsync=fsync, compact_bytes=compact_bytes)
                else:
                    db = TinyDB(path, storage=AtomicJSONStorage, fsync=fsync)
                if store_lock:
                    db.storage.remove_stale_temp_files()  # type: ignore[attr-defined]
                repo = cls(db, store_lock)
            gc.freeze()
            return repo
        except BaseException:
            if store_lock:
                store_lock.release()
            raise

    @classmethod
    def memory(cls) -> Repository:
        return cls(JournaledDB(storage=MemoryJournalStorage))

    @classmethod
    def open_or_snapshot(cls, path: str) -> Repository:
        """Open the store, or, when a running bot owns it, a consistent snapshot to read."""
        try:
            return cls.open(path)
        except StoreError as e:
            if "Another Duban process" not in str(e):
                raise
            return cls.snapshot(path)

    @classmethod
    def snapshot(cls, path: str) -> Repository:
        """The store as a restart would load it, read into memory without the lock; never written back."""
        db = JournaledDB(storage=MemoryJournalStorage)
        db.storage._data = read_state(path)  # type: ignore[attr-defined]  # the memory twin holds it
        db.clear_cache()
        return cls(db)

    def _raw_items(self, name: str) -> Iterable[tuple[int | str, dict[str, Any]]]:
        """Stored documents without TinyDB's per-document copy, for building indexes."""
        table = self._db.table(name)
        if isinstance(table, TrackedTable):
            return table.raw_items()  # type: ignore[return-value]
        return ((d.doc_id, d) for d in table.all())

    def close(self) -> None:
        self.settle_inbox()
        self._db.close()
        if self._lock:
            self._lock.release()

    def _check_schema(self) -> None:
        meta = self._db.table("_meta")
        doc = meta.get(Query().kind == "schema")
        if doc is None:
            if len(self._db.tables() - {"_meta"}) and self._db.table("measures"):
                raise StoreError("数据文件缺少版本号，无法确认格式。The store has no schema version.")
            meta.insert({"kind": "schema", "version": SCHEMA_VERSION})
        elif doc.get("version") != SCHEMA_VERSION:
            raise StoreError(
                f"数据文件格式版本为 {doc.get('version')!r}，本程序只支持版本 {SCHEMA_VERSION}。"
                f" Unknown store schema version {doc.get('version')!r}; this Duban reads version "
                f"{SCHEMA_VERSION}. Use the Duban release that wrote it, or export and re-import."
            )

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """All writes inside reach the file together, or (on an exception) not at all."""
        storage: Any = self._db.storage
        self._batch_depth += 1
        try:
            with storage.batch():
                yield
        except BaseException:
            if self._batch_depth == 1:  # the storage has rolled back: so do the indexes (rare, O(ledger))
                self._db.clear_cache()
                for name in self._db.tables():
                    self._db.table(name)._next_id = None
                self._index()
            raise
        finally:
            self._batch_depth -= 1

    # -- report ------------------------------------------------------------
    def report(self) -> ReportMeta:
        doc = self._db.table("_meta").get(Query().kind == "report")
        return ReportMeta.from_dict(doc["report"]) if doc else ReportMeta()

    def set_report(self, report: ReportMeta) -> None:
        self._db.table("_meta").upsert({"kind": "report", "report": report.to_dict()}, Query().kind == "report")

    # -- problems and units ---------------------------------------------------
    def problems(self) -> list[Problem]:
        return sorted((problem_from_doc(d) for d in self._db.table("problems").all()), key=lambda p: p.id)

    def put_problem(self, p: Problem) -> None:
        self._db.table("problems").upsert(problem_to_doc(p), Query().id == p.id)

    def put_problems(self, problems: Iterable[Problem]) -> None:  # keyed in one pass, not an upsert each
        put_keyed(self._db.table("problems"), "id", [problem_to_doc(p) for p in problems])

    def put_units(self, units: Iterable[Unit]) -> None:
        put_keyed(self._db.table("units"), "name", [unit_to_doc(u) for u in units])

    def units(self) -> list[Unit]:
        return [unit_from_doc(d) for d in self._db.table("units").all()]

    def put_unit(self, u: Unit) -> None:
        self._db.table("units").upsert(unit_to_doc(u), Query().name == u.name)

    # -- measures --------------------------------------------------------------
    def measures(self) -> list[Measure]:
        """All measures in ledger order (problem, then measure number); decoded once, then cached."""
        return self._measures.all()

    def measure_count(self) -> int:
        """How many measures are stored, without decoding or indexing any."""
        return len(self._db.table("measures"))

    def has_measures(self) -> bool:
        """Whether any measure is stored: O(1), the measures' table is not even parsed (store.lazytable)."""
        return has_documents(self._db.storage.read(), "measures")

    def measure(self, measure_id: str) -> Measure:
        """The measure with this id, case and full-width forms ignored (`/measure zg-01`)."""
        cached = self._measures.decoded(measure_id)
        if cached is not None:
            return cached
        doc_id = self._measure_ids.get(fast_id_key(measure_id))
        doc = self._db.table("measures").get(doc_id=doc_id) if doc_id is not None else None
        if doc is None:
            raise UnknownMeasure(f"没有编号为 {measure_id} 的整改措施。No measure {measure_id}.")
        return measure_from_doc(doc)

    def has_measure(self, measure_id: str) -> bool:
        return id_key(measure_id) in self._measure_ids

    def key_of(self, measure_id: str) -> str:
        """A short, stable key for buttons: the record number in base 36 (`k1z`), whatever the id.

        Office ids may hold CJK (3 bytes a character), so callback data carries this key, not the id.
        """
        doc_id = self._measure_ids.get(id_key(measure_id))
        if doc_id is None:
            raise UnknownMeasure(f"没有编号为 {measure_id} 的整改措施。No measure {measure_id}.")
        return "k" + _base36(doc_id)

    def measure_by_key(self, key: str) -> Measure:
        """The measure a button's short key (from `key_of`) names."""
        try:
            doc_id = int(key[1:], 36) if key.startswith("k") else -1
        except ValueError:
            doc_id = -1
        doc = self._db.table("measures").get(doc_id=doc_id) if doc_id > 0 else None
        if doc is None:
            raise UnknownMeasure(f"按钮已失效（{key}）。This button no longer points to a measure.")
        return measure_from_doc(doc)

    def put_measure(self, m: Measure) -> None:
        """Insert or replace a measure; the history it carries is appended to the audit log."""
        table = self._db.table("measures")
        doc = measure_to_doc(m)
        with self.batch():
            doc_id = self._measure_ids.get(id_key(m.id))
            if doc_id is None:
                self._measure_ids[id_key(m.id)] = table.insert(doc)
                new_events: Iterable[Event] = m.history
            else:
                old = table.get(doc_id=doc_id)
                seen = len(old.get("history", ())) if old else 0
                new_events = m.history[seen:]
                table.update(doc, doc_ids=[doc_id])
            for ev in new_events:
                self.append_event(ev)
            self._measures.put(m)

    def put_measures(self, measures: list[Measure]) -> None:
        """Insert or replace many measures in one write (imports)."""
        table = self._db.table("measures")
        with self.batch():
            new = [m for m in measures if id_key(m.id) not in self._measure_ids]
            for m in measures:
                if id_key(m.id) in self._measure_ids:
                    self.put_measure(m)
            ids = table.insert_multiple(measure_to_doc(m) for m in new)
            for m, doc_id in zip(new, ids):
                self._measure_ids[id_key(m.id)] = doc_id
            self._measures.drop_decoded()
            self._db.table("events").insert_multiple(ev.to_dict() for m in new for ev in m.history)

    def rename_measures(self, pairs: list[tuple[str, str]]) -> None:
        """Give stored measures new ids in one go (swaps and chains allowed); record and history stay.

        Used when a re-import matches rows by content and the office renumbered its ledger.
        """
        table = self._db.table("measures")
        with self.batch():
            moves = []
            for old, new in pairs:
                doc_id = self._measure_ids.pop(id_key(old), None)
                if doc_id is None:
                    raise UnknownMeasure(f"没有编号为 {old} 的整改措施。No measure {old}.")
                moves.append((doc_id, new))
            for doc_id, new in moves:
                if id_key(new) in self._measure_ids:
                    raise StoreError(f"编号 {new} 已被占用。Id {new} is taken.")
                table.update({"id": new}, doc_ids=[doc_id])
                self._measure_ids[id_key(new)] = doc_id
            self._measures.drop_decoded()

    # -- audit log ---------------------------------------------------------------
    def append_event(self, ev: Event) -> None:
        self._db.table("events").insert(ev.to_dict())

    def events(self) -> list[Event]:
        return [Event.from_dict(d) for d in self._db.table("events").all()]

    # -- members and invites -----------------------------------------------------
    def members(self) -> list[Member]:
        return [member_from_doc(d) for d in self._db.table("members").all()]

    def put_member(self, m: Member) -> None:
        q = Query()
        self._db.table("members").upsert(member_to_doc(m), (q.user_id == m.user_id) & (q.chat_id == m.chat_id))

    def invites(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self._db.table("invites").all()]

    def put_invite(self, invite: dict[str, Any]) -> None:
        self._db.table("invites").upsert(invite, Query().code == invite["code"])

    # -- channel addresses bound to units (group robots, e-mail): URLs and secrets are secrets --------
    def hooks(self) -> list[Hook]:
        return [Hook(**{k: d[k] for k in Hook.__dataclass_fields__ if k in d}) for d in self._db.table("hooks").all()]

    def put_hook(self, unit: str, kind: str, url: str, secret: str, source: str) -> Hook:
        """Bind an address to a unit (the same URL again: rebinds it, active, keeping its recipient id)."""
        table = self._db.table("hooks")
        doc = table.get(Query().url == url)
        hook_id = int(doc["id"]) if isinstance(doc, dict) else 1 + max((int(d["id"]) for d in table.all()), default=0)
        hook = Hook(hook_id, unit, kind, url, secret, True, source)
        table.upsert(dict(hook.__dict__), Query().id == hook_id)
        return hook

    def set_hook_active(self, hook_id: int, active: bool) -> bool:
        """Whether it changed (so the office is told once)."""
        table = self._db.table("hooks")
        doc = table.get(Query().id == hook_id)
        if not isinstance(doc, dict) or bool(doc.get("active")) == active:
            return False
        table.update({"active": active}, Query().id == hook_id)
        return True

    # -- per-user preferences (language) ---------------------------------------------------------
    def pref(self, user_id: int, key: str) -> str | None:
        q = Query()
        doc = self._db.table("prefs").get((q.user == user_id) & (q.key == key))
        return str(doc["value"]) if doc else None

    def set_pref(self, user_id: int, key: str, value: str) -> None:
        q = Query()
        self._db.table("prefs").upsert(
            {"user": user_id, "key": key, "value": value}, (q.user == user_id) & (q.key == key)
        )

    # -- sent-log ------------------------------------------------------------------
    def sent_keys(self) -> frozenset[str]:
        """The keys of the sent-log, read only: one frozenset shared until the log changes (a sweep
        asks several times; copying a large sent-log each time cost O(size) a call)."""
        if self._sent_frozen is None:
            self._sent_frozen = frozenset(self._sent_keys)
        return self._sent_frozen

    def record_sent(
        self, key: str, measure_id: str, tier: str, at: dt.datetime, chat_id: int | str | None = None
    ) -> None:
        """Remember that a reminder reached Telegram, so it is never sent again."""
        if key in self._sent_keys:
            return
        self._db.table("sent").insert(
            {"key": key, "measure": measure_id, "tier": tier, "at": at.isoformat(), "chat": chat_id}
        )
        self._sent_keys.add(key)
        self._sent_frozen = None

    def copy_sent_to_chat(self, old: int, new: int, at: dt.datetime) -> int:
        """A group became a supergroup: what the old chat id received counts for the new one."""
        suffix = f"@{old}"
        rows = [d for d in self._db.table("sent").all() if str(d["key"]).endswith(suffix)]
        with self.batch():
            for d in rows:
                key = str(d["key"])[: -len(suffix)] + f"@{new}"
                self.record_sent(key, str(d.get("measure", "")), str(d.get("tier", "")), at, new)
        return len(rows)

    # -- retention: the live store stays proportional to the open ledger (see store.retention) ---
    def prune_sent(self, today: dt.date, margin_days: int = SENT_MARGIN_DAYS) -> int:
        return retention.prune_sent(self, today, margin_days)

    def archive_events(self, now: dt.datetime, keep_days: int = EVENTS_KEPT_DAYS, folder: str | None = None) -> int:
        return retention.archive_events(self, now, keep_days, folder)

    # -- the evidence archive: one record per file (pending until its bytes are under var/evidence/) --
    def evidence_files(self, measure_id: str | None = None) -> list[dict[str, Any]]:
        docs = self._db.table("evidence").all()
        return [dict(d) for d in docs if measure_id is None or d["measure"] == measure_id]

    def put_evidence_file(self, record: dict[str, Any]) -> None:
        self._db.table("evidence").upsert(record, Query().ref == record["ref"])
