"""A local Telegram Bot API emulator for tests and `make demo`, on loopback, no network.

It speaks the Bot API over HTTP the way python-telegram-bot expects (`/bot<token>/<method>`,
form or multipart bodies, `{"ok": ..., "result": ...}` envelopes, HTTP status codes that PTB
maps to its errors), keeps a transcript per chat, lets a test inject user messages, replies,
files and button presses, validates what the bot sends as Telegram does (4096 UTF-16 code units,
64-byte callback data, well-formed HTML), answers 403 as Telegram words it for a person or a
group and 409 to overlapping getUpdates, can enforce Telegram's flood limits (`max_per_second`,
`chat_limits`; see `flood.py`), and can inject 429/403/5xx/ChatMigrated faults.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from devtools.botapi import BotApiMethods
from devtools.flood import FloodControl
from devtools.tgtypes import ApiError, Chaos, Chat, Fault, Sent, VirtualClock, check_html

__all__ = ["ApiError", "Chaos", "Chat", "Emulator", "Fault", "Sent", "VirtualClock", "check_html"]


@dataclass
class Emulator(BotApiMethods):
    token: str = "123456:TEST-TOKEN"
    username: str = "duban_test_bot"
    host: str = "127.0.0.1"
    port: int = 0
    max_per_second: float = 0.0  # overall rate limit to enforce (0 = off; Telegram's is 30)
    chat_limits: bool = False  # enforce 1 a second per private chat and 20 a minute per group
    transcripts: dict[int, list[Sent]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    chats: dict[int, Chat] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    privacy: bool = True  # group privacy mode, Telegram's default: see `hears`
    chaos: Chaos = field(default_factory=Chaos)  # random faults (off by default: rate 0)
    clock: Callable[[], float] = time.monotonic
    log: list[Sent] = field(default_factory=list)  # every message, in order
    names: dict[int, str] = field(default_factory=dict)  # first names of simulated people

    def __post_init__(self) -> None:
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(random.randrange(10**6, 10**9))  # like Telegram: not from 1
        self._message_ids = itertools.count(1000)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._file_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.flood = FloodControl()
        self.polls = 0  # getUpdates calls: a newer one ends an older one with 409 Conflict
        self._callback_answers: dict[str, str] = {}
        self._closing = False
        self.webhook_url = ""
        self.webhook_secret = ""

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
        fault = self._fault_for(method, params.get("chat_id")) or await self._chaos(method, request)
        if fault:
            return fault
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except ApiError as e:
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
                    return self._error(403, self.forbidden(chat_id))
                if f.kind == "migrate":
                    return self._error(
                        400,
                        "Bad Request: group chat was upgraded to a supergroup chat",
                        {"migrate_to_chat_id": f.new_chat_id},
                    )
                return self._error(int(f.kind), "Internal Server Error" if f.kind == "500" else "Bad Gateway")
        if method.startswith("send") or method in ("copyMessage", "forwardMessage"):
            self.flood.overall_per_second, self.flood.per_chat = self.max_per_second, self.chat_limits
            after = self.flood.admit(chat_id, self.clock())
            if after is not None:
                return self._error(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
        return None

    @property
    def throttled(self) -> int:
        """Requests refused for going over a limit (injected faults not counted)."""
        return self.flood.throttled

    async def _chaos(self, method: str, request: web.Request) -> web.Response | None:
        """A random fault (`chaos`); a dropped connection never reaches the method, as when the
        request is lost on the way, so the bot may safely send again."""
        kind = self.chaos.roll(method)
        if kind == "slow":
            await asyncio.sleep(self.chaos.slow_seconds)
        elif kind == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=599)  # never reaches the bot: the connection is gone
        elif kind == "429":
            after = self.chaos.rng.randint(1, self.chaos.max_retry_after)
            return self._error(429, f"Too Many Requests: retry after {after}", {"retry_after": after})
        elif kind:
            return self._error(int(kind), "Internal Server Error" if kind == "500" else "Bad Gateway")
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
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:  # Telegram returns only inline keyboards
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
        msg.at = self.clock()
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
        if self.hears(msg):
            self._push({"message": self._message(msg, user_id)})
        return msg

    def hears(self, msg: Sent) -> bool:
        """Whether Telegram hands the bot this message. With `privacy` on (Telegram's default for bots),
        in a group only commands, replies to the bot's own messages and mentions of it arrive."""
        if not self.privacy or msg.chat_id > 0:
            return True
        if msg.text.startswith("/") or f"@{self.username}" in msg.text:
            return True
        original = self.find(msg.chat_id, msg.reply_to) if msg.reply_to is not None else None
        return original is not None and original.sender == "bot"

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
        return await self.wait_for(  # type: ignore[no-any-return]
            lambda: next((m for m in self.bot_messages(chat_id) if m.message_id > after), None), timeout
        )

    def answer_for(self, query_id: str) -> str | None:
        return self._callback_answers.get(query_id)
