"""Measures lacking a deadline, for the office to fix (`/review`, `run_bot.py review`).

An open measure whose deadline reads as nothing (kind none, no date set by an extension) gets no
deadline reminder; progress requests chase it, and the office is asked to settle it: set a date
(read by the same parser as dates typed in chat, shown before saving), mark it a standing duty
(长期坚持), or skip it for now. The written deadline (`deadline_text`) is kept as imported, so a
re-import of the same file does not undo the office's decision; the history records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ledger.actions import Actor, MemberRepo, require_admin
from ledger.i18n import t
from ledger.messages import h
from ledger.models import Deadline, Event, Measure
from ledger.views import shorten


def needs_deadline(m: Measure) -> bool:
    return m.status == "open" and m.deadline.kind == "none" and m.due_override is None


def review_items(measures: Iterable[Measure]) -> list[Measure]:
    return [m for m in measures if needs_deadline(m)]


def review_json(measures: Iterable[Measure]) -> list[dict[str, Any]]:
    return [
        {"measure": m.id, "unit": m.unit, "text": m.text, "deadline_text": m.deadline_text}
        for m in review_items(measures)
    ]


def review_lines(measures: Iterable[Measure], lang: str = "zh") -> list[str]:
    items = review_items(measures)
    lines = [t(lang, "review_head", n=len(items))]
    lines += [f"{h(m.id)} {h(m.unit)} · {h(shorten(m.text, 40))}" for m in items]
    return lines


def render_item(items: list[Measure], index: int, lang: str = "zh") -> str:
    """One measure to settle, "3/50", with its unit, text and written deadline."""
    m = items[index]
    return "\n".join(
        [
            t(lang, "review_item_head", i=index + 1, n=len(items)),
            f"<b>{h(m.id)}</b> · {h(m.unit)}",
            h(shorten(m.text, 300)),
            f"{t(lang, 'label.deadline')}：{h(m.deadline_text or '—')}",
        ]
    )


def next_after(measures: Iterable[Measure], mid: str) -> tuple[list[Measure], int | None]:
    """The items still to settle and the index of the first after `mid` in ledger order (wrapping)."""
    ms = list(measures)
    items = review_items(ms)
    if not items:
        return items, None
    pos = next((i for i, m in enumerate(ms) if m.id == mid), -1)
    after = {m.id for m in ms[pos + 1 :]}
    return items, next((k for k, m in enumerate(items) if m.id in after), 0)


def _settle(repo: MemberRepo, actor: Actor, mid: str, deadline: Deadline, note: str, now: dt.datetime) -> Measure:
    require_admin(actor)
    m = repo.measure(mid)
    ev = Event(
        at=now, actor=actor.tag, action="deadline", from_status=m.status, to_status=m.status, note=note, measure_id=m.id
    )
    m = replace(m, deadline=deadline, history=m.history + (ev,))
    repo.put_measure(m)
    return m


def set_deadline(repo: MemberRepo, actor: Actor, mid: str, due: dt.date, now: dt.datetime) -> Measure:
    """设定时限: the measure is reminded by this date from now on."""
    return _settle(repo, actor, mid, Deadline("date", due), f"整改办设定时限 {due.isoformat()}", now)


def set_ongoing(repo: MemberRepo, actor: Actor, mid: str, now: dt.datetime) -> Measure:
    """长期坚持: a standing duty, chased by progress requests only."""
    return _settle(repo, actor, mid, Deadline("ongoing"), "整改办认定为长期坚持", now)
