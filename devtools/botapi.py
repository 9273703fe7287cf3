"""The Bot API methods the emulator answers (`_m_<method>`), checking what the bot sends as
Telegram does: 4096 UTF-16 code units, 64-byte callback data, well-formed HTML."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from devtools.tgtypes import ApiError, Chat, Sent, check_html

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: characters beyond the BMP count twice)."""
    return len(text.encode("utf-16-le")) // 2


class BotApiMethods:
    """Mixed into `Emulator`, which holds the state declared here."""

    token: str
    username: str
    webhook_url: str
    webhook_secret: str
    commands: dict[str, list[dict[str, Any]]]
    blocked: set[int]
    chats: dict[int, Chat]
    polls: int
    _updates: list[dict[str, Any]]
    _closing: bool
    _update_ids: itertools.count[int]
    _message_ids: itertools.count[int]
    _files: dict[str, tuple[str, bytes]]
    _callback_answers: dict[str, str]
    _changed: asyncio.Condition
    wait_for: Callable[..., Any]
    find: Callable[[int, int], Sent | None]
    _record: Callable[[Sent], Sent]
    _notify: Callable[[], Awaitable[None]]
    _message: Callable[[Sent, int | None], dict[str, Any]]

    async def _m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":")[0]),
            "is_bot": True,
            "first_name": "Duban",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": not getattr(self, "privacy", True),
            "supports_inline_queries": False,
        }

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> dict[str, Any]:
        """As Telegram answers it, also to a bot that polls: how many updates wait to be confirmed."""
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = str(p.get("url", ""))
        self.webhook_secret = str(p.get("secret_token", ""))  # Telegram sends it back on every update
        return True

    def update_json(self, user_id: int, text: str) -> dict[str, Any]:
        """An update as Telegram would POST it to a webhook (and keeps the message in the transcript)."""
        msg = self._record(Sent(user_id, next(self._message_ids), f"user:{user_id}", text))
        return {"update_id": next(self._update_ids), "message": self._message(msg, user_id)}

    def forbidden(self, chat_id: Any) -> str:
        """Telegram's words for a 403: a person blocked the bot, or a group removed it."""
        kind = self.chats[chat_id].type if chat_id in self.chats else "private"
        if isinstance(chat_id, int) and chat_id < 0 and kind == "private":
            kind = "group"
        if kind == "private":
            return "Forbidden: bot was blocked by the user"
        return f"Forbidden: bot was kicked from the {'supergroup' if kind == 'supergroup' else 'group'} chat"

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        self.polls += 1
        mine = self.polls
        await self._notify()  # an older poll learns it has been superseded
        offset = int(p.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(p.get("timeout") or 0)
        if not self._updates and timeout and not self._closing:
            with contextlib.suppress(TimeoutError):
                await self.wait_for(lambda: self._updates or self._closing or self.polls != mine, min(timeout, 1.0))
        if self.polls != mine:  # a second poller: only one bot instance may run
            raise ApiError(409, CONFLICT)
        return list(self._updates[: int(p.get("limit") or 100)])

    async def _m_setMyCommands(self, p: dict[str, Any]) -> bool:
        scope = p.get("scope") or {"type": "default"}
        key = f"{scope.get('type')}:{scope.get('chat_id', '')}:{p.get('language_code', '')}"
        self.commands[key] = p.get("commands") or []
        return True

    async def _m_deleteMyCommands(self, p: dict[str, Any]) -> bool:
        return True

    async def _m_setChatMenuButton(self, p: dict[str, Any]) -> bool:
        return True

    def _check_send(
        self, chat_id: Any, text: str, parse_mode: str | None, markup: dict[str, Any] | None, limit: int = 4096
    ) -> None:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, self.forbidden(chat_id))
        plain = text
        if parse_mode == "HTML":
            plain, error = check_html(text)
            if error:
                raise ApiError(400, f"Bad Request: {error}")
        if utf16_len(plain) > limit:  # Telegram counts UTF-16 code units: an emoji may count as 2
            raise ApiError(400, "Bad Request: message is too long")
        for row in (markup or {}).get("inline_keyboard", []):
            for b in row:
                data = b.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    async def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        text = str(p.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        self._check_send(p.get("chat_id"), text, p.get("parse_mode"), p.get("reply_markup"))
        reply_to = p.get("reply_to_message_id") or (p.get("reply_parameters") or {}).get("message_id")
        msg = self._record(
            Sent(p["chat_id"], next(self._message_ids), "bot", text, p.get("reply_markup"), reply_to=reply_to)
        )
        return self._message(msg, None)

    async def _send_file(self, p: dict[str, Any], kind: str) -> dict[str, Any]:
        caption = str(p.get("caption", ""))
        self._check_send(p.get("chat_id"), caption, p.get("parse_mode"), p.get("reply_markup"), limit=1024)
        f = p.get(kind)
        name, data = f if isinstance(f, tuple) else (str(f), b"")
        msg = self._record(
            Sent(
                p["chat_id"],
                next(self._message_ids),
                "bot",
                caption,
                p.get("reply_markup"),
                kind=kind,
                file_name=name,
                file_bytes=data,
            )
        )
        return self._message(msg, None)

    async def _m_sendDocument(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(p, "document")

    async def _m_sendPhoto(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(p, "photo")

    async def _m_copyMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        src = self.find(int(p["from_chat_id"]), int(p["message_id"]))
        if src is None:
            raise ApiError(400, "Bad Request: message to copy not found")
        self._check_send(p.get("chat_id"), "", None, p.get("reply_markup"))
        msg = self._record(
            Sent(
                p["chat_id"],
                next(self._message_ids),
                "bot",
                src.text,
                kind=src.kind,
                file_name=src.file_name,
                file_bytes=src.file_bytes,
            )
        )
        return {"message_id": msg.message_id}

    async def _m_editMessageText(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self.find(p.get("chat_id"), p.get("message_id"))  # type: ignore[arg-type]
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        self._check_send(p.get("chat_id"), str(p.get("text", "")), p.get("parse_mode"), p.get("reply_markup"))
        msg.text, msg.reply_markup, msg.edited = str(p["text"]), p.get("reply_markup"), True
        return self._message(msg, None)

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self.find(p.get("chat_id"), p.get("message_id"))  # type: ignore[arg-type]
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        self._check_send(p.get("chat_id"), "", None, p.get("reply_markup"))
        msg.reply_markup, msg.edited = p.get("reply_markup"), True
        return self._message(msg, None)

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        self._callback_answers[str(p.get("callback_query_id"))] = str(p.get("text", ""))
        return True

    async def _m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        fid = str(p.get("file_id"))
        if fid not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        name, data = self._files[fid]
        return {"file_id": fid, "file_unique_id": fid + "u", "file_size": len(data), "file_path": name}
