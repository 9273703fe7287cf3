"""What the office asks of the ledger, shared by the CLI and the bot.

Each function takes the ledger (measures, problems, the report), `today` and the policy's
numbers, and returns lines (Telegram HTML, see `ledger.messages.h`), JSON-ready dicts or file
bytes. Neither side computes these on its own, so the CLI's `export` and the bot's `/export`
colour a measure the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ledger.calendar_cn import uncovered_years
from ledger.errors import DubanError
from ledger.i18n import plain, status_label, t
from ledger.ledgerwrite import TIER_LABELS, export_rows, export_rows_steps, write_csv, write_toml, xlsx_sheets
from ledger.messages import h, left_label, plain_text, render_overdue, render_progress, render_reminder
from ledger.models import Measure, Member, Problem, ReportMeta, Unit
from ledger.planner import Reminder
from ledger.policy import Policy
from ledger.review import review_items
from ledger.status import STATUS_WORDS, status_from_word, submitted_since
from ledger.tiers import colour
from ledger.units import match_units
from ledger.views import Progress, deadline_label, headline, overdue_items, progress, shorten
from ledger.xlsxwrite import workbook_steps

EXPORT_FORMATS = (".toml", ".csv", ".xlsx")
MINE_ORDER = ("red", "yellow", "green", "submitted", "")
PAGE = 25


# -- files -------------------------------------------------------------------------------------
def export_bytes(
    fmt: str,
    measures: list[Measure],
    problems: list[Problem],
    report: ReportMeta,
    units: list[Unit],
    today: dt.date,
    yellow_days: int,
) -> bytes:
    """The ledger as `.toml`, `.csv` or `.xlsx` (traffic-light fills and an overdue sheet)."""
    if fmt == ".toml":
        return write_toml(report, problems, measures, units).encode("utf-8")
    if fmt not in (".csv", ".xlsx"):
        raise DubanError(f"不支持导出为 {fmt or '(无扩展名)'}，请用 .toml、.csv 或 .xlsx。")
    if fmt == ".csv":
        tiers = {m.id: colour(m, today, yellow_days) for m in measures}
        return write_csv(export_rows(problems, measures, {k: TIER_LABELS[v] for k, v in tiers.items()}))
    out = io.BytesIO()
    for _ in xlsx_export_steps(out, measures, problems, today, yellow_days):
        pass
    return out.getvalue()


def xlsx_export_steps(
    out: io.BytesIO, measures: list[Measure], problems: list[Problem], today: dt.date, yellow_days: int
) -> Iterator[None]:
    """The XLSX export written into `out` in steps (see `ledger.xlsxwrite.workbook_steps`)."""
    tiers = {m.id: colour(m, today, yellow_days) for m in measures}
    yield
    rows: list[list[str]] = []
    yield from export_rows_steps(problems, measures, {k: TIER_LABELS[v] for k, v in tiers.items()}, rows)
    overdue = [rows[0]] + [r for r, m in zip(rows[1:], measures, strict=True) if tiers[m.id] == "red"]
    sheets = xlsx_sheets(rows, [tiers[m.id] for m in measures], overdue)
    yield
    yield from workbook_steps(sheets, out)


def export_format(path: str) -> str:
    return os.path.splitext(path)[1].lower()


# -- figures -----------------------------------------------------------------------------------
def unit_progress(measures: Iterable[Measure], today: dt.date) -> dict[str, Progress]:
    """Progress per responsible unit, in one pass over the ledger."""
    by_unit: dict[str, list[Measure]] = defaultdict(list)
    for m in measures:
        by_unit[m.unit].append(m)
    return {u: progress(ms, today) for u, ms in sorted(by_unit.items())}


def progress_json(p: Progress) -> dict[str, Any]:
    return {
        "problems": p.problems_total,
        "problems_done": p.problems_done,
        "measures": p.measures_total,
        "done": p.measures_done,
        "submitted": p.submitted,
        "overdue": p.overdue,
        "ongoing": p.ongoing,
        "rate": round(p.rate, 1),
    }


def stats_json(measures: list[Measure], report: ReportMeta, today: dt.date) -> dict[str, Any]:
    return {
        "overall": progress_json(progress(measures, today)),
        "no_deadline": len(review_items(measures)),
        "report": report.to_dict(),
        "units": {u: progress_json(x) for u, x in unit_progress(measures, today).items()},
    }


def stats_lines(
    measures: list[Measure], report: ReportMeta, today: dt.date, lang: str = "zh", warning: str | None = None
) -> list[str]:
    """The `/stats` text: the headline beside the report's, then each unit, the latest first."""
    p = progress(measures, today)
    lines = [t(lang, "stats_head", today=today), headline(p, report, lang), render_progress(p, lang)]
    lines.append(t(lang, "stats_no_deadline", n=len(review_items(measures))))
    if warning:
        lines.append(warning)
    lines.append(t(lang, "stats_units_head"))
    per_unit = unit_progress(measures, today)
    for name, x in sorted(per_unit.items(), key=lambda kv: (-kv[1].overdue, kv[1].rate, kv[0])):
        lines.append(
            t(
                lang,
                "stats_unit",
                unit=name,
                done=x.measures_done,
                total=x.measures_total,
                rate=f"{x.rate:.0f}",
                open=x.measures_total - x.measures_done - x.submitted,
                submitted=x.submitted,
                overdue=x.overdue,
                ongoing=x.ongoing,
            )
        )
    return lines


def render_mine(measures: list[Measure], today: dt.date, yellow_days: int, lang: str) -> list[str]:
    """A unit's open measures grouped by colour, most urgent first, with due dates and days left."""
    groups: dict[str, list[Measure]] = {}
    for m in measures:
        key = "submitted" if m.status == "submitted" else colour(m, today, yellow_days)
        groups.setdefault(key, []).append(m)
    lines: list[str] = []
    for key in MINE_ORDER:
        ms = sorted(groups.get(key, []), key=lambda m: (m.due or dt.date.max, m.id))
        if not ms:
            continue
        lines.append(f"<b>{plain(lang, f'colour.{key}')}</b>（{len(ms)}）")
        for m in ms:
            when = f"{m.due} {left_label(m.due, today, lang)}" if m.due else deadline_label(m, lang)
            lines.append(f"{h(m.id)} · {h(when)} · {h(shorten(m.text, 36))}")
    return lines


def mine_lines(measures: Iterable[Measure], units: set[str], today: dt.date, yellow_days: int, lang: str) -> list[str]:
    """`/mine`, and what a chat hears on binding: the units' open measures by colour."""
    names = "、".join(sorted(units))
    ours = [m for m in measures if m.unit in units]
    open_ = [m for m in ours if m.status == "open"]
    waiting = sum(m.status == "submitted" for m in ours)
    foot = [t(lang, "also_waiting", n=waiting)] if waiting else []
    if not open_:
        return [t(lang, "no_open", units=names), *foot]
    return [t(lang, "mine_head", units=names, n=len(open_)), *render_mine(open_, today, yellow_days, lang), *foot]


def select(
    measures: list[Measure], units: list[str], unit: str | None, status: str | None, aliases: dict[str, str]
) -> list[Measure]:
    """`list --unit 教育局 --status 已办结`: units by any spelling, statuses by any status word; says
    when the unit or the word matches nothing instead of printing an empty list."""
    word = status_from_word(status) if status else None
    if status and word is None:
        raise DubanError(f"--status {status} 不是已知的状态。可用：{'、'.join(STATUS_WORDS)}")
    chosen: set[str] = set()
    if unit:
        chosen = set(match_units(unit, units + [m.unit for m in measures], aliases))
        if not chosen:
            raise DubanError(f"没有与“{unit}”相符的责任单位。No unit matches {unit}.")
    return [
        m for m in measures if (not chosen or chosen & {m.unit, *m.co_units}) and (word is None or m.status == word[0])
    ]


# -- lists ---------------------------------------------------------------------------------------
def pending_items(measures: Iterable[Measure]) -> list[tuple[dt.datetime, Measure]]:
    """Submissions awaiting sign-off and extensions awaiting a decision, oldest first."""
    items: list[tuple[dt.datetime, Measure]] = []
    for m in measures:
        if m.status == "submitted":
            items.append((submitted_since(m) or dt.datetime.min.replace(tzinfo=dt.UTC), m))
        elif m.extension is not None:
            items.append((m.extension.requested_at, m))
    return sorted(items, key=lambda x: x[0])


def pending_lines(measures: Iterable[Measure], lang: str = "zh") -> list[str]:
    items = pending_items(measures)
    if not items:
        return [t(lang, "pending_none")]
    lines = [t(lang, "pending_head", n=len(items))]
    for at, m in items:
        if m.status == "submitted" or m.extension is None:
            kind = t(lang, "pending_signoff")
        else:
            kind = t(lang, "pending_extension", date=m.extension.new_due)
        note = shorten(m.evidence.note or m.text, 30)
        lines.append(f"{h(m.id)} {h(m.unit)} {kind} · {at:%m-%d %H:%M} · {h(note)}")
    return lines


def due_within(measures: Iterable[Measure], today: dt.date, days: int) -> list[Measure]:
    """Measures not yet done falling due from today to `days` ahead, soonest first."""
    until = today + dt.timedelta(days=days)
    return sorted(
        (m for m in measures if m.status != "done" and m.due and today <= m.due <= until),
        key=lambda m: (m.due or today, m.id),
    )


def due_lines(measures: Iterable[Measure], today: dt.date, days: int, lang: str = "zh") -> list[str]:
    ms = due_within(measures, today, days)
    lines = [t(lang, "due_head", days=days, n=len(ms))]
    lines += [f"{h(m.id)} {m.due} {h(m.unit)} · {h(shorten(m.text, 30))}" for m in ms]
    return lines


def find_lines(measures: Iterable[Measure], word: str, lang: str = "zh", limit: int = 60) -> list[str]:
    ms = [m for m in measures if word in m.text or word in m.unit or word == m.id]
    lines = [t(lang, "find_head", word=word, n=len(ms))]
    lines += [f"{h(m.id)} {h(m.unit)} {status_label(m.status, lang)} · {h(shorten(m.text, 40))}" for m in ms[:limit]]
    return lines


def unit_lines(measures: Iterable[Measure], unit: str, today: dt.date, lang: str = "zh") -> list[str]:
    ms = [m for m in measures if m.unit == unit]
    lines = [f"<b>{h(unit)}</b>：{h(headline(progress(ms, today), lang=lang))}"]
    for m in ms:
        lines.append(f"{h(m.id)} {status_label(m.status, lang)} {m.due or '—'} · {h(shorten(m.text, 30))}")
    return lines


def overdue_page(measures: Iterable[Measure], today: dt.date, page: int, lang: str = "zh") -> tuple[str, int]:
    """One page of `/overdue` and the number of pages."""
    items = overdue_items(measures, today)
    pages = max(1, (len(items) + PAGE - 1) // PAGE)
    page = min(max(page, 0), pages - 1)
    lines = render_overdue(items[page * PAGE : (page + 1) * PAGE], lang)
    if items:
        lines[0] = t(lang, "overdue_head_page", n=len(items), page=page + 1, pages=pages)
    return "\n".join(lines), pages


def overdue_json(measures: Iterable[Measure], today: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "measure": m.id,
            "unit": m.unit,
            "due": m.due.isoformat() if m.due else None,
            "workdays_late": late,
            "days_late": (today - m.due).days if m.due else None,
            "status": m.status,
        }
        for m, late in overdue_items(measures, today)
    ]


def members_lines(members: Sequence[Member], measures: Iterable[Measure], lang: str = "zh") -> list[str]:
    """Which units with open measures have someone bound, and which still have nobody to remind."""
    bound: dict[str, list[str]] = {}
    for mb in members:
        if mb.active:
            bound.setdefault(mb.unit, []).append(mb.name or str(mb.user_id))
    units = sorted({m.unit for m in measures if m.status != "done"})
    lines = [t(lang, "members_head", bound=sum(u in bound for u in units), total=len(units))]
    lines += [t(lang, "members_bound", unit=u, names="、".join(bound[u])) for u in units if u in bound]
    lines += [t(lang, "members_missing", unit=u) for u in units if u not in bound]
    lines += [
        t(lang, "members_leader", name=u.removeprefix("leader:"), names="、".join(v))
        for u, v in bound.items()
        if u.startswith("leader:")
    ]
    return lines


def reminder_json(r: Reminder) -> dict[str, Any]:
    return {
        "measure": r.measure_id,
        "tier": r.tier,
        "unit": r.unit,
        "due": r.due.isoformat(),
        "recipients": list(r.recipients),
        "occurrence": r.occurrence,
        "key": r.key,
        "reason": r.reason,
        "days": r.days,
    }


def stats_cli_lines(measures: list[Measure], report: ReportMeta, today: dt.date) -> list[str]:
    """`run_bot.py stats`: the headline beside the report's, then one line per unit."""
    p = progress(measures, today)
    lines = [headline(p, report), render_progress(p)]
    for unit, x in unit_progress(measures, today).items():
        lines.append(
            f"  {unit}: {x.measures_done}/{x.measures_total} 完成率{x.rate:.0f}% 逾期{x.overdue} 待销号{x.submitted}"
        )
    return lines


def check_lines(reminders: list[Reminder], measures: dict[str, Measure], now: dt.datetime) -> list[str]:
    """`run_bot.py check`: each reminder a sweep at `now` would send, and to whom."""
    lines = []
    for r in reminders:
        lines.append(plain_text(render_reminder(r, measures[r.measure_id], now.date())))
        lines.append("   → " + (", ".join(map(str, r.recipients)) or "(无人可发送：单位未绑定)") + "\n")
    lines.append(f"共 {len(reminders)} 条提醒（{now:%Y-%m-%d %H:%M %Z}）")
    return lines


def calendar_warning(today: dt.date, lead_days: Sequence[int], lang: str = "zh") -> str | None:
    """A warning when the reminders' horizon reaches a year whose holidays nobody told us."""
    end = today + dt.timedelta(days=max(lead_days, default=0) + 31)
    missing = uncovered_years(today, end)
    if not missing:
        return None
    return t(lang, "calendar_missing", years="、".join(str(y) for y in missing))


def calendar_lines(today: dt.date, lead_days: Sequence[int], from_file: Sequence[int]) -> tuple[list[str], bool]:
    """`run_bot.py calendar check`: which years are known, and whether the reminders' horizon is covered."""
    from ledger.calendar_cn import covered_years, package_knows

    package = [y for y in covered_years() if package_knows(y)]
    warning = calendar_warning(today, lead_days)
    horizon = today + dt.timedelta(days=max(lead_days, default=0) + 31)
    return [
        f"chinesecalendar: {package[0]}–{package[-1]}" if package else "chinesecalendar: —",
        "[calendar] file: " + ("、".join(map(str, from_file)) if from_file else "—"),
        warning or f"至 {horizon} 的节假日均已知。",
    ], warning is None


def held_lines(now: dt.datetime, held: dt.datetime, policy: Policy, lang: str = "zh") -> list[str]:
    """`run_bot.py check` outside the sending window: nothing is sent now, and when it will be."""
    end = policy.working_hours[1]
    text = t(lang, "check_held", now=f"{now:%Y-%m-%d %H:%M}", send_at=f"{policy.send_at:%H:%M}", end=f"{end:%H:%M}")
    return [plain_text(text), plain_text(t(lang, "check_held_until", at=f"{held:%Y-%m-%d %H:%M %Z}"))]


def chart_labels(lang: str) -> dict[str, str]:
    return {k: plain(lang, f"chart.{k}") for k in ("done", "submitted", "red", "yellow", "green", "")}
