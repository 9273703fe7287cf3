"""Reminders, bundles, progress requests and the digest as channel `Note`s (Markdown lines).

The texts are the bot's own (`ledger.messages`, `ledger.bundles`), turned from Telegram HTML into
the Markdown subset the robots share (`**bold**`, links); what a Telegram button would do becomes
the measure page's link, or, without `[web] base_url`, a line saying the channel is one-way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import unescape

from ledger.bundles import Page
from ledger.i18n import t
from ledger.messages import render_reminder
from ledger.models import Measure
from ledger.planner import Reminder

LinkFn = Callable[[str], str | None]  # measure id → its web page, or None (no web page)
CHANNEL_LIMIT = 1300  # characters of one long text's part: at 3 UTF-8 bytes each, under WeCom's 4096 bytes


def markdown(html_text: str) -> str:
    """Telegram HTML → Markdown: bold kept, other tags dropped, entities decoded."""
    text = re.sub(r"</?b>", "**", html_text)
    return unescape(re.sub(r"<[^>]+>", "", text))


def reminder_note_parts(r: Reminder, m: Measure, today: dt.date, lang: str) -> tuple[str, list[str]]:
    lines = markdown(render_reminder(r, m, today, lang)).split("\n")
    hint = t(lang, "reply_done_hint")
    return lines[0].replace("**", ""), [line for line in lines[1:] if line != hint]


def bundle_lines(page: Page, link: LinkFn) -> tuple[str, list[str]]:
    lines = markdown(page.text).split("\n")
    links = [f"[{mid}]({url})" for mid in page.ids if (url := link(mid))]
    return lines[0].replace("**", ""), lines[1:] + ([" · ".join(links)] if links else [])


def closing(lang: str, has_link: bool) -> list[str]:
    return [] if has_link else [t(lang, "hook_one_way")]
