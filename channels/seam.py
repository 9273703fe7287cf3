"""The channel seam: the sweep hands a recipient id (`"wecom:3"`) and what Telegram would get;
this finds the bound address, renders for its channel, sends, and reports whether it arrived.

An address the vendor says is gone (robot removed, key or secret invalid) is marked inactive in
the store, so the planner stops owing it anything, and the office is told once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from typing import Protocol

from channels.base import Note, Outcome, Reply
from channels.render import LinkFn, bundle_lines, closing, markdown, reminder_note_parts
from ledger.bundles import Page
from ledger.hooks import OFFICE, Hook, mask
from ledger.i18n import t
from ledger.models import Measure
from ledger.planner import Directory, Recipient, Reminder
from store import Repository

log = logging.getLogger(__name__)


class Sender(Protocol):
    @property
    def kind(self) -> str: ...

    async def send(self, hook: Hook, note: Note) -> Reply: ...


def no_links(_measure_id: str) -> str | None:
    return None


class Channels:
    def __init__(
        self,
        repo: Repository,
        senders: Mapping[str, Sender],
        language: str = "zh",
        link: LinkFn = no_links,
        telegram: bool = True,
    ) -> None:
        self.repo, self.senders, self.lang, self.link, self.telegram = repo, dict(senders), language, link, telegram
        self.notices: list[str] = []  # "address gone" texts for the office's Telegram chats, drained by delivery
        self.sent: list[tuple[str, str]] = []  # (recipient, title) of each message delivered, for reports

    # -- who ------------------------------------------------------------------------------------
    def active(self) -> dict[str, Hook]:
        return {h.recipient: h for h in self.repo.hooks() if h.active and h.kind in self.senders}

    def extend(self, d: Directory) -> Directory:
        """The sweep's directory: Telegram's chats (unless Telegram is off) plus every active address."""
        units: dict[str, tuple[Recipient, ...]] = dict(d.unit_chats) if self.telegram else {}
        leaders = d.leader_chats if self.telegram else {}
        office: tuple[Recipient, ...] = d.admin_chats if self.telegram else ()
        for h in self.active().values():
            if h.unit == OFFICE:
                office += (h.recipient,)
            else:
                units[h.unit] = (*units.get(h.unit, ()), h.recipient)
        return dataclasses.replace(d, unit_chats=units, leader_chats=leaders, admin_chats=office)

    def office(self) -> list[str]:
        return [r for r, h in self.active().items() if h.unit == OFFICE]

    # -- what -----------------------------------------------------------------------------------
    async def reminder(self, recipient: str, r: Reminder, m: Measure, today: dt.date) -> bool:
        title, lines = reminder_note_parts(r, m, today, self.lang)
        url = self.link(m.id) or ""
        return await self.send(recipient, Note(title, tuple(lines + closing(self.lang, bool(url))), url))

    async def bundle(self, recipient: str, pages: list[Page]) -> bool:
        """Every page (a channel has no ◀ ▶), each one message; arrived when all did."""
        ok = True
        for page in pages:
            title, lines = bundle_lines(page, self.link)
            has_links = any(self.link(mid) for mid in page.ids)
            ok = await self.send(recipient, Note(title, tuple(lines + closing(self.lang, has_links)))) and ok
        return ok

    async def text(self, recipient: str, html_text: str) -> bool:
        lines = markdown(html_text).split("\n")
        return await self.send(recipient, Note(lines[0].replace("**", ""), tuple(lines[1:])))

    async def digest(self, parts: list[str]) -> int:
        """The weekly digest to the office's addresses; messages delivered."""
        return sum([await self.text(rec, part) for rec in self.office() for part in parts])

    async def send(self, recipient: str, note: Note) -> bool:
        hook = self.active().get(recipient)
        if hook is None:
            return False
        reply = await self.senders[hook.kind].send(
            hook, dataclasses.replace(note, link_label=t(self.lang, "hook_link"))
        )
        if reply.outcome is Outcome.OK:
            self.sent.append((recipient, note.title))
            return True
        log.warning("%s for %s (%s): %s", reply.outcome.value, hook.unit, mask(hook.url), reply.detail)
        if reply.outcome is Outcome.GONE and self.repo.set_hook_active(hook.id, False):
            kind = t(self.lang, f"hook_kind.{hook.kind}")
            text = t(self.lang, "hook_gone", unit=hook.unit, kind=kind, url=mask(hook.url))
            self.notices.append(text)
            for rec in self.office():  # the office's own robot, if it is not the one gone
                await self.text(rec, text)
        return False
