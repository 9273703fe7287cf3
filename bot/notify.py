"""Messages the bot sends on its own initiative: to admins (sign-off, extensions) and to units."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message

from bot.keyboards import extension_keyboard, signoff_keyboard
from bot.outbox import SendResult
from bot.services import Services
from bot.texts import t
from ledger import actions
from ledger.models import Measure
from ledger.views import shorten

log = logging.getLogger(__name__)


async def send(s: Services, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> SendResult:
    """Send through the outbox; a chat that blocked the bot is marked inactive, admins told once."""
    assert s.outbox is not None
    result = await s.outbox.send(chat_id, text, markup)
    await after_send(s, result, chat_id)
    return result


async def after_send(s: Services, result: SendResult, chat_id: int) -> None:
    if result.migrated_to:
        actions.migrate_chat(s.repo, chat_id, result.migrated_to)
    if result.blocked:
        changed = actions.deactivate_chat(s.repo, chat_id)
        if changed and chat_id not in s.told_blocked:
            s.told_blocked.add(chat_id)
            m = changed[0]
            for admin_chat in s.admin_chats():
                if admin_chat != chat_id:
                    assert s.outbox is not None
                    await s.outbox.send(
                        admin_chat, t(s.settings.language, "blocked_admin", who=m.name or m.user_id, unit=m.unit)
                    )


async def signoff_request(s: Services, m: Measure, evidence_message: Message | None) -> None:
    """Each submission reaches the admins with the unit's note, the evidence and ✅ 销号 / ↩ 退回."""
    lang = s.settings.language
    text = t(lang, "signoff_request", mid=m.id, unit=m.unit, text=shorten(m.text, 200), note=m.evidence.note or "—")
    for chat in s.admin_chats():
        if evidence_message is not None and (evidence_message.photo or evidence_message.document):
            assert s.outbox is not None
            await s.outbox.send(chat, "", send=lambda c: evidence_message.copy(c))  # type: ignore[arg-type,return-value]
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
