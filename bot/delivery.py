"""Everything the bot sends on its own: reminders, requests to the office, notices, the digest.

Decides who receives what and how (the office's copies, each person's language, which
keyboard), sends it through the outbox, and records a reminder in the sent-log only for the
chats Telegram accepted. `jobs/` only decides when `sweep` and `digest` run.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Message

from bot.keyboards import (
    extension_keyboard,
    signoff_keyboard,
)
from bot.outbox import SendResult
from bot.services import Services
from ledger import actions, reports
from ledger.i18n import t
from ledger.messages import split_messages
from ledger.models import Measure
from ledger.status import submitted_since
from ledger.views import shorten

log = logging.getLogger(__name__)
NOTE_LIMIT = 1500  # a unit's note or reason in a request to the office; the whole note stays on the measure


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


# How long a person's reply waits for the office request it caused. Past this the request goes on
# in the background: the office chat's own rate limit (1/s privately, 20/min in a group) must not
# hold the reply, or a burst of submissions fills every update slot and the bot stops answering.
# A refusal (403, 400) comes back within one round trip; a request held by the office group's own
# pacing (20 a minute) or a sweep's queue is on its way. (0.3 s was tried: answers came in 0.3 s,
# but the latency bench's sweep then took 224 s instead of 69 s, for a reason not yet understood.)
OFFICE_WAIT_SECONDS = 1.0
_PENDING_REQUESTS: set[asyncio.Task[bool]] = set()  # kept until done (the loop holds tasks only weakly)


async def waited_briefly(request: Coroutine[Any, Any, bool]) -> bool:
    """Whether the office request went out, or is still on its way after OFFICE_WAIT_SECONDS.

    A request still on its way is queued in the outbox; if it fails in the end, its key stays
    unrecorded and the next sweep sends it again (`pending_requests`), so the person can be told
    it is on its way.
    """
    task = asyncio.ensure_future(request)
    done, _ = await asyncio.wait({task}, timeout=OFFICE_WAIT_SECONDS)
    if task in done:
        return task.result()
    _PENDING_REQUESTS.add(task)
    task.add_done_callback(_finished_late)
    return True


def _finished_late(task: asyncio.Task[bool]) -> None:
    _PENDING_REQUESTS.discard(task)
    if task.cancelled():
        return
    if task.exception() is not None:
        log.error("an office request failed after the reply; the sweep retries it", exc_info=task.exception())
    elif not task.result():
        log.error("an office request did not reach the office; the sweep retries it")


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
    """Tell the measure's unit (its bound chats, robots and mailboxes) about a decision."""
    for chat in s.directory().unit_chats.get(m.unit, ()):
        if isinstance(chat, str):
            continue  # Services.directory() holds Telegram chats only
        r = await send(s, chat, text)
        if r.message:
            s.repo.remember_message(r.chat_id, r.message.message_id, m.id, "notice")
    if s.channels is not None and s.channels.of_unit(m.unit):  # beside the reply: a robot may pace for a minute
        s.channels.later(to_channels(s, m.unit, [text], m.id))


async def to_channels(s: Services, unit: str, lines: list[str], measure_id: str = "") -> int:
    """Lines to a unit's robots and mailboxes, in parts each channel takes; messages delivered. An
    address found gone is marked inactive and the office told once (`channel_notices`)."""
    assert s.channels is not None
    sent = sum([await s.channels.long_text(rec, lines, measure_id) for rec in s.channels.of_unit(unit)])
    await channel_notices(s)
    return sent


async def channel_notices(s: Services) -> None:
    """Addresses a vendor said are gone: the office's Telegram chats hear of each once."""
    while s.channels and s.channels.notices:
        text = s.channels.notices.pop(0)
        if s.outbox is not None:
            await to_office(s, text)


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
