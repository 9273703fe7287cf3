"""Domain records to and from the plain dicts stored in TinyDB."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ledger.models import Deadline, Event, Evidence, Extension, Measure, Member, Problem, Unit


def measure_to_doc(m: Measure) -> dict[str, Any]:
    return {
        "id": m.id,
        "problem": m.problem,
        "text": m.text,
        "unit": m.unit,
        "co_units": list(m.co_units),
        "leader": m.leader,
        "deadline_text": m.deadline_text,
        "deadline": m.deadline.to_dict(),
        "status": m.status,
        "unit_inferred": m.unit_inferred,
        "note": m.note,
        "evidence": {"note": m.evidence.note, "files": list(m.evidence.files)},
        "due_override": m.due_override.isoformat() if m.due_override else None,
        "extension": m.extension.to_dict() if m.extension else None,
        "history": [e.to_dict() for e in m.history],
        **({"extra": [list(kv) for kv in m.extra]} if m.extra else {}),
    }


def measure_from_doc(d: dict[str, Any]) -> Measure:
    ev = d.get("evidence") or {}
    return Measure(
        id=d["id"],
        problem=int(d["problem"]),
        text=d["text"],
        unit=d.get("unit", ""),
        co_units=tuple(d.get("co_units", ())),
        leader=d.get("leader", ""),
        deadline_text=d.get("deadline_text", ""),
        deadline=Deadline.from_dict(d.get("deadline") or {}),
        status=d.get("status", "open"),
        unit_inferred=bool(d.get("unit_inferred", False)),
        note=d.get("note", ""),
        evidence=Evidence(note=ev.get("note", ""), files=tuple(ev.get("files", ()))),
        due_override=dt.date.fromisoformat(d["due_override"]) if d.get("due_override") else None,
        extension=Extension.from_dict(d["extension"]) if d.get("extension") else None,
        history=tuple(Event.from_dict(e) for e in d.get("history", ())),
        extra=tuple((str(k), str(v)) for k, v in d.get("extra", ())),
    )


def problem_to_doc(p: Problem) -> dict[str, Any]:
    return {"id": p.id, "title": p.title, "section": p.section, "leader": p.leader}


def problem_from_doc(d: dict[str, Any]) -> Problem:
    return Problem(id=int(d["id"]), title=d["title"], section=d.get("section", ""), leader=d.get("leader", ""))


def unit_to_doc(u: Unit) -> dict[str, Any]:
    return {"name": u.name, "aliases": list(u.aliases)}


def unit_from_doc(d: dict[str, Any]) -> Unit:
    return Unit(name=d["name"], aliases=tuple(d.get("aliases", ())))


def member_to_doc(m: Member) -> dict[str, Any]:
    return {
        "user_id": m.user_id,
        "chat_id": m.chat_id,
        "unit": m.unit,
        "role": m.role,
        "name": m.name,
        "active": m.active,
    }


def member_from_doc(d: dict[str, Any]) -> Member:
    return Member(
        user_id=int(d["user_id"]),
        chat_id=int(d["chat_id"]),
        unit=d["unit"],
        role=d.get("role", "member"),
        name=d.get("name", ""),
        active=bool(d.get("active", True)),
    )


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out
