"""Office tools (整改办): moving a measure to another unit (转办).

A measure handed to another unit keeps its history; the move is an event in it, with the reason.
Both units are told (by the bot). A later import of an edited ledger file that names the old unit
moves it back, as any edit of the file would: change the file too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ledger.actions import Actor, MemberRepo, require_admin, resolve_unit
from ledger.errors import DubanError
from ledger.models import Event, Measure


def reassign(repo: MemberRepo, actor: Actor, measure_id: str, unit: str, reason: str, now: dt.datetime) -> Measure:
    """转办: the measure's responsible unit becomes `unit`; returns the measure as it was moved."""
    require_admin(actor)
    m = repo.measure(measure_id)
    new_unit = resolve_unit(repo, unit)
    if new_unit == m.unit:
        raise DubanError(f"措施 {m.id} 已由{new_unit}负责。{m.id} is already with {new_unit}.")
    if m.status == "done":
        raise DubanError(f"措施 {m.id} 已销号，不能转办。{m.id} is signed off.")
    note = f"转办：{m.unit} → {new_unit}：{reason}"
    ev = Event(at=now, actor=actor.tag, action="reassign", from_status=m.status, to_status=m.status, note=note)
    moved = replace(m, unit=new_unit, history=m.history + (replace(ev, measure_id=m.id),))
    repo.put_measure(moved)
    return moved
