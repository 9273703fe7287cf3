"""`run_bot.py sweep --once [--at ISO]`: one real sweep on every channel, then exit (for cron).

With a Telegram token, Telegram is one of the channels; without one, only the robots and e-mail
are swept (Telegram's chats keep what they are owed for the running bot or the next run with a
token). The store lock is the caller's: a running bot makes this refuse to start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot import sweeping
from bot.services import Services, Settings
from channels.http import Http
from channels.setup import build_channels, page_link, smtp_settings, sync_hooks
from ledger.config import unit_aliases
from ledger.policy import Policy
from ledger.webtokens import WebLinks, office_secret
from store import Repository

ENV = ("TELEGRAM_BOT_TOKEN", "DUBAN_SMTP_PASSWORD", "DUBAN_WEB_SECRET")  # what run_bot.py reads for it


def wire_channels(s: Services, cfg: Mapping[str, Any], env: Mapping[str, str], telegram: bool) -> Http:
    """The robots and mailboxes beside Telegram (`[[hooks]]`, `[email]`), their messages linking to the
    measure page as the bot's buttons do (`s.web`); the HTTP session to close at the end."""
    smtp = smtp_settings(cfg.get("email", {}), env.get("DUBAN_SMTP_PASSWORD", ""))
    sync_hooks(s.repo, cfg.get("hooks", []))
    link = page_link(s.repo, s.web, s.now)
    s.channels, http = build_channels(s.repo, smtp, language=s.settings.language, link=link, telegram=telegram)
    return http


async def sweep_once(s: Services, token: str = "", base_url: str | None = None) -> sweeping.SweepReport:
    if not token:
        return await sweeping.sweep(s)
    from telegram import Bot

    from bot.outbox import Outbox

    bot = Bot(token, base_url=base_url or "https://api.telegram.org/bot")
    async with bot:
        s.outbox = Outbox(bot)
        return await sweeping.sweep(s)


def run_once(repo: Repository, policy: Policy, now: dt.datetime, cfg: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The sweep at `now`, as a running bot would make it; one summary line. `cfg` and `env` are
    what run_bot.py read (config.toml's tables, TELEGRAM_BOT_TOKEN, DUBAN_SMTP_PASSWORD, DUBAN_WEB_SECRET)."""
    token = env.get("TELEGRAM_BOT_TOKEN") or str(cfg.get("telegram", {}).get("token", ""))
    settings = Settings.from_config(cfg.get("bot", {}), unit_aliases(dict(cfg)))
    s = Services(repo, policy, settings, clock=lambda: now)
    web = cfg.get("web", {})  # the links a running bot's messages carry, with the same secret
    if base_url := str(web.get("base_url", "")):
        secret = office_secret(repo, env.get("DUBAN_WEB_SECRET", ""))
        s.web = WebLinks(base_url.rstrip("/"), secret, int(web.get("token_days", 30)))
    http = wire_channels(s, cfg, env, telegram=bool(token))

    async def go() -> sweeping.SweepReport:
        try:
            return await sweep_once(s, token, cfg.get("telegram", {}).get("base_url") or None)
        finally:
            await http.close()

    r = asyncio.run(go())
    return f"sweep at {now.isoformat()}: {r.planned} planned, {r.sent} sent, {r.failed} failed"
