"""What a sweep at a given moment would send, per chat: `run_bot.py check --at`.

The same decisions the bot makes (ledger.planner, ledger.bundles, ledger.progress_requests), shown
per recipient chat before going live: individual reminders or one bundle, the office's one bundle
with its unbound copies and the units that have not reported progress, and progress requests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from ledger.bundles import by_chat
from ledger.i18n import t
from ledger.messages import plain_text
from ledger.models import Measure
from ledger.planner import Directory, Recipient, Reminder, plan, recipient_order
from ledger.policy import Policy
from ledger.progress_requests import ProgressRequest, late_progress, plan_progress


class ChatPreview(NamedTuple):
    chat: Recipient
    who: str  # the unit(s) bound there, or the office
    reminders: tuple[str, ...]  # measure ids
    bundled: bool
    office: bool
    progress: tuple[str, ...]  # measure ids of progress requests
    no_progress: tuple[str, ...]  # units listed as not reporting (office only)

    @property
    def messages(self) -> int:
        own = (1 if self.bundled else len(self.reminders)) if self.reminders else 0
        return own + (1 if self.progress else 0) + (1 if self.office and self.no_progress and not own else 0)


class Preview(NamedTuple):
    reminders: list[Reminder]
    requests: list[ProgressRequest]
    chats: list[ChatPreview]


def preview(
    measures: Mapping[str, Measure],
    sent: frozenset[str],
    now: dt.datetime,
    policy: Policy,
    d: Directory,
    ledger_start: dt.date | None,
) -> Preview:
    reminders = plan(measures.values(), sent, now, policy, d, ledger_start)
    requests = plan_progress(measures.values(), sent, now, policy, d)
    late_key, late_units = late_progress(measures.values(), sent, now, policy)
    split = by_chat(reminders, d)
    who: dict[Recipient, list[str]] = {}
    for unit, chats in d.unit_chats.items():
        for c in chats:
            who.setdefault(c, []).append(unit)
    progress: dict[Recipient, list[str]] = {}
    for r in requests:
        for c in r.recipients:
            progress.setdefault(c, []).extend(r.measure_ids)
    out = []
    for c in sorted(set(split.chats) | set(progress), key=recipient_order):
        ids = tuple(r.measure_id for r in split.chats.get(c, []))
        name = "、".join(who.get(c, [])) or "leader"
        out.append(ChatPreview(c, name, ids, len(ids) > policy.bundle_above, False, tuple(progress.get(c, [])), ()))
    for c in d.admin_chats:
        late = tuple(late_units) if late_key and f"{late_key}@{c}" not in sent else ()
        ids = tuple(r.measure_id for r in split.office.get(c, []))
        if ids or late:
            out.append(ChatPreview(c, "office", ids, True, True, (), late))
    return Preview(reminders, requests, out)


def preview_lines(p: Preview, lang: str = "zh") -> list[str]:
    lines = [plain_text(t(lang, "check_chats_head"))]
    for c in p.chats:
        key = "check_chat_office" if c.office else ("check_chat_bundle" if c.bundled else "check_chat")
        text = t(lang, key, chat=c.chat, who=c.who, n=len(c.reminders), ids=" ".join(c.reminders) or "—")
        if c.progress:
            text += t(lang, "check_chat_progress", n=len(c.progress))
        if c.no_progress:
            text += t(lang, "check_chat_no_progress", units="、".join(c.no_progress))
        lines.append(plain_text(text))
    return lines


def preview_json(p: Preview) -> list[dict[str, Any]]:
    return [
        {
            "chat": c.chat,
            "who": c.who,
            "messages": c.messages,
            "bundled": c.bundled,
            "reminders": list(c.reminders),
            "progress": list(c.progress),
            "no_progress": list(c.no_progress),
        }
        for c in p.chats
    ]


def check_output(
    measures: dict[str, Measure],
    sent: frozenset[str],
    now: dt.datetime,
    policy: Policy,
    directory: Directory,
    report_date: dt.date | None,
    as_json: bool,
) -> list[str]:
    """What `run_bot.py check` prints: the hold outside the sending window, or what a sweep would send."""
    from ledger.hours import held_until
    from ledger.reports import check_lines, held_lines, reminder_json

    held = held_until(now, policy)
    if held:
        return [json.dumps({"held_until": held.isoformat()})] if as_json else held_lines(now, held, policy)
    p = preview(measures, sent, now, policy, directory, report_date)
    if as_json:
        rows = [reminder_json(r) for r in p.reminders] + preview_json(p)
        return [json.dumps(row, ensure_ascii=False) for row in rows]
    return check_lines(p.reminders, measures, now) + preview_lines(p)
