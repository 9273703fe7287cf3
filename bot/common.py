"""Helpers every handler uses: the services, the actor, replying, and domain errors as replies."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.services import Services
from bot.texts import t
from ledger.actions import Actor
from ledger.errors import DubanError
from ledger.messages import split_messages

log = logging.getLogger(__name__)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]  # type: ignore[no-any-return]


def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    return services(context).actor(user.id, chat.id, user.full_name)


def lang_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    user = update.effective_user
    return services(context).lang(user.id) if user else services(context).settings.language


async def reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the chat the update came from, split under Telegram's 4096-character limit.

    Through the outbox, like every other message: 429 `retry_after` is honoured and network
    errors are retried.
    """
    chat = update.effective_chat
    if chat is None:
        return None
    outbox = services(context).outbox
    parts = split_messages(text.split("\n"))
    last = None
    for i, part in enumerate(parts):
        keyboard = markup if i == len(parts) - 1 else None
        if outbox is not None:
            last = (await outbox.send(chat.id, part, keyboard)).message
        else:
            last = await chat.send_message(
                part, parse_mode=ParseMode.HTML, disable_web_page_preview=True, reply_markup=keyboard
            )
    return last


def guarded(fn: Handler) -> Handler:
    """Turn a domain error into a polite reply that names the problem; nothing else changes."""

    @functools.wraps(fn)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await fn(update, context)
        except DubanError as e:
            if update.callback_query:
                await update.callback_query.answer(str(e)[:190], show_alert=True)
            else:
                await reply(update, context, "⚠️ " + _escape(str(e)))

    return run


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure; tell the user something went wrong, without internals."""
    log.error("error while handling an update", exc_info=context.error)
    services(context).handler_errors.append(repr(context.error))
    if isinstance(update, Update) and update.effective_chat:
        try:
            await update.effective_chat.send_message(t(lang_of(update, context), "error"))
        except Exception:
            log.exception("could not report the error to the user")


def args_text(update: Update) -> str:
    """The text after the command word (keeps spaces inside notes)."""
    msg = update.effective_message
    text = (msg.text or msg.caption or "") if msg else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
