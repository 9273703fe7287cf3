"""What the emulator models of Telegram: well-formed HTML as the Bot API checks it, messages in a
transcript, injected faults, and the virtual clock tests and the demo run on."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

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

    `sleep` only moves the clock forward, so waiting (pacing, retry_after) costs no real time. It
    first lets every task that is ready run once: a sleeper that is woken early (the outbox's
    dispatcher, when a new message arrives) is cancelled before any time has passed.
    """

    now: dt.datetime
    mono: float = 0.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> dt.datetime:
        return self.now

    def monotonic(self) -> float:
        return self.mono

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)
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
    at: float = 0.0  # the emulator's clock when the message arrived

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
class Chaos:
    """Random faults on the send methods, for the soak: each request has `rate` odds of one of
    `kinds` (429 with a random retry_after, 500, 502, a dropped connection, a slow answer)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ("429", "500", "502", "drop", "slow")
    seed: int = 0
    max_retry_after: int = 10
    slow_seconds: float = 0.05
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def roll(self, method: str) -> str:
        """The fault for this request ("" for none)."""
        if not method.startswith("send") or self.rng.random() >= self.rate:
            return ""
        return self.rng.choice(self.kinds)


@dataclass
class Chat:
    id: int
    type: str = "private"
    title: str = ""


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
