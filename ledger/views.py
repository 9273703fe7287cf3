"""Plain-text and JSON views of the ledger, shared by the CLI and the bot."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from ledger.models import Measure, Problem, ReportMeta
from ledger.status import STATUS_LABELS_ZH
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
            "unit_inferred": m.unit_inferred,
        },
        ensure_ascii=False,
    )


def shorten(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def deadline_label(m: Measure) -> str:
    d = m.deadline
    if m.due:
        return f"{m.due.isoformat()}"
    if d.kind == "recurring":
        return {
            "daily": "每日",
            "weekly": "每周",
            "monthly": "每月",
            "quarterly": "每季度",
            "half-yearly": "每半年",
            "yearly": "每年",
            "unspecified": "定期",
        }.get(d.recur or "", "定期")
    if d.kind == "ongoing":
        return "长期坚持"
    return "—"


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
                f"  {mark} {m.id:<7} {STATUS_LABELS_ZH[m.status]:<4} {deadline_label(m):<10} "
                f"{unit:<10} {shorten(m.text)}"
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


def headline(p: Progress, report: ReportMeta | None = None) -> str:
    """ "30个问题中已完成11个；95条措施中已完成32条，完成率33.7%" beside the report's own claim."""
    line = (
        f"{p.problems_total}个问题中已完成{p.problems_done}个；"
        f"{p.measures_total}条措施中已完成{p.measures_done}条，完成率{p.rate:.1f}%"
    )
    if report and report.measures_total:
        line += (
            f"\n（通报口径：{report.problems_total}个问题中已完成{report.problems_done}个；"
            f"{report.measures_total}条措施中已完成{report.measures_done}条）"
        )
    return line
