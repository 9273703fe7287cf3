"""The ledger's vocabulary.

整改台账 (rectification ledger): problems found by an inspection, each with numbered
measures (一是…二是…). A measure is owned by a responsible unit (责任单位) and a
lead official (牵头领导), and has a deadline written as prose.

Every record is a frozen dataclass; changes go through `ledger.status`, which returns
new records and appends an `Event` to the measure's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

DeadlineKind = Literal["date", "period_end", "recurring", "ongoing", "immediate", "none"]
Recurrence = Literal["daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly", "unspecified"]
Status = Literal["open", "submitted", "done"]

STATUSES: tuple[Status, ...] = ("open", "submitted", "done")
KINDS_WITH_DUE: frozenset[str] = frozenset({"date", "period_end", "immediate"})


Confidence = Literal["high", "low"]
Candidate = tuple[dt.date, str]  # another reading found in the same text: (due, its words)


class Deadline(NamedTuple):
    """A deadline phrase resolved against a reference date (immutable; a NamedTuple for speed).

    `due` is set exactly when `kind` is date, period_end or immediate.
    `ongoing_after` marks "…前完成并长期坚持": dated, then a standing duty.
    `confidence` is "high" for an explicit date or period governing a completion or planned
    action, "low" for a weaker reading (a bare year, a period without a verb, several
    candidates) that the office should confirm; `candidates` are the other dated readings.
    """

    kind: DeadlineKind = "none"
    due: dt.date | None = None
    recur: Recurrence | None = None
    span: str = ""
    ongoing_after: bool = False
    confidence: Confidence = "high"
    candidates: tuple[Candidate, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "due": self.due.isoformat() if self.due else None,
            "recur": self.recur,
            "span": self.span,
            "ongoing_after": self.ongoing_after,
            "confidence": self.confidence,
            "candidates": [[due.isoformat(), span] for due, span in self.candidates],
        }

    @classmethod
    def from_dict(cls, d: dict[str, object], dates: dict[str, dt.date] | None = None) -> Deadline:
        """Also reads records stored before `confidence` and `candidates` existed.

        `dates` (optional) remembers the dates read, for a decoder reading many records: a ledger's
        deadlines share a few hundred dates, so each is parsed once and its object shared."""
        due = d.get("due")
        raw = d.get("candidates")
        return tuple.__new__(  # positionally, as the NamedTuple's own _make: no keyword handling
            cls,
            (
                d.get("kind", "none"),
                (_date(str(due), dates) if dates is not None else dt.date.fromisoformat(str(due))) if due else None,
                d.get("recur"),
                str(d.get("span") or ""),
                bool(d.get("ongoing_after", False)),
                "low" if d.get("confidence") == "low" else "high",
                tuple((dt.date.fromisoformat(str(p[0])), str(p[1])) for p in raw)
                if raw and isinstance(raw, (list, tuple))
                else (),
            ),
        )


def _date(text: str, seen: dict[str, dt.date]) -> dt.date:
    day = seen.get(text)
    if day is None:
        day = seen[text] = dt.date.fromisoformat(text)
    return day


NO_DEADLINE = Deadline()


@dataclass(frozen=True)
class Event:
    """One entry of a measure's history or of the audit log; never rewritten."""

    at: dt.datetime
    actor: str
    action: str
    from_status: str = ""
    to_status: str = ""
    note: str = ""
    files: tuple[str, ...] = ()
    measure_id: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "note": self.note,
            "files": list(self.files),
            "measure": self.measure_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, object], times: dict[str, dt.datetime] | None = None) -> Event:
        """`times` (optional) remembers the timestamps read, for a decoder reading many records: an
        import stamps thousands of events with one time, parsed once then (and one tzinfo shared)."""
        at = str(d["at"])
        when = times.get(at) if times is not None else None
        if when is None:
            when = dt.datetime.fromisoformat(at)
            if times is not None:
                times[at] = when
        files = d.get("files")
        return cls(
            when,
            str(d.get("actor", "")),
            str(d.get("action", "")),
            str(d.get("from", "")),
            str(d.get("to", "")),
            str(d.get("note", "")),
            tuple([str(f) for f in files]) if files and isinstance(files, (list, tuple)) else (),
            str(d.get("measure", "")),
        )


@dataclass(frozen=True)
class Extension:
    """A pending request to move a measure's due date (申请延期)."""

    new_due: dt.date
    reason: str
    requested_by: str
    requested_at: dt.datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "new_due": self.new_due.isoformat(),
            "reason": self.reason,
            "by": self.requested_by,
            "at": self.requested_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Extension:
        return cls(
            new_due=dt.date.fromisoformat(str(d["new_due"])),
            reason=str(d.get("reason", "")),
            requested_by=str(d.get("by", "")),
            requested_at=dt.datetime.fromisoformat(str(d["at"])),
        )


@dataclass(frozen=True)
class Evidence:
    """What a unit offered as proof of completion: a note and/or Telegram file ids."""

    note: str = ""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A problem the inspection found (e.g. 关于“教育资源投入不足”问题)."""

    id: int
    title: str
    section: str = ""
    leader: str = ""


@dataclass(frozen=True)
class Measure:
    """One rectification measure; `id` is the office's own (A-1, ZG-01, 2024-整改-015) or `P{problem}-{n}`.

    `extra` keeps the ledger's columns Duban does not use (整改进展, 佐证材料 …) as (header, value),
    so an export writes them back.
    """

    id: str
    problem: int
    text: str
    unit: str = ""
    co_units: tuple[str, ...] = ()
    leader: str = ""
    deadline_text: str = ""
    deadline: Deadline = NO_DEADLINE
    status: Status = "open"
    unit_inferred: bool = False
    note: str = ""
    evidence: Evidence = Evidence()
    due_override: dt.date | None = None
    extension: Extension | None = None
    history: tuple[Event, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def due(self) -> dt.date | None:
        """The date the unit must meet: an approved extension wins over the parsed deadline."""
        return self.due_override or self.deadline.due


@dataclass(frozen=True)
class Unit:
    """A responsible unit (责任单位), e.g. 区教育局."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Member:
    """A Telegram user (or group chat) bound to a unit."""

    user_id: int
    chat_id: int
    unit: str
    role: Literal["member", "admin"] = "member"
    name: str = ""
    active: bool = True


@dataclass(frozen=True)
class ReportMeta:
    """The source report and the headline figures it states about itself."""

    title: str = ""
    issuer: str = ""
    date: dt.date | None = None
    feedback_date: dt.date | None = None
    published: dt.date | None = None
    problems_total: int | None = None
    problems_due_within_year: int | None = None
    problems_done: int | None = None
    measures_total: int | None = None
    measures_due_within_year: int | None = None
    measures_done: int | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for k, v in self.__dict__.items():
            if v is None or v == "":
                continue
            out[k] = v.isoformat() if isinstance(v, dt.date) else v
        return out

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> ReportMeta:
        kw: dict[str, object] = {}
        for k in cls.__dataclass_fields__:
            if k not in d:
                continue
            v = d[k]
            if k in ("date", "feedback_date", "published") and v:
                v = v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
            kw[k] = v
        return cls(**kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Ledger:
    """A whole ledger as read from a file, before it is merged into the store."""

    report: ReportMeta = field(default_factory=ReportMeta)
    problems: tuple[Problem, ...] = ()
    measures: tuple[Measure, ...] = ()
    units: tuple[Unit, ...] = ()
