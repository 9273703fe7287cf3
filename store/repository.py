"""The ledger store: TinyDB tables behind a repository that speaks domain objects.

Tables: units, problems, measures, members, invites, events (audit log, append
only), sent (the reminder sent-log) and _meta (schema version, report metadata).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from tinydb import Query, TinyDB

from ledger.errors import StoreError, UnknownMeasure
from ledger.models import Event, Measure, Member, Problem, ReportMeta, Unit
from ledger.occurrences import occurrence_on, previous
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
from store.storage import AtomicJSONStorage, append_lines, paused_gc, read_lines
from store.table import JournaledDB, TrackedTable

SCHEMA_VERSION = 1
SENT_MARGIN_DAYS = 60  # a sent key outlives the last day a sweep could ask about it by this much
EVENTS_KEPT_DAYS = 400  # the audit log keeps a year and a bit; older events go to a yearly file


class Repository:
    """All reads and writes of the ledger; one instance per process."""

    def __init__(self, db: TinyDB, lock: StoreLock | None = None) -> None:
        self._db = db
        self._lock = lock
        self._check_schema()
        self._batch_depth = 0
        self._index()

    def _index(self) -> None:
        """Build the in-memory indexes from the stored documents (at open, and after a rollback)."""
        self._measure_ids: dict[str, int] = {doc["id"]: int(i) for i, doc in self._raw_items("measures")}
        self._sent_keys: set[str] = {doc["key"] for _, doc in self._raw_items("sent")}
        self._cache: list[Measure] | None = None  # decoded measures in ledger order
        self._cache_pos: dict[str, int] = {}  # measure id -> its place in the cache

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

    def units(self) -> list[Unit]:
        return [unit_from_doc(d) for d in self._db.table("units").all()]

    def put_unit(self, u: Unit) -> None:
        self._db.table("units").upsert(unit_to_doc(u), Query().name == u.name)

    # -- measures --------------------------------------------------------------
    def measures(self) -> list[Measure]:
        """All measures in ledger order (problem, then measure number); decoded once, then cached."""
        if self._cache is None:
            with paused_gc():  # like loading: many objects, no cycles, kept for the process's life
                ms = [measure_from_doc(d) for _, d in self._raw_items("measures")]
                self._cache = sorted(ms, key=measure_sort_key)
                self._cache_pos = {x.id: i for i, x in enumerate(self._cache)}
            gc.freeze()
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
        i = self._cache_pos.get(m.id)
        if i is not None:
            self._cache[i] = m
            return
        self._cache.append(m)
        self._cache.sort(key=measure_sort_key)
        self._cache_pos = {x.id: i for i, x in enumerate(self._cache)}

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

    # -- retention: the live store stays proportional to the open ledger -------------------------
    def prune_sent(self, today: dt.date, margin_days: int = SENT_MARGIN_DAYS) -> int:
        """Drop sent-log keys that no sweep can ask about again; the number dropped.

        The planner asks only about the current due date of an open measure (the current and the
        previous period of a recurring one) and about the last submission of a measure awaiting
        sign-off. A key for any other date, older than `today - margin_days`, is dead weight.
        """
        measures = {m.id: m for m in self.measures()}
        horizon = today - dt.timedelta(days=margin_days)
        dead = [int(i) for i, d in self._raw_items("sent") if sent_key_expired(str(d["key"]), measures, today, horizon)]
        if dead:
            self._db.table("sent").remove(doc_ids=dead)
            self._sent_keys = {d["key"] for _, d in self._raw_items("sent")}
        return len(dead)

    def archive_events(self, now: dt.datetime, keep_days: int = EVENTS_KEPT_DAYS, folder: str | None = None) -> int:
        """Move audit events older than `keep_days` to `<store>.events-<year>.jsonl`; the number moved.

        Events reach their yearly file first (appended, fsynced), then leave the store in one
        write. A crash in between leaves some in both: the next run does not append them twice
        (lines carry the event's id; the newest event always stays, so ids are never reused).
        """
        path = getattr(self._db.storage, "path", None)
        if folder is None and path is None:
            raise StoreError("内存中的数据没有归档位置。An in-memory store needs a folder to archive events to.")
        base = os.path.join(folder, "duban") if folder else os.path.splitext(str(path))[0]
        cutoff = (now - dt.timedelta(days=keep_days)).date().isoformat()
        items = sorted((int(i), d) for i, d in self._raw_items("events"))
        old = [(i, d) for i, d in items[:-1] if str(d.get("at", ""))[:10] < cutoff]
        by_year: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for i, d in old:
            by_year.setdefault(str(d.get("at", ""))[:4] or "unknown", []).append((i, d))
        for year, docs in by_year.items():
            archive = f"{base}.events-{year}.jsonl"
            done = {line.get("id") for line in read_lines(archive) if isinstance(line, dict)}
            lines = [orjson.dumps({"id": i, **d}) for i, d in docs if i not in done]
            if lines:
                append_lines(archive, lines, fsync=bool(getattr(self._db.storage, "fsync", True)))
        if old:
            self._db.table("events").remove(doc_ids=[i for i, _ in old])
        return len(old)


def sent_key_expired(key: str, measures: dict[str, Measure], today: dt.date, horizon: dt.date) -> bool:
    """Whether no sweep on or after `today` can ask about this sent-log key (see `prune_sent`)."""
    parts = key.split("|")
    if len(parts) < 4:
        return False
    try:
        due = dt.date.fromisoformat(parts[2])
    except ValueError:
        return False
    if due >= horizon:
        return False
    m = measures.get(parts[0])
    if m is None or m.status == "done":
        return True
    if parts[1].startswith("signoff"):
        last_submit = next((e.at.date() for e in reversed(m.history) if e.action == "submit"), None)
        return m.status != "submitted" or due != last_submit
    if m.deadline.kind == "recurring" and m.due_override is None:
        occ = occurrence_on(m.deadline.recur, today)
        prev = previous(m.deadline.recur, occ) if occ else None
        live_from = (prev or occ).due if (prev or occ) else today  # type: ignore[union-attr]
        return due < live_from
    return due != m.due


def measure_sort_key(m: Measure) -> tuple[int, int, str]:
    try:
        n = int(m.id.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        n = 0
    return (m.problem, n, m.id)
