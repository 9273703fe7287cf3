"""Reminder, digest and query texts, as Telegram HTML; every piece of ledger text is escaped.

Chinese by default, English when `lang="en"`. Pure functions: the bot and the CLI share them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from html import escape, unescape

from ledger.calendar_cn import workdays_between
from ledger.i18n import fill, status_label, t
from ledger.models import Event, Measure
from ledger.planner import Reminder
from ledger.views import Progress, deadline_label, overdue_items, shorten

MARK = {"green": "🟢", "yellow": "🟡", "due": "🟠", "overdue": "🔴", "escalation": "🚨"}
TELEGRAM_LIMIT = 4096


def h(text: object) -> str:
    """Escape text for Telegram HTML."""
    return escape(str(text), quote=False)


def plain_text(html_text: str) -> str:
    """Telegram HTML as a terminal shows it: tags dropped, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html_text))


def left_label(due: dt.date, today: dt.date, lang: str = "zh") -> str:
    if due < today:
        return t(lang, "left.late", n=workdays_between(due, today))
    if due == today:
        return t(lang, "left.today")
    n = workdays_between(today, due)
    return t(lang, "left.workdays", n=n) if n else t(lang, "left.no_workday", days=(due - today).days)


def render_reminder(r: Reminder, m: Measure, today: dt.date, lang: str = "zh", for_admin: bool = False) -> str:
    if r.reason == "signoff":
        title = t(lang, "tier.signoff")
    elif r.tier == "due" and r.due != today:  # a due day off moved to the last working day before it
        title = t(lang, "tier.due_early")
    else:
        title = t(lang, f"tier.{r.tier}")
    lines = [f"{MARK[r.tier]} <b>{title}</b> · {h(m.id)}", h(shorten(m.text, 120))]
    lines.append(f"{t(lang, 'label.unit')}：{h(m.unit)}" + (f"（{h('、'.join(m.co_units))}）" if m.co_units else ""))
    written = m.deadline_text or ("—" if lang == "zh" else "-")
    occ = f" [{h(r.occurrence)}]" if r.occurrence != "0" else ""
    lines.append(
        f"{t(lang, 'label.deadline')}：{h(written)} → {r.due.isoformat()}{occ}，{left_label(r.due, today, lang)}"
    )
    if r.also:
        lines.append(periods_line(r, lang))
    if r.reason == "unbound":
        lines.append(t(lang, "unbound"))
    if for_admin:
        late = t(lang, "office_copy_late", n=r.workdays_late) if r.workdays_late else ""
        lines.append(fill(lang, "office_copy", late=late))
    elif r.reason != "signoff":
        lines.append(t(lang, "reply_done_hint"))
    return fit("\n".join(lines))


def periods_line(r: Reminder, lang: str = "zh") -> str:
    """A recurring duty's periods in one message: "本期2024-W50到期；上期2024-W49未报"."""
    rs = sorted((r, *r.also), key=lambda x: x.due, reverse=True)
    parts = [t(lang, "period_late" if x.days < 0 else "period_due", label=x.occurrence, due=x.due) for x in rs]
    return t(lang, "periods_sep").join(parts)


_TAG = re.compile(r"<(/?)([a-z-]+)[^>]*>")


def fit(text: str, limit: int = TELEGRAM_LIMIT) -> str:
    """Cut a message to Telegram's limit, never inside a tag or an entity, closing open tags."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 40]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:
        cut = cut[:lt]
    amp = cut.rfind("&")
    if amp > cut.rfind(";"):
        cut = cut[:amp]
    open_tags: list[str] = []
    for closing, name in _TAG.findall(cut):
        if closing and open_tags and open_tags[-1] == name:
            open_tags.pop()
        elif not closing:
            open_tags.append(name)
    return cut + "…" + "".join(f"</{name}>" for name in reversed(open_tags))


def split_messages(lines: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join lines into as few messages as fit under the limit."""
    out: list[str] = []
    cur = ""
    for raw in lines:
        line = fit(raw, limit)
        if cur and len(cur) + 1 + len(line) > limit:
            out.append(cur)
            cur = line
        else:
            cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out


def render_overdue(items: list[tuple[Measure, int]], lang: str = "zh") -> list[str]:
    """Overdue measures grouped by unit, most late first, as lines."""
    if not items:
        return [t(lang, "overdue_none")]
    by_unit: dict[str, list[tuple[Measure, int]]] = defaultdict(list)
    for m, late in items:
        by_unit[m.unit].append((m, late))
    order = sorted(by_unit, key=lambda u: -max(late for _, late in by_unit[u]))
    lines = [t(lang, "overdue_head", n=len(items))]
    for unit in order:
        lines.append(f"<b>{h(unit)}</b>")
        for m, late in by_unit[unit]:
            lines.append(f"  {h(m.id)} {m.due} {t(lang, 'overdue_late', n=late)} · {h(shorten(m.text, 40))}")
    return lines


def render_progress(p: Progress, lang: str = "zh") -> str:
    return t(lang, "progress_line", submitted=p.submitted, overdue=p.overdue, ongoing=p.ongoing)


def render_digest(
    measures: list[Measure], events: list[Event], today: dt.date, progress: Progress, lang: str = "zh"
) -> list[str]:
    """Weekly dispatch digest (调度): per unit and overall."""
    start = today - dt.timedelta(days=7)
    this_week = [e for e in events if start < e.at.date() <= today]
    new = {e.measure_id for e in this_week if e.action == "import"}
    signed = {e.measure_id for e in this_week if e.action == "signoff"}
    late = {m.id: n for m, n in overdue_items(measures, today)}
    by_unit: dict[str, list[Measure]] = defaultdict(list)
    for m in measures:
        by_unit[m.unit].append(m)
    lines = [
        t(lang, "digest_head", today=today.isoformat()),
        t(
            lang,
            "digest_total",
            total=progress.measures_total,
            done=progress.measures_done,
            rate=f"{progress.rate:.1f}",
        ),
    ]
    for unit in sorted(by_unit, key=lambda u: (-sum(m.id in late for m in by_unit[u]), u)):
        ms = by_unit[unit]
        overdue = [t(lang, "digest_late_item", mid=m.id, n=late[m.id]) for m in ms if m.id in late]
        lines.append(
            t(
                lang,
                "digest_unit",
                unit=unit,
                new=sum(m.id in new for m in ms),
                open=sum(m.status == "open" for m in ms),
                signed=sum(m.id in signed for m in ms),
                submitted=sum(m.status == "submitted" for m in ms),
                ongoing=sum(m.deadline.kind in ("ongoing", "recurring") and m.status != "done" for m in ms),
            )
            + (fill(lang, "digest_late", items="、".join(overdue)) if overdue else "")
        )
    return lines


def render_measure(m: Measure, lang: str = "zh") -> list[str]:
    """Details and history of one measure."""
    co = f"（{t(lang, 'label.co_units')}：{h('、'.join(m.co_units))}）" if m.co_units else ""
    lines = [
        f"<b>{h(m.id)}</b> · {h(status_label(m.status, lang))}",
        h(m.text),
        f"{t(lang, 'label.unit')}：{h(m.unit)}{co}",
        f"{t(lang, 'label.deadline')}：{h(m.deadline_text or '—')} → {h(deadline_label(m, lang))}",
    ]
    if m.deadline.confidence == "low" and m.deadline.kind != "none":
        others = "、".join(f"{due}（{words}）" for due, words in m.deadline.candidates[:3])
        lines.append(t(lang, "label.low_confidence", span=m.deadline.span or m.deadline_text, others=others or "—"))
    if m.extension:
        lines.append(t(lang, "label.extension", date=m.extension.new_due, reason=m.extension.reason))
    if m.evidence.note or m.evidence.files:
        files = f"（{t(lang, 'label.files', n=len(m.evidence.files))}）" if m.evidence.files else ""
        lines.append(f"{t(lang, 'label.evidence')}：{h(m.evidence.note)}{files}")
    for e in m.history[-15:]:
        lines.append(f"· {e.at:%Y-%m-%d %H:%M} {h(e.action)} {h(e.actor)} {h(shorten(e.note, 60))}")
    return lines
