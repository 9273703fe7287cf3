"""Wiring the web part into `run_bot.py run` without importing aiohttp and jinja2 when it is off.

`web.app` brings aiohttp.web and jinja2 (0.2 s of every launch); with no `[web]` section the bot
needs neither: only the evidence archive and the office's secret, which `wire_web` would set up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services import Services
from ledger.webtokens import office_secret
from store.evidence import EvidenceDir


def wire(ptb_app: Any, s: Services, section: Mapping[str, Any], env_secret: str, evidence_root: str) -> None:
    """`web.app.wire_web` when config.toml has a `[web]` section; else what it does then, without it."""
    if section:
        from web.app import wire_web

        wire_web(ptb_app, s, section, env_secret, evidence_root)
        return
    archive_and_secret(s, env_secret, evidence_root)


def archive_and_secret(s: Services, env_secret: str, evidence_root: str) -> bytes:
    """What the bot needs with or without the web part: the evidence archive (cleared of what a
    writer killed mid-file left; its record is still pending) and the office's secret, kept in the
    store at first start."""
    s.evidence = EvidenceDir(evidence_root)
    s.evidence.remove_partial()
    return office_secret(s.repo, env_secret)
