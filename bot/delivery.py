"""Everything the bot sends on its own: reminders, requests to the office, notices, the digest.

Decides who receives what and how (the office's copies, each person's language, which
keyboard), sends it through the outbox, and records a reminder in the sent-log only for the
chats Telegram accepted. `jobs/` only decides when `sweep` and `digest` run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Message

from bot.keyboards import extension_keyboard, reminder_keyboard, signoff_keyboard
from bot.outbox import SendResult
from bot.services import Services
from ledger import actions
from ledger.i18n import t
from ledger.messages import render_digest, render_reminder, split_messages
from ledger.models import Measure
from ledger.planner import Reminder, keys_to_record, plan
from ledger.views import progress, shorten

log = logging.getLogger(__name__)


async def send(
    s: Services, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *, interactive: bool = False
) -> SendResult:
    """Send through the outbox; a chat that blocked the bot is marked inactive, admins told once.

    `interactive`: a reply to a person, which goes ahead of every queued reminder.
    """
    assert s.outbox is not None
    result = await s.outbox.send(chat_id, text, markup, interactive=interactive)
    await after_send(s, result, chat_id)
    return result


async def send_with(s: Services, chat_id: int, call: Callable[[int], Awaitable[Message]]) -> SendResult:
    """A photo, a file or a copy, paced and retried like any message."""
    assert s.outbox is not None
    result = await s.outbox.send(chat_id, "", send=call)
    await after_send(s, result, chat_id)
    return result


async def send_file(
    s: Services, chat_id: int, data: bytes, filename: str, caption: str = "", *, photo: bool = False
) -> SendResult:
    assert s.outbox is not None
    bot = s.outbox.bot

    async def call(chat: int) -> Message:
        f = InputFile(io.BytesIO(data), filename=filename)
        if photo:
            return await bot.send_photo(chat, f, caption=caption)
        return await bot.send_document(chat, f, caption=caption)

    return await send_with(s, chat_id, call)


async def after_send(s: Services, result: SendResult, chat_id: int) -> None:
    if result.migrated_to:
        actions.migrate_chat(s.repo, chat_id, result.migrated_to)
    if result.blocked:
        changed = actions.deactivate_chat(s.repo, chat_id)
        if changed and chat_id not in s.told_blocked:
            s.told_blocked.add(chat_id)
            m = changed[0]
            text = t(s.settings.language, "blocked_admin", who=m.name or m.user_id, unit=m.unit)
            for admin_chat in s.admin_chats():
                if admin_chat != chat_id:
                    assert s.outbox is not None
                    await s.outbox.send(admin_chat, text)


async def to_admins(s: Services, text: str) -> None:
    for chat in s.admin_chats():
        await send(s, chat, text)


async def signoff_request(s: Services, m: Measure, evidence_message: Message | None) -> None:
    """Each submission reaches the admins with the unit's note, the evidence and ✅ 销号 / ↩ 退回."""
    lang = s.settings.language
    text = t(lang, "signoff_request", mid=m.id, unit=m.unit, text=shorten(m.text, 200), note=m.evidence.note or "—")
    for chat in s.admin_chats():
        if evidence_message is not None and (evidence_message.photo or evidence_message.document):
            await send_with(s, chat, evidence_message.copy)  # type: ignore[arg-type]  # MessageId is enough
        r = await send(s, chat, text, signoff_keyboard(m.id, lang))
        if r.message:
            s.repo.remember_message(r.chat_id, r.message.message_id, m.id, "signoff")


async def extension_request(s: Services, m: Measure) -> None:
    assert m.extension is not None
    lang = s.settings.language
    text = t(
        lang,
        "ext_request",
        mid=m.id,
        unit=m.unit,
        text=shorten(m.text, 200),
        old=m.due.isoformat() if m.due else "—",
        new=m.extension.new_due.isoformat(),
        reason=m.extension.reason,
    )
    for chat in s.admin_chats():
        r = await send(s, chat, text, extension_keyboard(m.id, lang))
        if r.message:
            s.repo.remember_message(r.chat_id, r.message.message_id, m.id, "extension")


async def to_unit(s: Services, m: Measure, text: str) -> None:
    """Tell the measure's unit (its bound chats) about a decision."""
    for chat in s.directory().unit_chats.get(m.unit, ()):
        r = await send(s, chat, text)
        if r.message:
            s.repo.remember_message(r.chat_id, r.message.message_id, m.id, "notice")


# -- the sweep and the digest ---------------------------------------------------------------------
@dataclass
class SweepReport:
    planned: int = 0
    sent: int = 0
    failed: int = 0


class SentBook:
    """What a sweep sent, written to the store in batches (one write per `EVERY` chats reached or
    per `SECONDS` of sending) instead of two whole-file writes per message. A crash loses at most the
    unwritten batch: those reminders go out again on the next sweep."""

    EVERY = 50
    SECONDS = 1.0

    def __init__(self, s: Services, now: dt.datetime) -> None:
        assert s.outbox is not None
        self.s, self.now, self.clock = s, now, s.outbox.clock
        self.messages: list[tuple[int, int, str]] = []
        self.keys: list[tuple[str, str, str]] = []
        self.since, self.chats = self.clock(), 0  # chats reached since the last write

    def sent(self, r: Reminder, chat: int, message: tuple[int, int, str] | None = None) -> None:
        """One chat has the reminder (`message`: where it landed, for replies to it)."""
        if message:
            self.messages.append(message)
        self.chats += 1
        self.reminder(r, [chat])

    def reminder(self, r: Reminder, accepted: list[int]) -> None:
        self.keys.extend((key, r.measure_id, r.tier) for key in keys_to_record(r, accepted))
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if self.chats >= self.EVERY or self.clock() - self.since >= self.SECONDS:
            self.flush()

    def flush(self) -> None:
        self.since, self.chats = self.clock(), 0
        if not self.messages and not self.keys:
            return
        messages, keys, self.messages, self.keys = self.messages, self.keys, [], []
        with self.s.repo.batch():
            for chat_id, message_id, measure_id in messages:
                self.s.repo.remember_message(chat_id, message_id, measure_id)
            for key, measure_id, tier in keys:
                self.s.repo.record_sent(key, measure_id, tier, self.now)


async def sweep(s: Services) -> SweepReport:
    """Send every reminder due at the services' clock; one sweep at a time."""
    async with s.sweep_lock:
        return await _sweep(s)


async def _sweep(s: Services) -> SweepReport:
    now = s.now()
    measures = {m.id: m for m in s.repo.measures()}
    directory = s.directory()  # once per sweep: it reads every binding
    reminders = plan(measures.values(), s.repo.sent_keys(), now, s.policy, directory, s.repo.report().date)
    report = SweepReport(planned=len(reminders))
    admin_chats = set(s.admin_chats())
    book = SentBook(s, now)

    async def deliver(r: Reminder) -> None:  # all reminders are queued at once; the outbox paces them
        m = measures[r.measure_id]
        unit_chats = set(directory.unit_chats.get(m.unit, ()))
        accepted: list[int] = []
        for chat in r.recipients:
            office_copy = chat in admin_chats and chat not in unit_chats
            chat_lang = s.lang(chat)
            text = render_reminder(r, m, now.date(), chat_lang, for_admin=office_copy)
            markup = None if r.reason == "signoff" or office_copy else reminder_keyboard(m.id, chat_lang)
            result = await send(s, chat, text, markup)
            if result.ok:
                assert result.message is not None
                accepted.append(chat)
                book.sent(r, chat, (result.chat_id, result.message.message_id, m.id))
                report.sent += 1
            elif result.blocked:
                accepted.append(chat)  # nobody to reach there any more; do not retry forever
                book.sent(r, chat)
            else:
                report.failed += 1
        book.reminder(r, accepted)

    try:
        await asyncio.gather(*(deliver(r) for r in reminders))
    finally:
        book.flush()
    if reminders:
        log.info("sweep at %s: %d planned, %d sent, %d failed", now, report.planned, report.sent, report.failed)
    return report


async def digest(s: Services) -> int:
    """The weekly dispatch digest (调度) to the admins, with the chart; returns messages sent."""
    from bot.chart import render_chart  # matplotlib is loaded only when a chart is drawn

    now = s.now()
    lang = s.settings.language
    measures = s.repo.measures()
    lines = render_digest(measures, s.repo.events(), now.date(), progress(measures, now.date()), lang)
    try:
        chart: bytes | None = render_chart(measures, now.date(), s.policy.yellow_days, lang)
    except Exception:  # a chart is a convenience: the digest goes out without it
        log.exception("could not draw the progress chart")
        chart = None
    sent = 0
    for chat in s.admin_chats():
        for part in split_messages(lines):
            sent += (await send(s, chat, part)).ok
        if chart is not None:
            sent += (await send_file(s, chat, chart, "progress.png", t(lang, "chart_caption"), photo=True)).ok
    return sent
