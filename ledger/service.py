"""Use cases on the ledger, written against a repository protocol (no storage details).

`plan_import` compares a parsed file with the store and says what would change;
`apply_import` writes it in one batch, so a failure leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Protocol

from ledger.deadlines import parse_deadline
from ledger.ledgerfile import ParsedLedger, read_ledger
from ledger.models import Event, Measure, Member, Problem, ReportMeta, Unit
from ledger.planner import Directory
from ledger.status import set_status_by_import

EDITABLE = ("text", "unit", "co_units", "leader", "deadline_text", "note", "unit_inferred", "problem")


class Repo(Protocol):
    def report(self) -> ReportMeta: ...
    def set_report(self, report: ReportMeta) -> None: ...
    def problems(self) -> list[Problem]: ...
    def put_problem(self, p: Problem) -> None: ...
    def units(self) -> list[Unit]: ...
    def put_unit(self, u: Unit) -> None: ...
    def measures(self) -> list[Measure]: ...
    def measure(self, measure_id: str) -> Measure: ...
    def has_measure(self, measure_id: str) -> bool: ...
    def put_measure(self, m: Measure) -> None: ...
    def put_measures(self, measures: list[Measure]) -> None: ...
    def append_event(self, ev: Event) -> None: ...
    def batch(self) -> contextlib.AbstractContextManager[None]: ...


@dataclass
class ImportPlan:
    source: str
    ref: dt.date
    report: ReportMeta | None
    new: list[Measure] = field(default_factory=list)
    updated: list[tuple[Measure, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    status_kept: list[tuple[str, str, str]] = field(default_factory=list)  # id, store, file
    not_in_file: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        return bool(self.new or self.updated or self.problems or self.units or self.report)

    def summary(self) -> str:
        lines = [f"{self.source}：新增 {len(self.new)} 条，更新 {len(self.updated)} 条，未变 {self.unchanged} 条。"]
        for m, fields in self.updated[:20]:
            lines.append(f"  更新 {m.id}：{'、'.join(fields)}")
        if len(self.updated) > 20:
            lines.append(f"  ……另有 {len(self.updated) - 20} 条更新")
        for mid, old, new in self.status_kept[:20]:
            lines.append(f"  {mid}：文件中状态为“{new}”，台账中为“{old}”，保留台账状态（状态变更请在对话中办理）")
        if self.not_in_file:
            lines.append(f"  文件中没有、台账中保留的措施：{len(self.not_in_file)} 条")
        return "\n".join(lines)


def resolve_ref(parsed: ParsedLedger, repo: Repo, now: dt.datetime) -> dt.date:
    """Deadlines in a ledger are read against the report's date, else today."""
    return parsed.report.date or repo.report().date or now.date()


def plan_import(parsed: ParsedLedger, repo: Repo, now: dt.datetime, source: str) -> ImportPlan:
    ref = resolve_ref(parsed, repo, now)
    report = parsed.report if parsed.report.to_dict() and parsed.report != repo.report() else None
    plan = ImportPlan(source=source, ref=ref, report=report)
    existing_problems = {p.id: p for p in repo.problems()}
    plan.problems = [p for p in parsed.problems if existing_problems.get(p.id) != p]
    existing_units = {u.name: u for u in repo.units()}
    plan.units = [u for u in parsed.units if existing_units.get(u.name) != u]
    in_file = set()
    for m in parsed.measures:
        in_file.add(m.id)
        if not repo.has_measure(m.id):
            plan.new.append(replace(m, deadline=parse_deadline(m.deadline_text, ref)))
            continue
        old = repo.measure(m.id)
        changed = [f for f in EDITABLE if getattr(old, f) != getattr(m, f)]
        if old.status != m.status:
            plan.status_kept.append((m.id, old.status, m.status))
        if changed:
            plan.updated.append((m, changed))
        else:
            plan.unchanged += 1
    plan.not_in_file = [m.id for m in repo.measures() if m.id not in in_file]
    return plan


def apply_import(plan: ImportPlan, repo: Repo, now: dt.datetime, actor: str) -> None:
    """Write the plan in one batch: all of it, or (on any error) none of it."""
    if not plan.changes:
        return
    with repo.batch():
        if plan.report is not None:
            repo.set_report(plan.report)
        for p in plan.problems:
            repo.put_problem(p)
        for u in plan.units:
            repo.put_unit(u)
        repo.put_measures(
            [set_status_by_import(replace(m, status="open", history=()), m.status, actor, now) for m in plan.new]
        )
        for m, fields in plan.updated:
            old = repo.measure(m.id)
            new = replace(old, **{f: getattr(m, f) for f in fields})
            if "deadline_text" in fields:
                new = replace(new, deadline=parse_deadline(m.deadline_text, plan.ref))
            ev = Event(
                at=now,
                actor=actor,
                action="edit",
                from_status=old.status,
                to_status=old.status,
                note="导入更新：" + "、".join(fields),
                measure_id=m.id,
            )
            repo.put_measure(replace(new, history=new.history + (ev,)))


def import_file(repo: Repo, path: str, now: dt.datetime, actor: str, *, dry_run: bool = False) -> ImportPlan:
    """Read, validate and (unless `dry_run`) apply a ledger file: all of it or nothing."""
    import os

    plan = plan_import(read_ledger(path, repo.problems()), repo, now, os.path.basename(path))
    if not dry_run:
        apply_import(plan, repo, now, actor)
    return plan


def build_directory(members: list[Member], admin_ids: list[int], admin_chat: int = 0) -> Directory:
    """Chats per unit (active members and bound groups), per lead official, and the admins'."""
    units: dict[str, list[int]] = {}
    leaders: dict[str, list[int]] = {}
    for mb in members:
        if not mb.active:
            continue
        if mb.unit.startswith("leader:"):
            leaders.setdefault(mb.unit[len("leader:") :], []).append(mb.chat_id)
        else:
            units.setdefault(mb.unit, []).append(mb.chat_id)
    admins = (admin_chat,) if admin_chat else tuple(admin_ids)
    return Directory(
        unit_chats={u: tuple(dict.fromkeys(c)) for u, c in units.items()},
        leader_chats={u: tuple(dict.fromkeys(c)) for u, c in leaders.items()},
        admin_chats=tuple(admins),
    )
