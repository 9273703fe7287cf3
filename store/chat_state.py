"""What the store keeps about conversations, beside the ledger: which measure a message is about,
the durable inbox of updates, and the pages of bundled messages. Mixed into `Repository`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from tinydb import Query, TinyDB

from ledger.errors import StoreWriteError
from ledger.ids import id_key

# The update whose handler is running (per task: chats are handled side by side).
_HANDLING: ContextVar[int | None] = ContextVar("duban_handling_update", default=None)


class ChatState:
    _db: TinyDB
    _done_later: set[int]  # handled updates a full disk kept in the inbox (set by Repository)

    def batch(self) -> contextlib.AbstractContextManager[None]:  # provided by Repository
        raise NotImplementedError

    @property
    def _measure_ids(self) -> dict[str, int]:  # provided by Repository
        raise NotImplementedError

    def pref(self, user_id: int, key: str) -> str | None:  # provided by Repository
        raise NotImplementedError

    def set_pref(self, user_id: int, key: str, value: str) -> None:  # provided by Repository
        raise NotImplementedError

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

    @contextlib.contextmanager
    def handling(self, update_id: int) -> Iterator[None]:
        """While an update is handled: the first change it makes takes it out of the inbox in the
        same write, so a crash after that change never applies it a second time."""
        token = _HANDLING.set(update_id)
        try:
            yield
        finally:
            _HANDLING.reset(token)

    def _take_handled_update(self) -> None:
        """Inside each write (the storage's `before_flush`): the update being handled is marked
        applied (never handled again, only answered), and updates whose done mark a full disk
        refused leave the inbox now."""
        update_id = _HANDLING.get()
        if update_id is None and not self._done_later:
            return
        table = self._db.table("inbox")
        if update_id is not None and table.contains((Query().id == update_id) & ~(Query().applied == True)):  # noqa: E712
            table.update({"applied": True}, Query().id == update_id)
        for done in list(self._done_later):
            if table.contains(Query().id == done):
                table.remove(Query().id == done)
            else:  # an earlier write took it out
                self._done_later.discard(done)

    def inbox_done(self, update_id: int) -> None:
        """The update was handled and answered: it is not replayed after a restart. When the disk
        refuses this, the next write that succeeds takes it out (it is not handled twice)."""
        table = self._db.table("inbox")
        if not table.contains(Query().id == update_id):  # webhook updates never entered the inbox
            return
        try:
            table.remove(Query().id == update_id)
        except StoreWriteError:
            self._done_later.add(update_id)

    def settle_inbox(self) -> None:
        """At a clean stop: the done marks a full disk refused, tried once more (else replayed)."""
        for update_id in list(self._done_later):
            self._done_later.discard(update_id)
            self.inbox_done(update_id)

    def inbox_pending(self) -> list[dict[str, Any]]:
        """Updates fetched but not handled (the process stopped), oldest first."""
        docs = sorted(self._db.table("inbox").all(), key=lambda d: int(d["id"]))
        return [dict(d["update"]) for d in docs if not d.get("applied")]

    def inbox_applied(self) -> list[dict[str, Any]]:
        """Updates whose change was made but whose answer a stop cut short, oldest first."""
        docs = sorted(self._db.table("inbox").all(), key=lambda d: int(d["id"]))
        return [dict(d["update"]) for d in docs if d.get("applied")]

    def inbox_seen(self) -> frozenset[int]:
        """Ids of the updates kept recently: Telegram may send them again if a crash cut a batch short."""
        return frozenset(self._inbox_seen_list())

    def _inbox_seen_list(self) -> list[int]:
        raw = self.pref(0, "inbox_seen")
        return [int(x) for x in json.loads(raw)] if raw else []

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
