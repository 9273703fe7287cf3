"""A local Telegram Bot API emulator for tests and `make demo`, on loopback, no network.

It speaks the Bot API over HTTP the way python-telegram-bot expects (`/bot<token>/<method>`,
form or multipart bodies, `{"ok": ..., "result": ...}` envelopes, HTTP status codes that PTB
maps to its errors), keeps a transcript per chat, lets a test inject user messages, replies,
files and button presses, validates what the bot sends as Telegram does (4096 characters,
64-byte callback data, well-formed HTML), and can inject 429/403/5xx/ChatMigrated faults.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}


class _HTMLCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error = ""
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Can\'t find end tag corresponding to start tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(text: str) -> tuple[str, str]:
    """(plain text, error) as Telegram's HTML parse mode would see it."""
    if re.search(r"<(?![a-zA-Z/])", text):
        return "", 'Can\'t parse entities: unexpected "<"'
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        return "", 'Can\'t parse entities: unexpected "&"'
    p = _HTMLCheck()
    p.feed(text)
    p.close()
    if p.stack and not p.error:
        p.error = f'Can\'t find end tag corresponding to start tag "{p.stack[-1]}"'
    return "".join(p.text), p.error


@dataclass
class VirtualClock:
    """An injected clock for tests and the demo: wall time for the ledger, monotonic seconds for the outbox.

    `sleep` only moves the clock forward, so waiting (pacing, retry_after) costs no real time.
    """

    now: dt.datetime
    mono: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.mono += max(seconds, 0.0)
        self.now += dt.timedelta(seconds=max(seconds, 0.0))

    def set(self, when: dt.datetime) -> None:
        self.now = when


@dataclass
class Sent:
    """One message in a chat transcript."""

    chat_id: int
    message_id: int
    sender: str  # "bot" or "user:<id>"
    text: str
    reply_markup: dict[str, Any] | None = None
    kind: str = "text"  # text, photo, document
    file_name: str = ""
    file_bytes: bytes = b""
    reply_to: int | None = None
    edited: bool = False

    @property
    def buttons(self) -> list[tuple[str, str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [(b.get("text", ""), b.get("callback_data", b.get("url", ""))) for row in rows for b in row]


@dataclass
class Fault:
    method: str
    kind: str  # "429", "403", "500", "502", "migrate"
    chat_id: int | None = None
    times: int = 1
    retry_after: int = 1
    new_chat_id: int = 0


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str = ""


@dataclass
class Emulator:
    token: str = "123456:TEST-TOKEN"
    username: str = "duban_test_bot"
    host: str = "127.0.0.1"
    port: int = 0
    max_per_second: float = 0.0  # overall rate limit to enforce (0 = off)
    transcripts: dict[int, list[Sent]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    chats: dict[int, Chat] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic
    log: list[Sent] = field(default_factory=list)  # every message, in order
    names: dict[int, str] = field(default_factory=dict)  # first names of simulated people

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._send_times: list[float] = []
        self._callback_answers: dict[str, str] = {}
        self._closing = False
        self.throttled = 0  # requests refused for going over max_per_second
        self.webhook_url = ""

    async def release_polls(self) -> None:
        """End pending long polls at once (so a bot can stop without waiting out its timeout)."""
        self._closing = True
        await self._notify()

    # -- server -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.*}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for name, data in self._files.values():
            if name == path:
                return web.Response(body=data)
        return web.Response(status=404)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                key = str(part.name)  # type: ignore[union-attr]
                if part.filename:  # type: ignore[union-attr]
                    params[key] = (part.filename, await part.read())  # type: ignore[union-attr]
                else:
                    params[key] = (await part.read()).decode()  # type: ignore[union-attr]
        else:
            params.update(dict(await request.post()))
        for k in ("chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id", "from_chat_id"):
            if k in params and isinstance(params[k], str) and re.fullmatch(r"-?\d+", params[k]):
                params[k] = int(params[k])
        for k in ("reply_markup", "commands", "scope", "reply_parameters"):
            if k in params and isinstance(params[k], str):
                params[k] = json.loads(params[k])
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        if method != "getUpdates":
            self.calls.append((method, params))
        fault = self._fault_for(method, params.get("chat_id"))
        if fault:
            return fault
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except _ApiError as e:
            self.errors.append(f"{method}: {e.description}")
            return self._error(e.code, e.description)
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    def _error(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    def _fault_for(self, method: str, chat_id: Any) -> web.Response | None:
        for f in self.faults:
            if f.method == method and (f.chat_id is None or f.chat_id == chat_id) and f.times > 0:
                f.times -= 1
                if f.kind == "429":
                    return self._error(
                        429, f"Too Many Requests: retry after {f.retry_after}", {"retry_after": f.retry_after}
                    )
                if f.kind == "403":
                    return self._error(403, "Forbidden: bot was blocked by the user")
                if f.kind == "migrate":
                    return self._error(
                        400,
                        "Bad Request: group chat was upgraded to a supergroup chat",
                        {"migrate_to_chat_id": f.new_chat_id},
                    )
                return self._error(int(f.kind), "Internal Server Error" if f.kind == "500" else "Bad Gateway")
        if self.max_per_second and method.startswith("send"):
            now = self.clock()
            self._send_times = [t for t in self._send_times if now - t < 1.0]
            if len(self._send_times) >= self.max_per_second:
                self.throttled += 1
                return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self._send_times.append(now)
        return None

    # -- what tests do ------------------------------------------------------------------
    def chat(self, chat_id: int, type: str = "private", title: str = "") -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id, type, title))

    def _user(self, user_id: int, name: str = "") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name or self.names.get(user_id, f"user{user_id}")}

    def _chat_dict(self, chat_id: int) -> dict[str, Any]:
        c = self.chat(chat_id, "private" if chat_id > 0 else "group")
        d: dict[str, Any] = {"id": c.id, "type": c.type}
        if c.type == "private":
            d["first_name"] = self.names.get(chat_id, f"user{chat_id}")
        else:
            d["title"] = c.title or f"group{-chat_id}"
        return d

    def _message(self, msg: Sent, user_id: int | None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self._chat_dict(msg.chat_id),
        }
        if user_id is None:
            d["from"] = {
                "id": int(self.token.split(":")[0]),
                "is_bot": True,
                "first_name": "Duban",
                "username": self.username,
            }
        else:
            d["from"] = self._user(user_id)
        if msg.kind == "photo":
            d["photo"] = [{"file_id": msg.file_name, "file_unique_id": msg.file_name + "u", "width": 90, "height": 90}]
            if msg.text:
                d["caption"] = msg.text
        elif msg.kind == "document":
            d["document"] = {
                "file_id": f"doc{msg.message_id}",
                "file_unique_id": f"du{msg.message_id}",
                "file_name": msg.file_name,
            }
            if msg.text:
                d["caption"] = msg.text
        else:
            d["text"] = msg.text
            if msg.text.startswith("/"):
                cmd = msg.text.split()[0]
                d["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
        if msg.reply_markup:
            d["reply_markup"] = msg.reply_markup
        if msg.reply_to is not None:
            original = self.find(msg.chat_id, msg.reply_to)
            if original:
                d["reply_to_message"] = self._message(
                    original, None if original.sender == "bot" else int(original.sender.split(":")[1])
                )
        return d

    def find(self, chat_id: int, message_id: int) -> Sent | None:
        return next((m for m in self.transcripts.get(chat_id, []) if m.message_id == message_id), None)

    def _record(self, msg: Sent) -> Sent:
        self.transcripts.setdefault(msg.chat_id, []).append(msg)
        self.log.append(msg)
        return msg

    def user_sends(
        self,
        user_id: int,
        text: str = "",
        chat_id: int | None = None,
        *,
        reply_to: int | None = None,
        photo: bool = False,
        document: tuple[str, bytes] | None = None,
    ) -> Sent:
        """A person writes to the bot (in their private chat unless `chat_id` is a group)."""
        chat_id = user_id if chat_id is None else chat_id
        msg = Sent(chat_id, next(self._message_ids), f"user:{user_id}", text, reply_to=reply_to)
        if photo:
            msg.kind, msg.file_name = "photo", f"photo{msg.message_id}"
        if document:
            msg.kind, msg.file_name, msg.file_bytes = "document", document[0], document[1]
            self._files[f"doc{msg.message_id}"] = (f"documents/{document[0]}", document[1])
        self._record(msg)
        self._push({"message": self._message(msg, user_id)})
        return msg

    def press(self, user_id: int, message: Sent, data: str) -> str:
        """A person presses an inline button under `message`; returns the callback query id."""
        qid = str(next(self._update_ids) + 10_000)
        self._push(
            {
                "callback_query": {
                    "id": qid,
                    "from": self._user(user_id),
                    "chat_instance": "ci",
                    "data": data,
                    "message": self._message(message, None),
                }
            }
        )
        return qid

    def _push(self, payload: dict[str, Any]) -> None:
        payload["update_id"] = next(self._update_ids)
        self._updates.append(payload)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def bot_messages(self, chat_id: int) -> list[Sent]:
        return [m for m in self.transcripts.get(chat_id, []) if m.sender == "bot"]

    def last(self, chat_id: int) -> Sent:
        return self.bot_messages(chat_id)[-1]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until the bot has done something that makes `predicate` true (event-driven)."""

        async def loop() -> Any:
            async with self._changed:
                while True:
                    value = predicate()
                    if value:
                        return value
                    await self._changed.wait()

        return await asyncio.wait_for(loop(), timeout)

    async def reply_in(self, chat_id: int, after: int = -1, timeout: float = 10.0) -> Sent:
        """The bot's next message in `chat_id` after message id `after`."""
        return await self.wait_for(
            lambda: next((m for m in self.bot_messages(chat_id) if m.message_id > after), None), timeout
        )

    def answer_for(self, query_id: str) -> str | None:
        return self._callback_answers.get(query_id)

    # -- Bot API methods -------------------------------------------------------------------
    async def _m_getMe(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": int(self.token.split(":")[0]),
            "is_bot": True,
            "first_name": "Duban",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    async def _m_setWebhook(self, p: dict[str, Any]) -> bool:
        self.webhook_url = str(p.get("url", ""))
        return True

    def update_json(self, user_id: int, text: str) -> dict[str, Any]:
        """An update as Telegram would POST it to a webhook (and keeps the message in the transcript)."""
        msg = self._record(Sent(user_id, next(self._message_ids), f"user:{user_id}", text))
        return {"update_id": next(self._update_ids), "message": self._message(msg, user_id)}

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(p.get("timeout") or 0)
        if not self._updates and timeout and not self._closing:
            try:
                await self.wait_for(lambda: self._updates or self._closing, min(timeout, 1.0))
            except TimeoutError:
                pass
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
            raise _ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        plain = text
        if parse_mode == "HTML":
            plain, error = check_html(text)
            if error:
                raise _ApiError(400, f"Bad Request: {error}")
        if len(plain) > limit:
            raise _ApiError(400, "Bad Request: message is too long")
        for row in (markup or {}).get("inline_keyboard", []):
            for b in row:
                data = b.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    async def _m_sendMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        text = str(p.get("text", ""))
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
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
            raise _ApiError(400, "Bad Request: message to copy not found")
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
            raise _ApiError(400, "Bad Request: message to edit not found")
        self._check_send(p.get("chat_id"), str(p.get("text", "")), p.get("parse_mode"), p.get("reply_markup"))
        msg.text, msg.reply_markup, msg.edited = str(p["text"]), p.get("reply_markup"), True
        return self._message(msg, None)

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self.find(p.get("chat_id"), p.get("message_id"))  # type: ignore[arg-type]
        if msg is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        self._check_send(p.get("chat_id"), "", None, p.get("reply_markup"))
        msg.reply_markup, msg.edited = p.get("reply_markup"), True
        return self._message(msg, None)

    async def _m_answerCallbackQuery(self, p: dict[str, Any]) -> bool:
        self._callback_answers[str(p.get("callback_query_id"))] = str(p.get("text", ""))
        return True

    async def _m_getFile(self, p: dict[str, Any]) -> dict[str, Any]:
        fid = str(p.get("file_id"))
        if fid not in self._files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        name, data = self._files[fid]
        return {"file_id": fid, "file_unique_id": fid + "u", "file_size": len(data), "file_path": name}


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
