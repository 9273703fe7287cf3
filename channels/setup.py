"""Building the channels from the parts of config.toml that `run_bot.py` read and hands over.

`[[hooks]]` entries are written into the store at start (the store is the truth; `/hook` adds
more in chat); `[email]` configures SMTP; `[web] base_url` turns on links to the measure page.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from typing import Any

from channels.base import Sleep
from channels.email import Email, SmtpSettings
from channels.http import Http
from channels.robots import DingTalk, Feishu, WeCom
from channels.seam import Channels, HookLink, Sender, no_links
from ledger.errors import DubanError
from ledger.hooks import KINDS, Hook, kind_of, mask
from ledger.webtokens import WebLinks
from store import Repository


def sync_hooks(repo: Repository, hooks: list[Mapping[str, Any]]) -> int:
    """`[[hooks]] unit, kind, url, secret` into the store; returns how many addresses.

    An entry already stored as written keeps its state: a robot found gone stays inactive (and the
    office is not told again at every start or cron run) until its entry changes or `/hook` rebinds it.
    The store binds a URL to one unit, so one URL under two units is refused before anything is
    written: bound to the last only, the other unit's reminders would silently go nowhere."""
    entries: dict[str, tuple[str, str, str]] = {}  # url → unit, kind, secret
    for i, h in enumerate(hooks, 1):
        unit, url = str(h.get("unit", "")), str(h.get("url", ""))
        kind = str(h.get("kind", "")) or kind_of(url)
        if not unit or not url or kind not in KINDS:
            raise DubanError(f"[[hooks]] 第 {i} 项：需要 unit、url，kind 为 {'/'.join(KINDS)}。")
        first = entries.setdefault(url, (unit, kind, str(h.get("secret", ""))))
        if first[0] == unit:  # the same unit twice: the later entry wins, as it always did
            entries[url] = (unit, kind, str(h.get("secret", "")))
        else:
            raise DubanError(
                f"[[hooks]] 第 {i} 项：同一地址 {mask(url)} 同时配置给了“{first[0]}”和“{unit}”。"
                "一个机器人地址只能属于一个单位，请为其中一个单位另建机器人，或删去重复的一项。"
            )
    stored = {(h.unit, h.kind, h.url, h.secret) for h in repo.hooks()}
    for url, (unit, kind, secret) in entries.items():
        if (unit, kind, url, secret) not in stored:
            repo.put_hook(unit, kind, url, secret, "config")
    return len(entries)


def smtp_settings(e: Mapping[str, Any], password: str) -> SmtpSettings:
    return SmtpSettings(
        host=str(e.get("host", "")),
        port=int(e.get("port", 587)),
        username=str(e.get("username", "")),
        password=password,
        sender=str(e.get("sender", "")),
        starttls=bool(e.get("starttls", True)),
        per_minute=int(e.get("per_minute", 30)),
        cafile=str(e.get("cafile", "")),
    )


def page_link(repo: Repository, web: WebLinks | None, now: Callable[[], dt.datetime]) -> HookLink:
    """`{base_url}/m/<token>` for a measure, minted as the bot's own buttons are (`WebLinks`), for the
    hook's group as holder: the page lets it act for the hook's unit while the hook is active."""
    if web is None or not web.base_url:
        return no_links

    def link(hook: Hook, measure_id: str) -> str | None:
        return web.measure_url(repo, hook.holder, repo.key_of(measure_id), now())

    return link


def build_channels(
    repo: Repository,
    smtp: SmtpSettings,
    *,
    language: str = "zh",
    link: HookLink = no_links,
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
