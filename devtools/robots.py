"""Local fakes of the group robots (WeCom, DingTalk, Feishu) and a tiny SMTP server, for tests.

One aiohttp app speaks each vendor's request and response format and error codes, verifies
signatures, and enforces each robot's rate limit on an injected clock (virtual time in tests).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import ssl
import urllib.parse
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

LIMITS = {"wecom": ((20, 60.0),), "dingtalk": ((20, 60.0),), "feishu": ((100, 60.0), (5, 1.0))}
DINGTALK_PENALTY = 600.0  # DingTalk: a robot that sent more than 20 in a minute is throttled for 10 minutes


@dataclass
class FakeRobots:
    clock: Callable[[], float]  # monotonic seconds, for rate limits
    wall: Callable[[], float]  # unix seconds, for signature timestamps
    robots: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, token) → secret
    removed: set[tuple[str, str]] = field(default_factory=set)
    inbox: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    refused: list[tuple[str, int]] = field(default_factory=list)  # (kind, code) of every refusal
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer next (5xx injection)
    _times: dict[tuple[str, str], deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _throttled_until: dict[tuple[str, str], float] = field(default_factory=dict)
    port: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/cgi-bin/webhook/send", self.wecom)
        app.router.add_post("/robot/send", self.dingtalk)
        app.router.add_post("/open-apis/bot/v2/hook/{token}", self.feishu)
        return app

    def url(self, kind: str, token: str) -> str:
        base = f"http://127.0.0.1:{self.port}"
        return {
            "wecom": f"{base}/cgi-bin/webhook/send?key={token}",
            "dingtalk": f"{base}/robot/send?access_token={token}",
            "feishu": f"{base}/open-apis/bot/v2/hook/{token}",
        }[kind]

    def _too_fast(self, robot: tuple[str, str]) -> bool:
        now, times = self.clock(), self._times[robot]
        for count, window in LIMITS[robot[0]]:
            if len([t for t in times if now - t < window]) >= count:
                return True
        times.append(now)
        return False

    def _refuse(self, kind: str, code: int, msg: str, codefield: str = "errcode") -> web.Response:
        self.refused.append((kind, code))
        return web.json_response({codefield: code, ("errmsg" if codefield == "errcode" else "msg"): msg})

    async def wecom(self, req: web.Request) -> web.Response:
        if self.fail_next:
            return web.Response(status=self.fail_next.pop(0))
        robot = ("wecom", req.query.get("key", ""))
        if robot not in self.robots or robot in self.removed:
            return self._refuse("wecom", 93000, "invalid webhook url")
        body = await req.json()
        if body.get("msgtype") != "markdown" or len(body["markdown"]["content"].encode()) > 4096:
            return self._refuse("wecom", 40058, "markdown.content exceed max length 4096")
        if self._too_fast(robot):
            return self._refuse("wecom", 45009, "api freq out of limit")
        self.inbox[robot].append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def dingtalk(self, req: web.Request) -> web.Response:
        if self.fail_next:
            return web.Response(status=self.fail_next.pop(0))
        robot = ("dingtalk", req.query.get("access_token", ""))
        if robot not in self.robots or robot in self.removed:
            return self._refuse("dingtalk", 300001, "token is not exist")
        secret = self.robots[robot]
        if secret:
            ts = req.query.get("timestamp", "0")
            digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
            # aiohttp has already url-decoded the query once: compare with the base64 text
            if req.query.get("sign") != base64.b64encode(digest).decode() or abs(int(ts) / 1000 - self.wall()) > 3600:
                return self._refuse("dingtalk", 310000, "sign not match")
        body = await req.json()
        if body.get("msgtype") not in ("markdown", "actionCard"):
            return self._refuse("dingtalk", 40035, "unsupported msgtype")
        throttled = self.clock() < self._throttled_until.get(robot, 0.0)
        if throttled or self._too_fast(robot):
            if not throttled:
                self._throttled_until[robot] = self.clock() + DINGTALK_PENALTY
            return self._refuse("dingtalk", 130101, "send too fast, exceed 20 times per minute")
        self.inbox[robot].append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def feishu(self, req: web.Request) -> web.Response:
        if self.fail_next:
            return web.Response(status=self.fail_next.pop(0))
        robot = ("feishu", req.match_info["token"])
        if robot not in self.robots or robot in self.removed:
            return self._refuse("feishu", 19001, "param invalid: incoming webhook access token invalid", "code")
        raw = await req.read()
        if len(raw) > 20 * 1024:
            return self._refuse("feishu", 9499, "Bad Request", "code")
        body = json.loads(raw)
        secret = self.robots[robot]
        if secret:
            ts = str(body.get("timestamp", "0"))
            sign = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
            if body.get("sign") != sign or abs(int(ts) - self.wall()) > 3600:
                return self._refuse("feishu", 19021, "sign match fail or timestamp is not within one hour", "code")
        if body.get("msg_type") != "interactive":
            return self._refuse("feishu", 9499, "Bad Request", "code")
        if self._too_fast(robot):
            return self._refuse("feishu", 11232, "frequency limited", "code")
        self.inbox[robot].append(body)
        return web.json_response({"code": 0, "msg": "success", "data": {}})


class FakeSmtp:
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; with `tls`, STARTTLS
    (RFC 3207) and then AUTH PLAIN (RFC 4954), AUTH offered only once the connection is encrypted.

    Mailboxes in `unknown` are refused with 550 at RCPT, like a server for an address that left.
    Every line heard before the upgrade is kept in `in_clear`, so a test can show no secret was in it.
    With `per_minute`, more messages than that in a minute (on `clock`) get 451 at MAIL, as a
    provider's sending limit answers."""

    def __init__(
        self,
        tls: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
        clock: Callable[[], float] | None = None,
        per_minute: int = 0,
    ) -> None:
        self.messages: list[tuple[str, bytes]] = []  # (recipient, message)
        self.unknown: set[str] = set()
        self.tls, self.users = tls, users or {}
        self.clock, self.per_minute, self.refused = clock, per_minute, 0
        self._times: deque[float] = deque()
        self.in_clear: list[str] = []
        self.logins: list[tuple[str, bool]] = []  # (user, whether the connection was encrypted)
        self.port = 0
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    def _ehlo(self, encrypted: bool) -> str:
        offers = ["fake", "8BITMIME"]
        if self.tls is not None and not encrypted:
            offers.append("STARTTLS")
        if self.users and (encrypted or self.tls is None):
            offers.append("AUTH PLAIN")
        return "\r\n".join(f"250{'-' if i < len(offers) - 1 else ' '}{o}" for i, o in enumerate(offers))

    def _too_fast(self) -> bool:
        if not self.per_minute or self.clock is None:
            return False
        now = self.clock()
        while self._times and now - self._times[0] >= 60.0:
            self._times.popleft()
        if len(self._times) >= self.per_minute:
            self.refused += 1
            return True
        self._times.append(now)
        return False

    def _auth(self, line: str, encrypted: bool) -> str:
        try:
            _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
        except (IndexError, ValueError):
            return "501 malformed"
        self.logins.append((user, encrypted))
        return "235 ok" if self.users.get(user) == password else "535 bad credentials"

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def say(line: str) -> None:
            writer.write((line + "\r\n").encode())

        say("220 fake ESMTP")
        rcpt, encrypted = "", False
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            if not encrypted:
                self.in_clear.append(line)
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                say(self._ehlo(encrypted))
            elif verb == "STARTTLS" and self.tls is not None and not encrypted:
                say("220 ready to start TLS")
                await writer.drain()
                await writer.start_tls(self.tls)
                encrypted = True
                continue
            elif verb == "AUTH" and self.users and (encrypted or self.tls is None):
                say(self._auth(line, encrypted))
            elif verb == "MAIL":
                say("451 4.7.0 sending rate exceeded, try again later" if self._too_fast() else "250 ok")
            elif verb == "RCPT":
                rcpt = urllib.parse.unquote(line.split(":", 1)[1].strip(" <>"))
                say("550 no such mailbox" if rcpt in self.unknown else "250 ok")
            elif verb == "DATA":
                say("354 go ahead")
                await writer.drain()
                data = b""
                while (chunk := await reader.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.messages.append((rcpt, data))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                await writer.drain()
                break
            elif verb in ("STARTTLS", "AUTH"):
                say("502 not offered")
            else:
                say("250 ok")
            await writer.drain()
        writer.close()


async def serve(fake: FakeRobots) -> web.AppRunner:
    """Start the fake robots on a free loopback port (`fake.port`); clean up the returned runner."""
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner
