"""The ledger store: TinyDB tables behind a repository that speaks domain objects.

Tables: units, problems, measures, members, invites, events (audit log, append
only), sent (the reminder sent-log) and _meta (schema version, report metadata).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from tinydb import Query, TinyDB

from ledger.errors import StoreError, UnknownMeasure
from ledger.ids import id_key, natural_key
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
from store.lock import StoreLock
from store.storage import AtomicJSONStorage, MemoryBatchStorage

SCHEMA_VERSION = 1


class Repository:
    """All reads and writes of the ledger; one instance per process."""

    def __init__(self, db: TinyDB, lock: StoreLock | None = None) -> None:
        self._db = db
        self._lock = lock
        self._check_schema()
        self._measure_ids: dict[str, int] = {id_key(doc["id"]): doc.doc_id for doc in self._db.table("measures").all()}
        self._sent_keys: set[str] = {doc["key"] for doc in self._db.table("sent").all()}
        self._cache: list[Measure] | None = None  # decoded measures in ledger order

    # -- opening -----------------------------------------------------------
    @classmethod
    def open(cls, path: str, *, lock: bool = True, fsync: bool = True) -> Repository:
        """Open (or create) the store file; with `lock`, refuse if another process has it."""
        store_lock = StoreLock(path) if lock else None
        if store_lock:
            store_lock.acquire()
        try:
            db = TinyDB(path, storage=AtomicJSONStorage, fsync=fsync)
            if store_lock:
                db.storage.remove_stale_temp_files()  # type: ignore[attr-defined]
            return cls(db, store_lock)
        except BaseException:
            if store_lock:
                store_lock.release()
            raise

    @classmethod
    def memory(cls) -> Repository:
        return cls(TinyDB(storage=MemoryBatchStorage))

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
        """The measure with this id, case and full-width forms ignored (`/measure zg-01`)."""
        doc_id = self._measure_ids.get(id_key(measure_id))
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
            self._cache_put(m)

    def _cache_put(self, m: Measure) -> None:
        """Keep the decoded list current without decoding 10 000 measures again."""
        if self._cache is None:
            return
        for i, old in enumerate(self._cache):
            if id_key(old.id) == id_key(m.id):
                self._cache[i] = m
                return
        self._cache.append(m)
        self._cache.sort(key=measure_sort_key)

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
            self._cache = None
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
            self._cache = None

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
        doc_id = self._measure_ids.get(id_key(measure_id))  # follows the measure if a re-import renumbers it
        table.insert({"chat": chat_id, "msg": message_id, "measure": measure_id, "kind": kind, "doc": doc_id})
        if len(table) > self.MESSAGES_KEPT + self.MESSAGES_KEPT // 4:
            ids = sorted(doc.doc_id for doc in table.all())
            table.remove(doc_ids=ids[: len(ids) - self.MESSAGES_KEPT])

    def message_measure(self, chat_id: int, message_id: int) -> str | None:
        q = Query()
        doc = self._db.table("messages").get((q.chat == chat_id) & (q.msg == message_id))
        if not doc:
            return None
        current = self._db.table("measures").get(doc_id=doc["doc"]) if doc.get("doc") else None
        return str(current["id"]) if current else str(doc["measure"])

    # -- the inbox: updates fetched from Telegram, kept until handled ------------------------------
    INBOX_SEEN_KEPT = 5000  # ids remembered to drop an update Telegram sends again after a crash

    def inbox_add(self, updates: list[dict[str, Any]]) -> None:
        """Keep fetched updates before their offset is confirmed to Telegram (one write)."""
        if not updates:
            return
        seen = [*self._inbox_seen_list(), *(int(u["update_id"]) for u in updates)][-self.INBOX_SEEN_KEPT :]
        with self.batch():
            self._db.table("inbox").insert_multiple({"id": u["update_id"], "update": u} for u in updates)
            self.set_pref(0, "inbox_seen", json.dumps(seen))

    def inbox_done(self, update_id: int) -> None:
        """The update was handled: it is not replayed after a restart."""
        table = self._db.table("inbox")
        if table.contains(Query().id == update_id):  # webhook updates never entered the inbox
            table.remove(Query().id == update_id)

    def inbox_pending(self) -> list[dict[str, Any]]:
        """Updates fetched but not handled (the process stopped), oldest first."""
        return [dict(d["update"]) for d in sorted(self._db.table("inbox").all(), key=lambda d: int(d["id"]))]

    def inbox_seen(self) -> frozenset[int]:
        """Ids of the updates kept recently: Telegram may send them again if a crash cut a batch short."""
        return frozenset(self._inbox_seen_list())

    def _inbox_seen_list(self) -> list[int]:
        raw = self.pref(0, "inbox_seen")
        return [int(x) for x in json.loads(raw)] if raw else []

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

    def copy_sent_to_chat(self, old: int, new: int, at: dt.datetime) -> int:
        """A group became a supergroup: what the old chat id received counts for the new one."""
        suffix = f"@{old}"
        rows = [d for d in self._db.table("sent").all() if str(d["key"]).endswith(suffix)]
        with self.batch():
            for d in rows:
                key = str(d["key"])[: -len(suffix)] + f"@{new}"
                self.record_sent(key, str(d.get("measure", "")), str(d.get("tier", "")), at, new)
        return len(rows)

    # -- bundles: long messages the bot pages through with buttons -------------------------
    BUNDLES_KEPT = 500

    def put_bundle(self, chat_id: int, message_id: int, pages: list[dict[str, Any]]) -> None:
        """The pages of a bundled message (text and the measure ids its buttons open)."""
        table = self._db.table("bundles")
        table.insert({"chat": chat_id, "msg": message_id, "pages": pages})
        if len(table) > self.BUNDLES_KEPT + self.BUNDLES_KEPT // 4:
            ids = sorted(doc.doc_id for doc in table.all())
            table.remove(doc_ids=ids[: len(ids) - self.BUNDLES_KEPT])

    def bundle(self, chat_id: int, message_id: int) -> list[dict[str, Any]] | None:
        q = Query()
        doc = self._db.table("bundles").get((q.chat == chat_id) & (q.msg == message_id))
        return list(doc["pages"]) if doc else None

    # -- the evidence archive: one record per file (pending until its bytes are under var/evidence/) --
    def evidence_files(self, measure_id: str | None = None) -> list[dict[str, Any]]:
        docs = self._db.table("evidence").all()
        return [dict(d) for d in docs if measure_id is None or d["measure"] == measure_id]

    def put_evidence_file(self, record: dict[str, Any]) -> None:
        self._db.table("evidence").upsert(record, Query().ref == record["ref"])


def measure_sort_key(m: Measure) -> tuple[int, tuple[tuple[int, int | str], ...], str]:
    """Ledger order: problem, then the id read naturally (P2-9 before P2-10, ZG-01 before ZG-02)."""
    return (m.problem, natural_key(m.id), m.id)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out
