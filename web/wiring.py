"""Wiring the web part into `run_bot.py run` without importing aiohttp and jinja2 when it is off.

`web.app` brings aiohttp.web and jinja2 (0.2 s of every launch); with no `[web]` section the bot
needs neither: only the evidence archive and the office's secret, which `wire_web` would set up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services import Services
from web.setup import archive_and_secret


def wire(ptb_app: Any, s: Services, section: Mapping[str, Any], env_secret: str, evidence_root: str) -> None:
    """`web.app.wire_web` when config.toml has a `[web]` section; else what it does then, without it."""
    if section:
        from web.app import wire_web

        wire_web(ptb_app, s, section, env_secret, evidence_root)
        return
    archive_and_secret(s, env_secret, evidence_root)
