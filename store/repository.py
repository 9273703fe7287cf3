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
from ledger.models import Event, Measure, Member, Problem, ReportMeta, Unit
from store.codec import (
    measure_from_doc,
    measure_to_doc,
    member_from_doc,
    member_to_doc,
    problem_from_doc,
    problem_to_doc,
    unit_from_doc,
    unit_to_doc,
)
from store.journal import COMPACT_BYTES, JournaledStorage, MemoryJournalStorage
from store.lock import StoreLock
from store.storage import AtomicJSONStorage, paused_gc
from store.table import JournaledDB, TrackedTable

SCHEMA_VERSION = 1


class Repository:
    """All reads and writes of the ledger; one instance per process."""

    def __init__(self, db: TinyDB, lock: StoreLock | None = None) -> None:
        self._db = db
        self._lock = lock
        self._check_schema()
        self._measure_ids: dict[str, int] = {doc["id"]: int(i) for i, doc in self._raw_items("measures")}
        self._sent_keys: set[str] = {doc["key"] for _, doc in self._raw_items("sent")}
        self._cache: list[Measure] | None = None  # decoded measures in ledger order

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

    def _raw_items(self, name: str) -> Iterable[tuple[int | str, dict[str, Any]]]:
        """Stored documents without TinyDB's per-document copy, for building indexes."""
        table = self._db.table(name)
        if isinstance(table, TrackedTable):
            return table.raw_items()  # type: ignore[return-value]
        return ((d.doc_id, d) for d in table.all())

    def close(self) -> None:
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
        ids = dict(self._measure_ids)
        sent = set(self._sent_keys)
        try:
            with storage.batch():
                yield
        except BaseException:
            self._measure_ids, self._sent_keys = ids, sent
            self._cache = None
            self._db.clear_cache()
            for name in self._db.tables():
                self._db.table(name)._next_id = None
            raise

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

    def units(self) -> list[Unit]:
        return [unit_from_doc(d) for d in self._db.table("units").all()]

    def put_unit(self, u: Unit) -> None:
        self._db.table("units").upsert(unit_to_doc(u), Query().name == u.name)

    # -- measures --------------------------------------------------------------
    def measures(self) -> list[Measure]:
        """All measures in ledger order (problem, then measure number); decoded once, then cached."""
        if self._cache is None:
            ms = [measure_from_doc(d) for d in self._db.table("measures").all()]
            self._cache = sorted(ms, key=measure_sort_key)
        return list(self._cache)

    def measure(self, measure_id: str) -> Measure:
        doc_id = self._measure_ids.get(measure_id.upper())
        doc = self._db.table("measures").get(doc_id=doc_id) if doc_id is not None else None
        if doc is None:
            raise UnknownMeasure(f"没有编号为 {measure_id} 的整改措施。No measure {measure_id}.")
        return measure_from_doc(doc)

    def has_measure(self, measure_id: str) -> bool:
        return measure_id.upper() in self._measure_ids

    def put_measure(self, m: Measure) -> None:
        """Insert or replace a measure; the history it carries is appended to the audit log."""
        table = self._db.table("measures")
        doc = measure_to_doc(m)
        with self.batch():
            doc_id = self._measure_ids.get(m.id)
            if doc_id is None:
                self._measure_ids[m.id] = table.insert(doc)
                new_events: Iterable[Event] = m.history
            else:
                old = table.get(doc_id=doc_id)
                seen = len(old.get("history", ())) if old else 0
                new_events = m.history[seen:]
                table.update(doc, doc_ids=[doc_id])
            for ev in new_events:
                self.append_event(ev)
            self._cache_put(m)

    def _cache_put(self, m: Measure) -> None:
        """Keep the decoded list current without decoding 10 000 measures again."""
        if self._cache is None:
            return
        for i, old in enumerate(self._cache):
            if old.id == m.id:
                self._cache[i] = m
                return
        self._cache.append(m)
        self._cache.sort(key=measure_sort_key)

    def put_measures(self, measures: list[Measure]) -> None:
        """Insert or replace many measures in one write (imports)."""
        table = self._db.table("measures")
        with self.batch():
            new = [m for m in measures if m.id not in self._measure_ids]
            for m in measures:
                if m.id in self._measure_ids:
                    self.put_measure(m)
            ids = table.insert_multiple(measure_to_doc(m) for m in new)
            for m, doc_id in zip(new, ids):
                self._measure_ids[m.id] = doc_id
            self._cache = None
            self._db.table("events").insert_multiple(ev.to_dict() for m in new for ev in m.history)

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

    # -- messages the bot sent about a measure (so a reply finds its measure) -----------------
    MESSAGES_KEPT = 20_000  # replies to older reminders are rare; older mappings are dropped

    def remember_message(self, chat_id: int, message_id: int, measure_id: str, kind: str = "reminder") -> None:
        """Which measure a message the bot sent is about, so a reply to it finds the measure."""
        table = self._db.table("messages")
        table.insert({"chat": chat_id, "msg": message_id, "measure": measure_id, "kind": kind})
        if len(table) > self.MESSAGES_KEPT + self.MESSAGES_KEPT // 4:
            ids = sorted(doc.doc_id for doc in table.all())
            table.remove(doc_ids=ids[: len(ids) - self.MESSAGES_KEPT])

    def message_measure(self, chat_id: int, message_id: int) -> str | None:
        q = Query()
        doc = self._db.table("messages").get((q.chat == chat_id) & (q.msg == message_id))
        return str(doc["measure"]) if doc else None

    # -- sent-log ------------------------------------------------------------------
    def sent_keys(self) -> frozenset[str]:
        return frozenset(self._sent_keys)

    def record_sent(self, key: str, measure_id: str, tier: str, at: dt.datetime, chat_id: int | None = None) -> None:
        """Remember that a reminder reached Telegram, so it is never sent again."""
        if key in self._sent_keys:
            return
        self._db.table("sent").insert(
            {"key": key, "measure": measure_id, "tier": tier, "at": at.isoformat(), "chat": chat_id}
        )
        self._sent_keys.add(key)


def measure_sort_key(m: Measure) -> tuple[int, int, str]:
    try:
        n = int(m.id.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        n = 0
    return (m.problem, n, m.id)
