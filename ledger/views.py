"""Plain-text and JSON views of the ledger, shared by the CLI and the bot."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ledger.calendar_cn import workdays_between
from ledger.i18n import plain, status_label, t
from ledger.models import Measure, Problem, ReportMeta
from ledger.tiers import TIER_MARK, colour


def measure_json(m: Measure) -> str:
    return json.dumps(
        {
            "id": m.id,
            "problem": m.problem,
            "text": m.text,
            "unit": m.unit,
            "co_units": list(m.co_units),
            "status": m.status,
            "deadline_text": m.deadline_text,
            "due": m.due.isoformat() if m.due else None,
            "kind": m.deadline.kind,
            "recur": m.deadline.recur,
            "confidence": m.deadline.confidence,
            "candidates": [[due.isoformat(), words] for due, words in m.deadline.candidates],
            "unit_inferred": m.unit_inferred,
        },
        ensure_ascii=False,
    )


def shorten(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def deadline_label(m: Measure, lang: str = "zh") -> str:
    """The due date, else what kind of duty it is (每季度, 长期坚持), else a dash."""
    d = m.deadline
    if m.due:
        return m.due.isoformat()
    if d.kind == "recurring":
        return plain(lang, f"recur.{d.recur or 'unspecified'}")
    if d.kind == "ongoing":
        return plain(lang, "kind.ongoing")
    return "—"


def overdue_items(measures: Iterable[Measure], today: dt.date) -> list[tuple[Measure, int]]:
    """Open measures past due, with working days late, most late first."""
    items = [
        (m, workdays_between(m.due, today))
        for m in measures
        if m.status != "done" and m.due is not None and m.due < today
    ]
    return sorted(items, key=lambda x: (-x[1], x[0].unit, x[0].id))


def ledger_lines(problems: list[Problem], measures: list[Measure], today: dt.date) -> list[str]:
    """The ledger grouped by problem, one line per measure, for a terminal."""
    by_problem: dict[int, list[Measure]] = defaultdict(list)
    for m in measures:
        by_problem[m.problem].append(m)
    titles = {p.id: p for p in problems}
    out: list[str] = []
    section = None
    for pid in sorted(by_problem):
        p = titles.get(pid)
        if p and p.section != section:
            section = p.section
            out.append(f"== {section} ==")
        out.append(f"问题{pid}. {p.title if p else ''}")
        for m in by_problem[pid]:
            mark = TIER_MARK[colour(m, today)]
            unit = m.unit + ("*" if m.unit_inferred else "")
            out.append(
                f"  {mark} {m.id:<7} {status_label(m.status):<4} {deadline_label(m):<10} {unit:<10} {shorten(m.text)}"
            )
    return out


@dataclass(frozen=True)
class Progress:
    problems_total: int
    problems_done: int
    measures_total: int
    measures_done: int
    submitted: int
    overdue: int
    ongoing: int

    @property
    def rate(self) -> float:
        return 100.0 * self.measures_done / self.measures_total if self.measures_total else 0.0


def progress(measures: list[Measure], today: dt.date) -> Progress:
    by_problem: dict[int, list[Measure]] = defaultdict(list)
    for m in measures:
        by_problem[m.problem].append(m)
    statuses = Counter(m.status for m in measures)
    return Progress(
        problems_total=len(by_problem),
        problems_done=sum(1 for ms in by_problem.values() if all(m.status == "done" for m in ms)),
        measures_total=len(measures),
        measures_done=statuses["done"],
        submitted=statuses["submitted"],
        overdue=sum(1 for m in measures if m.status != "done" and m.due and m.due < today),
        ongoing=sum(1 for m in measures if m.deadline.kind in ("ongoing", "recurring") and m.status != "done"),
    )


def headline(p: Progress, report: ReportMeta | None = None, lang: str = "zh") -> str:
    """ "30个问题中已完成11个；95条措施中已完成32条，完成率33.7%" beside the report's own claim."""
    line = t(
        lang,
        "headline",
        problems=p.problems_total,
        problems_done=p.problems_done,
        measures=p.measures_total,
        done=p.measures_done,
        rate=f"{p.rate:.1f}",
    )
    if report and report.measures_total:
        line += "\n" + t(
            lang,
            "headline_report",
            problems=report.problems_total,
            problems_done=report.problems_done,
            measures=report.measures_total,
            done=report.measures_done,
        )
    return line
