"""Bundles: one message where a sweep would otherwise send a chat many.

A unit's chat that would get more than `[schedule] bundle_above` reminders in one sweep gets one
message listing them by colour, most urgent first, with a button per measure that opens its card.
The office (the admin chat) gets one bundle per sweep, whatever its size: the escalations, the
copies for units nobody is bound to, sign-offs waiting too long and the units that have not
reported progress, grouped by unit. Sign-off and extension requests are not reminders and stay
individual messages with their buttons. Long bundles are split into pages (`Page`), paged with
buttons. Pure: reminders and the ledger go in, pages of Telegram HTML come out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from ledger.i18n import t
from ledger.messages import MARK, h, left_label
from ledger.models import Measure
from ledger.planner import Directory, Recipient, Reminder, urgency
from ledger.views import shorten

UNIT_PAGE_ITEMS = 12  # a card button each: a page stays a screenful
OFFICE_PAGE_LINES = 40


class Page(NamedTuple):
    text: str
    ids: tuple[str, ...] = ()  # the measures whose cards the page's buttons open


class ChatPlan(NamedTuple):
    """What one sweep sends: each chat's own reminders, and the office's copies per admin chat."""

    chats: dict[Recipient, list[Reminder]]
    office: dict[Recipient, list[Reminder]]


def by_chat(reminders: Iterable[Reminder], directory: Directory) -> ChatPlan:
    """Each reminder under each chat it goes to; an admin chat not bound to the unit gets a copy."""
    chats: dict[Recipient, list[Reminder]] = defaultdict(list)
    office: dict[Recipient, list[Reminder]] = defaultdict(list)
    admins = set(directory.admin_chats)
    for r in reminders:
        unit_chats = directory.unit_chats.get(r.unit, ())
        for c in r.recipients:
            (office if c in admins and c not in unit_chats else chats)[c].append(r)
    return ChatPlan(dict(chats), dict(office))


def _pages(lines: list[str], head: str, per_page: int, ids: list[tuple[str, ...]] | None = None) -> list[Page]:
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    id_chunks = [ids[i : i + per_page] for i in range(0, len(ids), per_page)] if ids else []
    n = len(chunks)
    pages = []
    for i, chunk in enumerate(chunks):
        mark = f" ({i + 1}/{n})" if n > 1 else ""
        page_ids = tuple(x for group in id_chunks[i] for x in group) if id_chunks else ()
        pages.append(Page("\n".join([head + mark, *chunk]), page_ids))
    return pages


def _when(r: Reminder, today: dt.date, lang: str) -> str:
    return left_label(r.due, today, lang)


def unit_bundle(items: list[Reminder], measures: Mapping[str, Measure], today: dt.date, lang: str) -> list[Page]:
    """One chat's reminders as one message: by colour, most urgent first, a card button each."""
    items = sorted(items, key=urgency)
    lines: list[str] = []
    ids: list[tuple[str, ...]] = []
    last = ""
    for r in items:
        tier = "signoff" if r.reason == "signoff" else r.tier
        title = t(lang, f"tier.{tier}")
        prefix = f"<b>{MARK[r.tier]} {title}</b>\n" if tier != last else ""
        last = tier
        occ = f" [{h(r.occurrence)}]" if r.occurrence != "0" else ""
        more = f"（+{len(r.also)}）" if r.also else ""
        text = shorten(measures[r.measure_id].text, 30)
        lines.append(f"{prefix}{h(r.measure_id)}{occ}{more} · {_when(r, today, lang)} · {h(text)}")
        ids.append((r.measure_id,))
    head = t(lang, "bundle_head", n=len(items))
    pages = _pages(lines, head, UNIT_PAGE_ITEMS, ids)
    foot = t(lang, "bundle_foot")
    return [p._replace(text=f"{p.text}\n{foot}") for p in pages]


def office_bundle(
    items: list[Reminder],
    measures: Mapping[str, Measure],
    bound: Mapping[str, int],
    today: dt.date,
    lang: str,
    no_progress: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Page]:
    """The office's one message per sweep, grouped by unit, each line with id, days late and binding."""
    by_unit: dict[str, list[Reminder]] = defaultdict(list)
    for r in items:
        by_unit[r.unit].append(r)
    order = sorted(by_unit, key=lambda u: min(urgency(r) for r in by_unit[u]))
    lines: list[str] = []
    for unit in order:
        state = t(lang, "bundle_bound", n=bound[unit]) if bound.get(unit) else t(lang, "bundle_unbound")
        lines.append(f"<b>{h(unit)}</b> · {state}")
        for r in sorted(by_unit[unit], key=urgency):
            tier = "signoff" if r.reason == "signoff" else r.tier
            late = t(lang, "overdue_late", n=r.workdays_late) if r.workdays_late else _when(r, today, lang)
            text = shorten(measures[r.measure_id].text, 24)
            lines.append(f"  {MARK[r.tier]} {h(r.measure_id)} {t(lang, f'tier.{tier}')} · {late} · {h(text)}")
    if no_progress:
        lines.append(t(lang, "bundle_no_progress"))
        for unit, mids in sorted(no_progress.items()):
            state = t(lang, "bundle_bound", n=bound[unit]) if bound.get(unit) else t(lang, "bundle_unbound")
            lines.append(f"  <b>{h(unit)}</b> · {state}：{h('、'.join(mids))}")
    head = t(lang, "office_bundle_head", today=today.isoformat(), n=len(items))
    return _pages(lines, head, OFFICE_PAGE_LINES)
