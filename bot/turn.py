"""One update's context, built once: the services, who acts, in which language, and when.

Handlers are `async def name(turn: Turn) -> None`, wrapped by `@handler`, which builds the
`Turn`, and turns a domain error into a polite reply that names the problem.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import NetworkError
from telegram.ext import ContextTypes

from bot import delivery
from bot.services import Services
from ledger.actions import Actor
from ledger.errors import DubanError, StoreWriteError
from ledger.i18n import t
from ledger.messages import h, split_messages

log = logging.getLogger(__name__)
REPLY_WAIT = 3.0  # seconds a handler waits for its reply before handling the next update
_UNDER_WAY: set[asyncio.Future[Any]] = set()  # replies still queued after REPLY_WAIT (kept referenced)
PtbHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]  # type: ignore[no-any-return]


@dataclass
class Turn:
    update: Update
    s: Services
    actor: Actor
    lang: str
    now: dt.datetime
    chat_id: int
    chat_type: str
    asked: bool = False  # this turn set a question (bot.acts.set_question)

    @classmethod
    def of(cls, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return None
        s = services_of(context)
        return cls(
            update=update,
            s=s,
            actor=s.actor(user.id, chat.id, user.full_name),
            lang=s.lang(user.id),
            now=s.now(),
            chat_id=chat.id,
            chat_type=chat.type,
        )

    @property
    def message(self) -> Message | None:
        return self.update.effective_message

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    @property
    def private(self) -> bool:
        return self.chat_type == "private"

    @property
    def args(self) -> str:
        """The text after the command word (keeps spaces inside notes)."""
        msg = self.message
        text = (msg.text or msg.caption or "") if msg else ""
        parts = text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    async def reply(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
        """Answer in this chat through the outbox, ahead of any reminder, split under Telegram's limit.

        Updates are handled one at a time, so a reply waits at most REPLY_WAIT seconds (real time)
        for its chat (a 429 may park it for a minute); after that it stays queued and goes out when
        Telegram allows, and the next person's update is handled meanwhile (None is returned).
        """
        parts = split_messages(text.split("\n"))
        sending = [  # queued in order: the outbox keeps a chat's messages in the order they came
            asyncio.ensure_future(
                delivery.send(self.s, self.chat_id, part, markup if i == len(parts) - 1 else None, interactive=True)
            )
            for i, part in enumerate(parts)
        ]
        if not sending:
            return None
        _, pending = await asyncio.wait(sending, timeout=REPLY_WAIT)
        for task in pending:
            _UNDER_WAY.add(task)
            task.add_done_callback(_UNDER_WAY.discard)
        last = None
        for task in sending:
            if task.done():
                last = task.result().message or last  # re-raises what the outbox could not handle
        return last

    async def ask(self, text: str) -> Message | None:
        """A question whose answer the bot must receive: in a group, a ForceReply to the person's
        message, so their answer reaches the bot even with privacy mode on (Telegram's default)."""
        if self.private or self.message is None:
            return await self.reply(text)
        assert self.s.outbox is not None
        bot, to = self.s.outbox.bot, self.message.message_id

        async def call(chat: int) -> Message:
            return await bot.send_message(
                chat,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=ForceReply(selective=True),
                reply_parameters=ReplyParameters(message_id=to, allow_sending_without_reply=True),
            )

        return (await delivery.send_with(self.s, self.chat_id, call)).message

    async def reply_lines(self, lines: list[str], markup: InlineKeyboardMarkup | None = None) -> Message | None:
        return await self.reply("\n".join(lines), markup)


def handler(fn: Callable[[Turn], Awaitable[None]]) -> PtbHandler:
    """A PTB callback running `fn` with the update's Turn; domain errors become replies."""

    @functools.wraps(fn)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        turn = Turn.of(update, context)
        if turn is None:
            return
        try:
            await fn(turn)
        except StoreWriteError as e:  # the server's path and errno are for the log, not for the chat
            log.error("%s", e)
            text = turn.t("store_write_failed")
            if turn.query:
                await turn.query.answer(text[:190], show_alert=True)
            else:
                await turn.reply("⚠️ " + h(text))
        except DubanError as e:
            if turn.query:
                await turn.query.answer(str(e)[:190], show_alert=True)
            else:
                await turn.reply("⚠️ " + h(str(e)))

    return run


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure; tell the user something went wrong, without internals."""
    if update is None and isinstance(context.error, NetworkError):  # polling hiccups: one line, no traceback
        log.warning("Telegram 暂时无法连接（%s）；继续重试。Telegram unreachable; retrying.", context.error)
        return
    log.error("error while handling an update", exc_info=context.error)
    s = services_of(context)
    s.handler_errors.append(repr(context.error))
    if isinstance(update, Update) and update.effective_chat:
        lang = s.lang(update.effective_user.id) if update.effective_user else s.settings.language
        try:
            await delivery.send(s, update.effective_chat.id, t(lang, "error"), interactive=True)
        except Exception:
            log.exception("could not report the error to the user")
