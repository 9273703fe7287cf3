"""Reminder, digest and query texts, as Telegram HTML; every piece of ledger text is escaped.

Chinese by default, English when `lang="en"`. Pure functions: the bot and the CLI share them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from html import escape

from ledger.calendar_cn import workdays_between
from ledger.models import Event, Measure
from ledger.planner import Reminder
from ledger.views import Progress, deadline_label, shorten

MARK = {"green": "🟢", "yellow": "🟡", "due": "🟠", "overdue": "🔴", "escalation": "🚨"}
TITLE = {
    "zh": {
        "green": "整改提醒",
        "yellow": "临期预警",
        "due": "今日到期",
        "overdue": "逾期警示",
        "escalation": "逾期督办",
        "signoff": "待销号超期",
        "unbound": "（该单位尚未绑定，请转告或邀请）",
    },
    "en": {
        "green": "Reminder",
        "yellow": "Due soon",
        "due": "Due today",
        "overdue": "Overdue",
        "escalation": "Escalation",
        "signoff": "Awaiting sign-off too long",
        "unbound": "(no one in this unit is bound yet: please pass on or invite)",
    },
}
TELEGRAM_LIMIT = 4096


def h(text: object) -> str:
    """Escape text for Telegram HTML."""
    return escape(str(text), quote=False)


def left_label(due: dt.date, today: dt.date, lang: str = "zh") -> str:
    if due >= today:
        n = workdays_between(today, due)
        days = (due - today).days
        if lang == "en":
            return "due today" if due == today else (f"{n} working day(s) left" if n else f"due in {days} day(s)")
        if due == today:
            return "今日到期"
        return f"还剩{n}个工作日" if n else f"{days}天后到期（期间无工作日，请今天办结）"
    n = workdays_between(due, today)
    return f"{n} working day(s) late" if lang == "en" else f"已逾期{n}个工作日"


def render_reminder(r: Reminder, m: Measure, today: dt.date, lang: str = "zh", for_admin: bool = False) -> str:
    t = TITLE.get(lang, TITLE["zh"])
    title = t["signoff"] if r.reason == "signoff" else t[r.tier]
    if r.tier == "due" and r.due != today:  # a due day off moved to the last working day before it
        title = "到期提醒" if lang == "zh" else "Due soon"
    lines = [f"{MARK[r.tier]} <b>{h(title)}</b> · {h(m.id)}", h(shorten(m.text, 120))]
    unit_label = "Unit" if lang == "en" else "责任单位"
    lines.append(f"{unit_label}：{h(m.unit)}" + (f"（{h('、'.join(m.co_units))}）" if m.co_units else ""))
    written = m.deadline_text or ("—" if lang == "zh" else "-")
    occ = f" [{h(r.occurrence)}]" if r.occurrence != "0" else ""
    lines.append(
        f"{'Deadline' if lang == 'en' else '时限'}：{h(written)} → {r.due.isoformat()}{occ}，"
        f"{left_label(r.due, today, lang)}"
    )
    if r.reason == "unbound":
        lines.append(h(t["unbound"]))
    if for_admin:
        late = f"，已逾期{r.workdays_late}个工作日" if r.workdays_late else ""
        lines.append(f"（督办抄送整改办{late}）" if lang == "zh" else "(copy to the office)")
    elif r.reason != "signoff" and lang == "zh":
        lines.append("完成后请点“✅ 已完成”或回复本消息“完成 + 说明/照片”。")
    elif r.reason != "signoff":
        lines.append("When done, press ✅ or reply to this message “done” with a note or photo.")
    return fit("\n".join(lines))


def fit(text: str, limit: int = TELEGRAM_LIMIT) -> str:
    """Cut a message to Telegram's limit without breaking an HTML tag."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 2]
    if "<" in cut[cut.rfind(">") + 1 :]:
        cut = cut[: cut.rfind("<")]
    return cut + "…"


def split_messages(lines: Iterable[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join lines into as few messages as fit under the limit."""
    out: list[str] = []
    cur = ""
    for line in lines:
        line = fit(line, limit)
        if cur and len(cur) + 1 + len(line) > limit:
            out.append(cur)
            cur = line
        else:
            cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out


def overdue_items(measures: Iterable[Measure], today: dt.date) -> list[tuple[Measure, int]]:
    """Open measures past due, with working days late, most late first."""
    items = [
        (m, workdays_between(m.due, today))
        for m in measures
        if m.status != "done" and m.due is not None and m.due < today
    ]
    return sorted(items, key=lambda x: (-x[1], x[0].unit, x[0].id))


def render_overdue(items: list[tuple[Measure, int]], lang: str = "zh") -> list[str]:
    """Overdue measures grouped by unit, as lines."""
    if not items:
        return ["没有逾期的整改措施。" if lang == "zh" else "Nothing is overdue."]
    by_unit: dict[str, list[tuple[Measure, int]]] = defaultdict(list)
    for m, late in items:
        by_unit[m.unit].append((m, late))
    order = sorted(by_unit, key=lambda u: -max(late for _, late in by_unit[u]))
    head = f"🔴 <b>逾期整改措施 {len(items)} 条</b>" if lang == "zh" else f"🔴 <b>{len(items)} overdue</b>"
    lines = [head]
    for unit in order:
        lines.append(f"<b>{h(unit)}</b>")
        for m, late in by_unit[unit]:
            tag = f"逾期{late}个工作日" if lang == "zh" else f"{late} wd late"
            lines.append(f"  {h(m.id)} {m.due} {tag} · {h(shorten(m.text, 40))}")
    return lines


def render_progress(p: Progress, lang: str = "zh") -> str:
    if lang == "en":
        return f"{p.submitted} awaiting sign-off, {p.overdue} overdue, {p.ongoing} standing/recurring"
    return f"待销号{p.submitted}条，逾期{p.overdue}条，长期/周期性{p.ongoing}条"


def week_events(events: Iterable[Event], today: dt.date, action: str) -> set[str]:
    start = today - dt.timedelta(days=7)
    return {e.measure_id for e in events if e.action == action and start < e.at.date() <= today}


def render_digest(measures: list[Measure], events: list[Event], today: dt.date, progress: Progress) -> list[str]:
    """Weekly dispatch digest (调度): per unit and overall."""
    new = week_events(events, today, "import")
    signed = week_events(events, today, "signoff")
    late = dict((m.id, n) for m, n in overdue_items(measures, today))
    by_unit: dict[str, list[Measure]] = defaultdict(list)
    for m in measures:
        by_unit[m.unit].append(m)
    lines = [
        f"📋 <b>整改调度周报</b>（{today.isoformat()}）",
        f"措施{progress.measures_total}条，已完成{progress.measures_done}条，完成率{progress.rate:.1f}%",
    ]
    for unit in sorted(by_unit, key=lambda u: (-sum(m.id in late for m in by_unit[u]), u)):
        ms = by_unit[unit]
        n_new = sum(m.id in new for m in ms)
        n_open = sum(m.status == "open" for m in ms)
        n_signed = sum(m.id in signed for m in ms)
        n_sub = sum(m.status == "submitted" for m in ms)
        n_ongoing = sum(m.deadline.kind in ("ongoing", "recurring") and m.status != "done" for m in ms)
        overdue = [f"{h(m.id)}(逾期{late[m.id]}个工作日)" for m in ms if m.id in late]
        lines.append(
            f"<b>{h(unit)}</b>：新增{n_new} 推进落实{n_open} 已办结销号{n_signed} 待销号{n_sub} "
            f"长期坚持{n_ongoing}" + (f" 逾期：{'、'.join(overdue)}" if overdue else "")
        )
    return lines


def render_measure(m: Measure, lang: str = "zh") -> list[str]:
    """Details and history of one measure."""
    from ledger.status import STATUS_LABELS_ZH

    lines = [
        f"<b>{h(m.id)}</b> · {h(STATUS_LABELS_ZH[m.status])}",
        h(m.text),
        f"责任单位：{h(m.unit)}" + (f"（配合：{h('、'.join(m.co_units))}）" if m.co_units else ""),
        f"时限：{h(m.deadline_text or '—')} → {h(deadline_label(m))}",
    ]
    if m.extension:
        lines.append(f"延期申请：{m.extension.new_due}（{h(m.extension.reason)}）待审批")
    if m.evidence.note or m.evidence.files:
        lines.append(f"佐证：{h(m.evidence.note)}" + (f"（附件{len(m.evidence.files)}个）" if m.evidence.files else ""))
    for e in m.history[-15:]:
        lines.append(f"· {e.at:%Y-%m-%d %H:%M} {h(e.action)} {h(e.actor)} {h(shorten(e.note, 60))}")
    return lines
