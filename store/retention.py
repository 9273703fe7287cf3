"""Retention: sent-log keys no sweep can ask about again, and old audit events moved to yearly files,
so the live store stays proportional to the open ledger."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

import orjson

from ledger.errors import StoreError
from ledger.models import Measure
from ledger.occurrences import occurrence_on, previous
from store.storage import append_lines, read_lines

if TYPE_CHECKING:
    from store.repository import Repository


def prune_sent(repo: Repository, today: dt.date, margin_days: int) -> int:
    """Drop sent-log keys that no sweep can ask about again; the number dropped.

    The planner asks only about the current due date of an open measure (the current and the
    previous period of a recurring one) and about the last submission of a measure awaiting
    sign-off. A key for any other date, older than `today - margin_days`, is dead weight.
    """
    measures = {m.id: m for m in repo.measures()}
    horizon = today - dt.timedelta(days=margin_days)
    dead = [int(i) for i, d in repo._raw_items("sent") if sent_key_expired(str(d["key"]), measures, today, horizon)]
    if dead:
        repo._db.table("sent").remove(doc_ids=dead)
        repo._sent_keys = {d["key"] for _, d in repo._raw_items("sent")}
        repo._sent_frozen = None  # the next sent_keys() reflects the pruned log
    return len(dead)


def archive_events(repo: Repository, now: dt.datetime, keep_days: int, folder: str | None) -> int:
    """Move audit events older than `keep_days` to `<store>.events-<year>.jsonl`; the number moved.

    Events reach their yearly file first (appended, fsynced), then leave the store in one
    write. A crash in between leaves some in both: the next run does not append them twice
    (lines carry the event's id; the newest event always stays, so ids are never reused).
    """
    path = getattr(repo._db.storage, "path", None)
    if folder is None and path is None:
        raise StoreError("内存中的数据没有归档位置。An in-memory store needs a folder to archive events to.")
    base = os.path.join(folder, "duban") if folder else os.path.splitext(str(path))[0]
    cutoff = (now - dt.timedelta(days=keep_days)).date().isoformat()
    items = sorted((int(i), d) for i, d in repo._raw_items("events"))
    old = [(i, d) for i, d in items[:-1] if str(d.get("at", ""))[:10] < cutoff]
    by_year: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for i, d in old:
        by_year.setdefault(str(d.get("at", ""))[:4] or "unknown", []).append((i, d))
    for year, docs in by_year.items():
        archive = f"{base}.events-{year}.jsonl"
        done = {line.get("id") for line in read_lines(archive) if isinstance(line, dict)}
        lines = [orjson.dumps({"id": i, **d}) for i, d in docs if i not in done]
        if lines:
            append_lines(archive, lines, fsync=bool(getattr(repo._db.storage, "fsync", True)))
    if old:
        repo._db.table("events").remove(doc_ids=[i for i, _ in old])
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
