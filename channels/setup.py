"""Building the channels from the parts of config.toml that `run_bot.py` read and hands over.

`[[hooks]]` entries are written into the store at start (the store is the truth; `/hook` adds
more in chat); `[email]` configures SMTP; `[web] base_url` turns on links to the measure page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from channels.base import Sleep
from channels.email import Email, SmtpSettings
from channels.http import Http
from channels.render import LinkFn
from channels.robots import DingTalk, Feishu, WeCom
from channels.seam import Channels, Sender, no_links
from ledger.errors import DubanError
from ledger.hooks import KINDS, kind_of
from store import Repository


def sync_hooks(repo: Repository, hooks: list[Mapping[str, Any]]) -> int:
    """`[[hooks]] unit, kind, url, secret` into the store; returns how many."""
    for i, h in enumerate(hooks, 1):
        unit, url = str(h.get("unit", "")), str(h.get("url", ""))
        kind = str(h.get("kind", "")) or kind_of(url)
        if not unit or not url or kind not in KINDS:
            raise DubanError(f"[[hooks]] 第 {i} 项：需要 unit、url，kind 为 {'/'.join(KINDS)}。")
        repo.put_hook(unit, kind, url, str(h.get("secret", "")), "config")
    return len(hooks)


def smtp_settings(e: Mapping[str, Any], password: str) -> SmtpSettings:
    return SmtpSettings(
        host=str(e.get("host", "")),
        port=int(e.get("port", 587)),
        username=str(e.get("username", "")),
        password=password,
        sender=str(e.get("sender", "")),
        starttls=bool(e.get("starttls", True)),
        per_minute=int(e.get("per_minute", 30)),
    )


def page_link(base_url: str, token_of: Callable[[str], str | None]) -> LinkFn:
    """`{base_url}/m/<token>` for a measure, when the web page exists (`token_of` gives its token)."""
    if not base_url:
        return no_links

    def link(measure_id: str) -> str | None:
        token = token_of(measure_id)
        return f"{base_url.rstrip('/')}/m/{token}" if token else None

    return link


def no_token(_measure_id: str) -> str | None:
    """The measure page (web issue) is not in this build: no links, the channels say they are one-way."""
    return None


def build_channels(
    repo: Repository,
    smtp: SmtpSettings,
    *,
    language: str = "zh",
    link: LinkFn = no_links,
    telegram: bool = True,
    clock: Callable[[], float] = time.monotonic,
    sleep: Sleep | None = None,
    wall: Callable[[], float] = time.time,
) -> tuple[Channels, Http]:
    http = Http()
    senders: dict[str, Sender] = {
        "wecom": WeCom(http, clock, sleep, wall),
        "dingtalk": DingTalk(http, clock, sleep, wall),
        "feishu": Feishu(http, clock, sleep, wall),
    }
    if smtp.host:
        senders["email"] = Email(smtp, clock, sleep)
    return Channels(repo, senders, language, link, telegram), http
