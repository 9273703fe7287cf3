"""The group robots' wire formats, signatures, limits and error codes (see README, "Other channels").

- WeCom 企业微信 群机器人: `{"msgtype": "markdown", "markdown": {"content": …}}`, content at most
  4096 bytes UTF-8, 20 messages a minute per robot; errcode 45009 (too frequent) and -1 (busy)
  are retried, 93000 (invalid webhook URL: the robot was removed) is final.
- DingTalk 钉钉 自定义机器人: `actionCard` with one link button (`singleTitle`/`singleURL`), or
  `markdown` without a link; with 加签, `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(
  key=secret, msg=f"{timestamp}\\n{secret}"))) in the query; 20 a minute per robot (more is
  throttled for 10 minutes). errcode 130101 (send too fast: retried once those 10 minutes are over)
  and -1 are retried; 300001 (token does not exist), 310000 (sign/keyword/IP check failed) and
  400013 (group dissolved) are final.
- Feishu 飞书 自定义机器人: `{"msg_type": "interactive", "card": …}` with a button opening the link;
  with 签名校验, `timestamp` (s) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  msg=b"")) in the body; 100 a minute and 5 a second per robot, body at most 20 KB. code 11232
  (rate limited) is retried; 19021 (sign failed) and 19001 (invalid token) are final.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, ClassVar

from channels.base import Note, Outcome, Pacer, Reply, Sleep, with_retries
from channels.http import Http
from ledger.hooks import Hook


def fit_bytes(text: str, limit: int) -> str:
    """Cut at a character boundary so the UTF-8 encoding fits `limit` bytes, marking the cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode("utf-8", "ignore") + "…"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class Robot:
    """One vendor's robot webhook: paced per robot, retried on its own codes."""

    kind: ClassVar[str] = ""
    limits: ClassVar[tuple[tuple[int, float], ...]] = ((20, 60.0),)
    max_bytes: ClassVar[int] = 4096
    retry_codes: ClassVar[dict[int, float]] = {}  # code → seconds to wait before retrying
    gone_codes: ClassVar[frozenset[int]] = frozenset()
    code_field: ClassVar[str] = "errcode"

    def __init__(
        self,
        http: Http,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        import asyncio

        self.http, self.sleep, self.wall = http, sleep or asyncio.sleep, wall
        self.pacer = Pacer(self.limits, clock, self.sleep)

    def request(self, hook: Hook, note: Note) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def classify(self, body: dict[str, Any]) -> Reply:
        code = int(body.get(self.code_field, -1))
        detail = f"{self.kind} {self.code_field} {code}: {body.get('errmsg') or body.get('msg') or ''}"
        if code == 0:
            return Reply(Outcome.OK)
        if code in self.retry_codes:
            return Reply(Outcome.RETRY, detail, self.retry_codes[code])
        if code in self.gone_codes:
            return Reply(Outcome.GONE, detail)
        return Reply(Outcome.FAILED, detail)

    async def send(self, hook: Hook, note: Note) -> Reply:
        async def attempt() -> Reply:
            await self.pacer.wait(hook.recipient)
            url, body = self.request(hook, note)  # signed afresh each attempt: timestamps expire
            got = await self.http.post(url, body)
            return got if isinstance(got, Reply) else self.classify(got[1])

        return await with_retries(attempt, self.sleep)


class WeCom(Robot):
    kind = "wecom"
    retry_codes: ClassVar[dict[int, float]] = {45009: 60.0, -1: 1.0}
    gone_codes = frozenset({93000})

    def request(self, hook: Hook, note: Note) -> tuple[str, dict[str, Any]]:
        lines = [f"**{note.title}**", *note.lines]
        if note.link:
            lines.append(f"[{note.link_label}]({note.link})")
        return hook.url, {"msgtype": "markdown", "markdown": {"content": fit_bytes("\n".join(lines), self.max_bytes)}}


class DingTalk(Robot):
    kind = "dingtalk"
    retry_codes: ClassVar[dict[int, float]] = {130101: 600.0, -1: 1.0}  # 130101: throttled for 10 minutes
    gone_codes = frozenset({300001, 310000, 400013})
    max_bytes = 4096  # no documented markdown limit found; kept at WeCom's

    def request(self, hook: Hook, note: Note) -> tuple[str, dict[str, Any]]:
        text = fit_bytes("\n\n".join([f"#### {note.title}", *note.lines]), self.max_bytes)
        if note.link:
            body: dict[str, Any] = {
                "msgtype": "actionCard",
                "actionCard": {
                    "title": note.title,
                    "text": text,
                    "singleTitle": note.link_label,
                    "singleURL": note.link,
                },
            }
        else:
            body = {"msgtype": "markdown", "markdown": {"title": note.title, "text": text}}
        url = hook.url
        if hook.secret:
            ts = int(self.wall() * 1000)
            url += f"&timestamp={ts}&sign={dingtalk_sign(hook.secret, ts)}"
        return url, body


class Feishu(Robot):
    kind = "feishu"
    limits = ((100, 60.0), (5, 1.0))
    max_bytes = 18_000  # the body may not exceed 20 KB; the card's frame needs the rest
    retry_codes: ClassVar[dict[int, float]] = {11232: 1.0}
    gone_codes = frozenset({19001, 19021})
    code_field = "code"

    def request(self, hook: Hook, note: Note) -> tuple[str, dict[str, Any]]:
        elements: list[dict[str, Any]] = [
            {"tag": "div", "text": {"tag": "lark_md", "content": fit_bytes(note.markdown, self.max_bytes)}}
        ]
        if note.link:
            button = {"tag": "button", "text": {"tag": "plain_text", "content": note.link_label}}
            elements.append({"tag": "action", "actions": [{**button, "type": "primary", "url": note.link}]})
        card = {"header": {"title": {"tag": "plain_text", "content": note.title}}, "elements": elements}
        body: dict[str, Any] = {"msg_type": "interactive", "card": card}
        if hook.secret:
            ts = int(self.wall())
            body = {"timestamp": str(ts), "sign": feishu_sign(hook.secret, ts), **body}
        return hook.url, body
