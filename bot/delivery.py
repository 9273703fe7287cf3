"""Everything the bot sends on its own: reminders, requests to the office, notices, the digest.

Decides who receives what and how (the office's copies, each person's language, which
keyboard), sends it through the outbox, and records a reminder in the sent-log only for the
chats Telegram accepted. `jobs/` only decides when `sweep` and `digest` run.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, InputFile, Message

from bot.keyboards import (
    bundle_keyboard,
    extension_keyboard,
    progress_keyboard,
    reminder_keyboard,
    signoff_keyboard,
)
from bot.outbox import SendResult
from bot.services import Services
from ledger import actions, bundles, reports
from ledger.hours import held_until, in_working_hours
from ledger.i18n import t
from ledger.messages import fit, render_digest, render_reminder, split_messages
from ledger.models import Measure
from ledger.planner import Directory, Reminder, keys_to_record, plan
from ledger.progress_requests import late_progress, plan_progress, render_no_progress, render_request
from ledger.status import submitted_since
from ledger.views import progress, shorten

log = logging.getLogger(__name__)
NOTE_LIMIT = 1500  # a unit's note or reason in a request to the office; the whole note stays on the measure


async def send(s: Services, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> SendResult:
    """Send through the outbox; a chat that blocked the bot is marked inactive, admins told once."""
    assert s.outbox is not None
    result = await s.outbox.send(chat_id, text, markup)
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
        s.repo.copy_sent_to_chat(chat_id, result.migrated_to, s.now())  # it keeps what it had received
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


async def to_office(s: Services, text: str, markup: InlineKeyboardMarkup | None = None) -> list[SendResult]:
    """Send to the office (its group, or each admin privately); the results Telegram accepted."""
    return [r for chat in s.admin_chats() for r in await to_office_chat(s, chat, text, markup)]


async def to_office_chat(
    s: Services, chat: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> list[SendResult]:
    """Send to one office chat. When the office group refuses (the bot was removed: 403, or any
    other failure), each admin gets it privately and the failure is logged: nothing is lost silently."""
    r = await send(s, chat, text, markup)
    if r.ok or chat != s.settings.admin_chat:
        return [r] if r.ok else []
    log.error("the office group %s refused a message (%s); sending to each admin privately", chat, r.error)
    return [p for admin in sorted(s.settings.admins) if (p := await send(s, admin, text, markup)).ok]


def request_key(kind: str, m: Measure) -> str:
    """The sent-log key of the office's request about a measure's current submission or extension."""
    if kind == "signoff":
        since = submitted_since(m)
        return f"request:signoff:{m.id}:{since.isoformat() if since else ''}"
    assert m.extension is not None
    return f"request:extension:{m.id}:{m.extension.requested_at.isoformat()}"


async def signoff_request(s: Services, m: Measure, evidence_message: Message | None = None) -> bool:
    """The submission reaches the office with the unit's note, the evidence and ✅ 销号 / ↩ 退回.

    Returns whether it did; if not, the sweep retries it (the request key stays unrecorded).
    """
    lang = s.settings.language
    note = shorten(m.evidence.note or "—", NOTE_LIMIT)
    text = t(lang, "signoff_request", mid=m.id, unit=m.unit, text=shorten(m.text, 200), note=note)
    if evidence_message is not None and (evidence_message.photo or evidence_message.document):
        for chat in s.admin_chats():
            await send_with(s, chat, evidence_message.copy)  # type: ignore[arg-type]  # MessageId is enough
    key = s.repo.key_of(m.id)
    return await _request(s, m, "signoff", text, lambda url: signoff_keyboard(key, lang, url))


async def extension_request(s: Services, m: Measure) -> bool:
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
        reason=shorten(m.extension.reason, NOTE_LIMIT),
    )
    key = s.repo.key_of(m.id)
    return await _request(s, m, "extension", text, lambda url: extension_keyboard(key, lang, url))


async def _request(
    s: Services, m: Measure, kind: str, text: str, keyboard: Callable[[str], InlineKeyboardMarkup]
) -> bool:
    if s.web and not s.settings.admin_chat:  # each admin privately, with a web link of their own
        chats = s.admin_chats()
        accepted = [r for c in chats for r in await to_office_chat(s, c, text, keyboard(s.measure_url(c, m.id)))]
    else:  # an office group gets no link: a page opened from there would act as nobody in particular
        accepted = await to_office(s, text, keyboard(""))
    for r in accepted:
        assert r.message is not None
        s.repo.remember_message(r.chat_id, r.message.message_id, m.id, kind)
    if accepted:
        s.repo.record_sent(request_key(kind, m), m.id, kind, s.now())
    return bool(accepted)


async def resend_requests(s: Services, measures: list[Measure]) -> int:
    """Sign-off and extension requests the office has not received yet (it was unreachable)."""
    sent, keys = 0, s.repo.sent_keys()
    for m in measures:
        if m.status == "submitted" and request_key("signoff", m) not in keys:
            sent += await signoff_request(s, m)
        elif m.status == "open" and m.extension is not None and request_key("extension", m) not in keys:
            sent += await extension_request(s, m)
    return sent


async def to_unit(s: Services, m: Measure, text: str) -> None:
    """Tell the measure's unit (its bound chats) about a decision."""
    for chat in s.directory().unit_chats.get(m.unit, ()):
        r = await send(s, chat, text)
        if r.message:
            s.repo.remember_message(r.chat_id, r.message.message_id, m.id, "notice")


async def welcome(s: Services, chat_id: int, unit: str) -> None:
    """A chat just bound to a unit hears at once where the unit stands (the `/mine` view).

    The reminders the unit is currently owed are owed to this chat too (the sent-log is per
    chat), so the next sweep delivers them, each once; see the README's late-binding policy.
    """
    lang = s.lang(chat_id)
    lines = reports.mine_lines(s.repo.measures(), {unit}, s.now().date(), s.policy.yellow_days, lang)
    for part in split_messages(lines):
        await send(s, chat_id, part)


# -- the sweep and the digest ---------------------------------------------------------------------
@dataclass
class SweepReport:
    planned: int = 0
    sent: int = 0
    failed: int = 0


async def sweep(s: Services) -> SweepReport:
    """Send every reminder due at the services' clock; one sweep at a time."""
    async with s.sweep_lock:
        return await _sweep(s)


async def _sweep(s: Services) -> SweepReport:
    now = s.now()
    held = held_until(now, s.policy)
    if held is not None:
        log.info("sweep at %s: outside the sending window; what is owed goes out at %s", now, held)
        return SweepReport()
    await resend_requests(s, s.repo.measures())
    measures = {m.id: m for m in s.repo.measures()}
    directory = s.directory()  # once per sweep: it reads every binding
    reminders = plan(measures.values(), s.repo.sent_keys(), now, s.policy, directory, s.repo.report().date)
    report = SweepReport(planned=len(reminders))
    accepted: dict[int, list[int]] = {id(r): [] for r in reminders}  # chats that have each reminder now
    per_chat = bundles.by_chat(reminders, directory)

    def record(took: list[Reminder], chat: int) -> None:
        """Into the sent-log as soon as Telegram has it: a restart mid-sweep resends nothing else."""
        with s.repo.batch():
            for r in took:
                accepted[id(r)].append(chat)
                for key in keys_to_record(r, accepted[id(r)]):
                    s.repo.record_sent(key, r.measure_id, r.tier, now)

    for chat, items in per_chat.chats.items():
        if len(items) > s.policy.bundle_above:
            pages = bundles.unit_bundle(items, measures, now.date(), s.lang(chat))
            if (got := await _send_bundle(s, chat, pages, report)) is not None:
                record(items, got)
        else:
            for r in items:
                if (got := await _send_one(s, chat, r, measures[r.measure_id], now, report)) is not None:
                    record([r], got)
    await _progress_requests(s, measures, s.directory(), now, report)  # bindings as they are now (a migration)
    sent = s.repo.sent_keys()
    late_key, late_units = late_progress(measures.values(), sent, now, s.policy)
    bound = Counter(mb.unit for mb in s.repo.members() if mb.active)
    for chat in sorted(set(per_chat.office) | set(directory.admin_chats)):
        items = per_chat.office.get(chat, [])
        owed = late_units if late_key and f"{late_key}@{chat}" not in sent else {}
        if not items and not owed:
            continue
        pages = bundles.office_bundle(items, measures, bound, now.date(), s.lang(chat), owed)
        if (got := await _send_bundle(s, chat, pages, report)) is not None:
            record(items, got)
            if late_key and f"{late_key}@{chat}" not in sent:
                s.repo.record_sent(f"{late_key}@{chat}", "", "progress", now, chat)
    if reminders:
        log.info("sweep at %s: %d planned, %d sent, %d failed", now, report.planned, report.sent, report.failed)
    return report


async def _send_one(
    s: Services, chat: int, r: Reminder, m: Measure, now: dt.datetime, report: SweepReport
) -> int | None:
    """One reminder to a unit's chat, with ✅/⏳/📝; the chat that has it now (a migrated group's new
    id), or the chat itself when it is gone; None when it failed and is retried at the next sweep."""
    lang = s.lang(chat)
    markup = None if r.reason == "signoff" else reminder_keyboard(s.repo.key_of(m.id), lang, s.measure_url(chat, m.id))
    result = await send(s, chat, render_reminder(r, m, now.date(), lang), markup)
    if result.ok:
        assert result.message is not None
        s.repo.remember_message(result.chat_id, result.message.message_id, m.id)
        report.sent += 1
        return result.chat_id
    report.failed += not result.blocked
    return chat if result.blocked else None  # a chat that is gone is not retried forever


async def _progress_requests(
    s: Services, measures: dict[str, Measure], directory: Directory, now: dt.datetime, report: SweepReport
) -> None:
    """This period's progress request to each unit's chats that have not had it (定期调度)."""
    for req in plan_progress(measures.values(), s.repo.sent_keys(), now, s.policy, directory):
        for chat in req.recipients:
            lang = s.lang(chat)
            text = fit("\n".join(render_request(req, measures, lang)))
            result = await send(s, chat, text, progress_keyboard(req.measure_ids, lang, s.repo.key_of))
            report.sent += result.ok
            report.failed += not (result.ok or result.blocked)
            if result.ok or result.blocked:  # under the id that has it (a migrated group's new one)
                s.repo.record_sent(req.chat_key(result.chat_id), "", "progress", now, result.chat_id)


async def _send_bundle(s: Services, chat: int, pages: list[bundles.Page], report: SweepReport) -> int | None:
    """A bundle's first page, with its buttons; the other pages are kept for ◀ ▶."""
    first = pages[0]
    markup = bundle_keyboard(first.ids, 0, len(pages), s.lang(chat), s.repo.key_of)
    office = await to_office_chat(s, chat, first.text, markup) if chat in s.admin_chats() else []
    result = office[0] if office else await send(s, chat, first.text, markup)
    if result.ok:
        assert result.message is not None
        if len(pages) > 1:
            s.repo.put_bundle(result.chat_id, result.message.message_id, [p._asdict() for p in pages])
        report.sent += 1
    else:
        report.failed += not result.blocked
    return result.chat_id if result.ok else (chat if result.blocked else None)


async def digest(s: Services) -> int:
    """The weekly dispatch digest (调度) to the admins, with the chart; returns messages sent."""
    from bot.chart import render_chart  # matplotlib is loaded only when a chart is drawn

    now = s.now()
    if not in_working_hours(now, s.policy):  # a digest job run late (the machine slept) waits for next week
        log.info("digest at %s held: outside working hours", now)
        return 0
    lang = s.settings.language
    measures = s.repo.measures()
    lines = render_digest(measures, s.repo.events(), now.date(), progress(measures, now.date()), lang)
    late_key, late_units = late_progress(measures, frozenset(), now, s.policy)
    lines += render_no_progress(late_units, lang) if late_key else []
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
    if s.policy.unit_digest:
        sent += await _unit_digests(s, measures, now.date())
    return sent


async def _unit_digests(s: Services, measures: list[Measure], today: dt.date) -> int:
    """`[schedule] unit_digest`: each bound chat gets its unit's own open items, with the office's digest."""
    sent = 0
    for unit, chats in s.directory().unit_chats.items():
        for chat in chats:
            lang = s.lang(chat)
            lines = [t(lang, "unit_digest_head", today=today.isoformat())]
            lines += reports.mine_lines(measures, {unit}, today, s.policy.yellow_days, lang)
            for part in split_messages(lines):
                sent += (await send(s, chat, part)).ok
    return sent
