"""Checking config.toml once it is read (run_bot.py reads it): unknown sections and keys are refused,
naming the nearest known one, so `[bot] admin = [...]` is not silently a bot with no admins."""

from __future__ import annotations

import difflib
from typing import Any

from ledger.errors import DubanError

# Every key config.toml may hold; [schedule] is checked by Policy.from_config, which knows its own.
KNOWN_KEYS: dict[str, set[str] | None] = {
    "store": {"path", "sent_margin_days", "events_kept_days", "retention_at"},
    "ledger": {"seed"},
    "telegram": {
        "token",
        "username",
        "base_url",
        "base_file_url",
        "mode",
        "webhook_url",
        "webhook_listen",
        "webhook_port",
        "proxy",
    },
    "bot": {
        "admins",
        "admin_chat",
        "require_approval",
        "language",
        "invite_days",
        "ask_expires_minutes",
        "require_evidence",
    },
    "schedule": None,
    "calendar": {"file"},
    "units": {"aliases"},
    "hooks": {"unit", "kind", "url", "secret"},  # [[hooks]]: an array of tables, one per robot or mailbox
    "email": {"host", "port", "username", "sender", "starttls", "per_minute", "cafile"},
    "web": {"listen", "base_url", "max_upload_mb", "token_days", "trusted_proxy"},
}


def check_config(cfg: dict[str, Any], path: str) -> None:
    for section, body in cfg.items():
        if section == "hooks" and isinstance(body, list):
            for item in body:
                check_config({"hooks": item}, path)
            continue
        known = KNOWN_KEYS.get(section, set())
        if section not in KNOWN_KEYS or not isinstance(body, dict):
            raise DubanError(f"配置文件 {path}：未知的配置段 [{section}]{_nearest(section, set(KNOWN_KEYS))}")
        for key in set(body) - (known if known is not None else set(body)):
            raise DubanError(f"配置文件 {path}：[{section}] {key} 不是已知的配置项{_nearest(key, known or set())}")


def _nearest(word: str, known: set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.5)
    return f"，是否应为 {close[0]}？Did you mean {close[0]}?" if close else "。Unknown key."


def unit_aliases(cfg: dict[str, Any]) -> dict[str, str]:
    """`[units] aliases = {"区环境集团有限公司" = "区环境集团"}`: spellings → units."""
    raw = cfg.get("units", {}).get("aliases", {})
    if not isinstance(raw, dict):
        raise DubanError('[units] aliases 应为表，如 aliases = {"区环境集团有限公司" = "区环境集团"}。')
    return {str(k): str(v) for k, v in raw.items()}
