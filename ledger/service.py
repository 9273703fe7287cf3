"""Use cases on the ledger, written against a repository protocol (no storage details).

`plan_import` compares a parsed file with the store and says what would change;
`apply_import` writes it in one batch, so a failure leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from ledger.deadlines import parse_deadline
from ledger.errors import LedgerImportError
from ledger.import_summary import new_units_text as _new_units_text
from ledger.import_summary import summary_lines
from ledger.ledgerfile import ParsedLedger, read_ledger
from ledger.models import Deadline, Event, Measure, Member, Problem, ReportMeta, Unit
from ledger.planner import Directory
from ledger.progress import Progress, ticker
from ledger.records import evolve
from ledger.reimport import Match, pair_by_id, pair_by_text
from ledger.status import imported
from ledger.units import UnitMatch, resolve_unit, unit_key

EDITABLE = ("text", "unit", "co_units", "leader", "deadline_text", "note", "unit_inferred", "problem", "extra")


class Repo(Protocol):
    def report(self) -> ReportMeta: ...
    def set_report(self, report: ReportMeta) -> None: ...
    def problems(self) -> list[Problem]: ...
    def put_problem(self, p: Problem) -> None: ...
    def put_problems(self, problems: Iterable[Problem]) -> None: ...
    def put_units(self, units: Iterable[Unit]) -> None: ...
    def units(self) -> list[Unit]: ...
    def put_unit(self, u: Unit) -> None: ...
    def measures(self) -> list[Measure]: ...
    def measure(self, measure_id: str) -> Measure: ...
    def has_measure(self, measure_id: str) -> bool: ...
    def put_measure(self, m: Measure) -> None: ...
    def put_measures(self, measures: list[Measure]) -> None: ...
    def rename_measures(self, pairs: list[tuple[str, str]]) -> None: ...
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
    renames: list[tuple[str, str]] = field(default_factory=list)  # stored id → the file's id
    moved_aside: list[tuple[str, str]] = field(default_factory=list)
    new_units: list[UnitMatch] = field(default_factory=list)
    read: ParsedLedger = field(default_factory=ParsedLedger)
    deadlines: dict[str, list[str]] = field(default_factory=dict)  # date / prose / unreadable → ids

    @property
    def changes(self) -> bool:
        return bool(self.new or self.updated or self.problems or self.units or self.report or self.renames)

    def summary(self) -> str:
        return "\n".join(summary_lines(self))


def resolve_ref(parsed: ParsedLedger, repo: Repo, now: dt.datetime) -> dt.date:
    """Deadlines in a ledger are read against the report's date, else today."""
    return parsed.report.date or repo.report().date or now.date()


def plan_import(
    parsed: ParsedLedger,
    repo: Repo,
    now: dt.datetime,
    source: str,
    *,
    match: Match = "id",
    accept_changes: bool = False,
    strict_units: bool = False,
    aliases: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """What importing `parsed` would change; raises LedgerImportError (nothing written) where it must not.
    `progress` hears ("plan", measures done, measures) as units and deadlines are read."""
    ref = resolve_ref(parsed, repo, now)
    report = parsed.report if parsed.report.to_dict() and parsed.report != repo.report() else None
    plan = ImportPlan(source=source, ref=ref, report=report, read=parsed)
    existing_problems = {p.id: p for p in repo.problems()}
    plan.problems = [p for p in parsed.problems if existing_problems.get(p.id) != p]
    existing_units = {u.name: u for u in repo.units()}
    plan.units = [u for u in parsed.units if existing_units.get(u.name) != u]
    stored = repo.measures()
    rows = _resolve_units(parsed, stored, [*repo.units(), *parsed.units], aliases, plan, progress)
    if strict_units and plan.new_units:
        raise LedgerImportError(_new_units_text(plan.new_units) + " Unknown units (--strict-units).", file=source)
    pairing = pair_by_text(rows, stored) if match == "text" else pair_by_id(rows, stored, source, accept_changes)
    plan.renames, plan.moved_aside = pairing.renames, pairing.moved_aside
    matched = set()
    for m in rows:
        _count_deadline(plan, m, m.deadline, parsed)
        old = pairing.stored_for.get(m.id)
        if old is None:
            plan.new.append(m)
            continue
        matched.add(old.id)
        changed = [f for f in EDITABLE if getattr(old, f) != getattr(m, f)]
        if old.status != m.status:
            plan.status_kept.append((m.id, old.status, m.status))
        if changed:
            plan.updated.append((m, changed))
        else:
            plan.unchanged += 1
    plan.not_in_file = [m.id for m in stored if m.id not in matched]
    return plan


def _resolve_units(
    parsed: ParsedLedger,
    stored: list[Measure],
    units: list[Unit],
    aliases: Mapping[str, str] | None,
    plan: ImportPlan,
    progress: Progress | None = None,
) -> list[Measure]:
    """Each unit name in the file resolved against the directory (names not in it are listed as new),
    and each deadline read against `plan.ref`: every measure copied once, with both."""
    known = list(dict.fromkeys([u.name for u in units] + [n for m in stored for n in (m.unit, *m.co_units) if n]))
    table = {a: u.name for u in units for a in u.aliases} | parsed.aliases | dict(aliases or {})
    seen: dict[str, str] = {}
    new_by_key: dict[str, str] = {}  # the new units so far, by the form names are compared in

    def name(written: str) -> str:
        if written not in seen:
            hit = resolve_unit(written, known, table)
            if hit.how == "new":  # the same new unit, spelled another way, is that unit (one lookup, not a scan)
                key = unit_key(written)
                same = new_by_key.get(key)
                if same is None:
                    plan.new_units.append(hit)
                    new_by_key[key] = hit.name
                else:
                    hit = UnitMatch(written, same, "normalised")
            seen[written] = hit.name
        return seen[written]

    # A large ledger repeats a few hundred deadline texts; parse_deadline is pure, so each is parsed once
    # (a cache for this import only: nothing outlives it, whatever the calendar files say next time).
    deadline = functools.lru_cache(maxsize=None)(parse_deadline)
    tick = ticker(progress, "plan", len(parsed.measures))
    out = []
    for n, m in enumerate(parsed.measures, start=1):
        unit = name(m.unit) if m.unit else ""
        co = tuple(dict.fromkeys(c for c in (name(x) for x in m.co_units) if c != unit))
        out.append(evolve(m, unit=unit, co_units=co, deadline=deadline(m.deadline_text, plan.ref)))
        tick(n)
    return out


def _count_deadline(plan: ImportPlan, m: Measure, d: Deadline, parsed: ParsedLedger) -> None:
    if m.id in parsed.deadline_dates or d.kind == "date":
        kind = "date"
    elif d.kind != "none" or not m.deadline_text:
        kind = "prose" if m.deadline_text else "empty"
    else:
        kind = "unreadable"
    plan.deadlines.setdefault(kind, []).append(m.id)
    if d.confidence == "low":
        plan.deadlines.setdefault("low", []).append(m.id)  # a weaker reading: the office should confirm it


def confirm_reasons(plan: ImportPlan) -> list[str]:
    """What in the plan the reader guessed or would change riskily, for the office to confirm first.

    A status or unit put on the wrong measure is silent once written, so the bot asks before a
    plan with any of these is applied: cells split, units filled or inferred, status words read or
    not understood, measures coming in with a status, texts of stored measures changed, renumbering.
    """
    reasons = []
    if plan.read.guesses:
        reasons.append("读取时有推断（拆分单元格、补填或推断责任单位、状态词等）")
    if plan.new_units:
        reasons.append(f"新单位 {len(plan.new_units)} 个")
    with_status = [m.id for m in plan.new if m.status != "open"]
    if with_status:
        reasons.append(f"带状态导入的措施 {len(with_status)} 条")
    edited = [m.id for m, fields in plan.updated if "text" in fields]
    if edited:
        reasons.append(f"措施内容改动 {len(edited)} 条")
    if plan.renames or plan.moved_aside:
        reasons.append(f"编号变更 {len(plan.renames) + len(plan.moved_aside)} 条")
    return reasons


def apply_import(plan: ImportPlan, repo: Repo, now: dt.datetime, actor: str, progress: Progress | None = None) -> None:
    """Write the plan in one batch: all of it, or (on any error) none of it. `progress` hears
    ("write", measures written, new and updated measures); the last is told once the file is written."""
    if not plan.changes:
        return
    total = len(plan.new) + len(plan.updated)
    tick = ticker(progress, "write", total, parts=10)
    with repo.batch():
        if plan.report is not None:
            repo.set_report(plan.report)
        repo.put_problems(plan.problems)
        repo.put_units(plan.units)
        if plan.renames or plan.moved_aside:
            repo.rename_measures(plan.moved_aside + plan.renames)
            for old_id, new_id in plan.moved_aside + plan.renames:
                m = repo.measure(new_id)
                ev = Event(
                    now, actor, "renumber", m.status, m.status, f"导入时编号 {old_id} → {new_id}", measure_id=new_id
                )
                repo.put_measure(replace(m, history=m.history + (ev,)))
        news = [imported(m, actor, now) for m in plan.new]
        step = max(1, -(-len(news) // 10) if progress else len(news))  # in tenths only to tell how far it got
        for k in range(0, max(len(news), 1), step):
            repo.put_measures(news[k : k + step])
            tick(min(k + step, len(news), total - 1))  # the end is told once the batch is written
        for done, (m, fields) in enumerate(plan.updated, start=len(news) + 1):
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
            tick(min(done, total - 1))
    tick(total)


def import_file(
    repo: Repo,
    path: str,
    now: dt.datetime,
    actor: str,
    *,
    dry_run: bool = False,
    match: Match = "id",
    accept_changes: bool = False,
    sheet: str | None = None,
    strict_units: bool = False,
    aliases: Mapping[str, str] | None = None,
    split: bool = True,
    progress: Progress | None = None,
) -> ImportPlan:
    """Read, validate and (unless `dry_run`) apply a ledger file: all of it or nothing.

    `match="text"` pairs rows with stored measures by content (after an office renumbered);
    `accept_changes` takes changed texts under the same id as edits; `sheet` picks one sheet;
    `strict_units` refuses a unit the directory does not know; `aliases` maps written → unit;
    `split=False` keeps a cell of numbered measures as one measure; `progress` hears each stage
    (`ledger.progress`: rows read, measures checked, compared, written).
    """
    with _no_collection():
        parsed = read_ledger(path, repo.problems(), sheet=sheet, split=split, progress=progress)
        plan = plan_import(
            parsed,
            repo,
            now,
            os.path.basename(path),
            match=match,
            accept_changes=accept_changes,
            strict_units=strict_units,
            aliases=aliases,
            progress=progress,
        )
        if not dry_run:
            apply_import(plan, repo, now, actor, progress)
    return plan


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused for one import: a large ledger makes a million objects
    that live to the end (cells, rows, measures, store documents), and each collection walked them
    all again to free nothing (1.2-2 s of a 50 000-row import). Reference counting still frees
    everything else; the collector is back, as it was, when the import ends or fails."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


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
