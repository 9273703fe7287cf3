"""The channel seam: the sweep hands a recipient id (`"wecom:3"`) and what Telegram would get;
this finds the bound address, renders for its channel, sends, and reports whether it arrived.

An address the vendor says is gone (robot removed, key or secret invalid) is marked inactive in
the store, so the planner stops owing it anything, and the office is told once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol

from channels.base import Note, Outcome, Reply
from channels.render import CHANNEL_LIMIT, LinkFn, bundle_lines, closing, markdown, reminder_note_parts
from ledger.bundles import Page
from ledger.hooks import OFFICE, Hook, mask
from ledger.i18n import t
from ledger.messages import split_messages
from ledger.models import Measure
from ledger.planner import Directory, Recipient, Reminder
from store import Repository

log = logging.getLogger(__name__)
HookLink = Callable[[Hook, str], str | None]  # (the address, a measure id) → the page its group may open, or None


class Sender(Protocol):
    @property
    def kind(self) -> str: ...

    async def send(self, hook: Hook, note: Note) -> Reply: ...


def no_links(_hook: Hook, _measure_id: str) -> str | None:
    return None


class Channels:
    def __init__(
        self,
        repo: Repository,
        senders: Mapping[str, Sender],
        language: str = "zh",
        link: HookLink = no_links,
        telegram: bool = True,
    ) -> None:
        self.repo, self.senders, self.lang, self.link, self.telegram = repo, dict(senders), language, link, telegram
        self.notices: list[str] = []  # "address gone" texts for the office's Telegram chats, drained by delivery
        self.sent: list[tuple[str, str]] = []  # (recipient, title) of each message delivered, for reports
        self._pending: set[asyncio.Task[Any]] = set()

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
        return self.of_unit(OFFICE)

    def of_unit(self, unit: str) -> list[str]:
        return [r for r, h in self.active().items() if h.unit == unit]

    def links(self, recipient: str) -> LinkFn:
        """The measure-page links `recipient`'s group may open (none for the office: a page opened
        from its group would act as nobody in particular, as for the office's Telegram group)."""
        hook = self.active().get(recipient)
        if hook is None or hook.unit == OFFICE:
            return lambda _mid: None
        return lambda mid: self.link(hook, mid)

    # -- what -----------------------------------------------------------------------------------
    async def reminder(self, recipient: str, r: Reminder, m: Measure, today: dt.date) -> bool:
        title, lines = reminder_note_parts(r, m, today, self.lang)
        url = self.links(recipient)(m.id) or ""
        return await self.send(recipient, Note(title, tuple(lines + closing(self.lang, bool(url))), url))

    async def bundle(self, recipient: str, pages: list[Page]) -> bool:
        """Every page (a channel has no ◀ ▶), each one message; arrived when all did."""
        ok, link = True, self.links(recipient)
        for page in pages:
            title, lines = bundle_lines(page, link)
            has_links = any(link(mid) for mid in page.ids)
            ok = await self.send(recipient, Note(title, tuple(lines + closing(self.lang, has_links)))) and ok
        return ok

    async def text(self, recipient: str, html_text: str, measure_id: str = "") -> bool:
        """A text the bot would send to a chat. About a measure (a decision told to its unit): with the
        measure page's link, or without a web page the line saying the channel is one-way."""
        lines = markdown(html_text).split("\n")
        url = (self.links(recipient)(measure_id) or "") if measure_id else ""
        tail = closing(self.lang, bool(url)) if measure_id else []
        return await self.send(recipient, Note(lines[0].replace("**", ""), tuple(lines[1:] + tail), url))

    async def long_text(self, recipient: str, html_lines: list[str], measure_id: str = "") -> int:
        """Lines in as few messages as every channel takes (`CHANNEL_LIMIT`); messages delivered."""
        return sum([await self.text(recipient, part, measure_id) for part in split_messages(html_lines, CHANNEL_LIMIT)])

    async def digest(self, html_lines: list[str]) -> int:
        """The weekly digest to the office's addresses; messages delivered."""
        return sum([await self.long_text(rec, html_lines) for rec in self.office()])

    async def send(self, recipient: str, note: Note) -> bool:
        hook = self.active().get(recipient)
        return hook is not None and (await self.deliver(hook, note)).outcome is Outcome.OK

    async def deliver(self, hook: Hook, note: Note) -> Reply:
        """One note to one address; an address gone is marked inactive and the office told once."""
        labelled = dataclasses.replace(note, link_label=t(self.lang, "hook_link"))
        reply = await self.senders[hook.kind].send(hook, labelled)
        if reply.outcome is Outcome.OK:
            self.sent.append((hook.recipient, note.title))
            return reply
        log.warning("%s for %s (%s): %s", reply.outcome.value, hook.unit, mask(hook.url), reply.detail)
        if reply.outcome is Outcome.GONE and self.repo.set_hook_active(hook.id, False):
            kind = t(self.lang, f"hook_kind.{hook.kind}")
            text = t(self.lang, "hook_gone", unit=hook.unit, kind=kind, url=mask(hook.url))
            self.notices.append(text)
            for rec in self.office():  # the office's own robot, if it is not the one gone
                await self.text(rec, text)
        return reply

    # -- beside a handler -----------------------------------------------------------------------
    def later(self, work: Coroutine[Any, Any, object]) -> None:
        """Run `work` beside the caller: a robot pacing itself (up to a minute) never holds up a reply."""
        task = asyncio.get_running_loop().create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a channel notice failed", exc_info=task.exception())

    async def settle(self) -> None:
        """Wait for the notices sent beside handlers (tests, and before the process exits)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
