"""`run_bot.py hooks list` and `hooks test UNIT`: what is bound, and whether each address still works.

A test message goes to every active robot and mailbox of the unit through the same senders as a
reminder, so a key the vendor refuses is marked inactive (and the office's own robot told) exactly
as a real send would. Only masked URLs and the vendor's code and message are shown, never a secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from channels.base import Note, Outcome, Reply
from channels.seam import Channels
from channels.setup import build_channels, smtp_settings, sync_hooks
from ledger.actions import hook_unit
from ledger.config import unit_aliases
from ledger.errors import DubanError
from ledger.hooks import Hook, hook_lines, mask
from ledger.i18n import plain, t
from ledger.messages import plain_text
from store import Repository

PROBE_KEYS = {Outcome.OK: "hook_probe.ok", Outcome.GONE: "hook_probe.gone"}


async def probe(chans: Channels, unit: str) -> list[tuple[Hook, Reply | None]]:
    """A test message to each of `unit`'s addresses; None for one already inactive (not sent)."""
    lang, out = chans.lang, list[tuple[Hook, Reply | None]]()
    for hook in (h for h in chans.repo.hooks() if h.unit == unit):
        if not hook.active:
            out.append((hook, None))
            continue
        if hook.kind not in chans.senders:  # a mailbox without `[email] host`
            out.append((hook, Reply(Outcome.FAILED, f"[{hook.kind}] not configured")))
            continue
        title = plain_text(t(lang, "hook_test", unit=unit))
        out.append((hook, await chans.deliver(hook, Note(title, (plain(lang, "hook_one_way"),)))))
    return out


def probe_lines(results: list[tuple[Hook, Reply | None]], unit: str, lang: str) -> tuple[list[str], bool]:
    """One line per address, and whether every active one received the message."""
    if not results:
        return [t(lang, "hook_probe.none", unit=unit)], False
    lines = []
    for hook, reply in results:
        key = "hook_probe.inactive" if reply is None else PROBE_KEYS.get(reply.outcome, "hook_probe.failed")
        kind = plain(lang, f"hook_kind.{hook.kind}")
        lines.append(t(lang, key, kind=kind, url=mask(hook.url), detail=reply.detail if reply else ""))
    sent = [reply for _, reply in results if reply is not None]
    return lines, bool(sent) and all(r.outcome is Outcome.OK for r in sent)


def hook_command(
    repo: Repository, cfg: Mapping[str, Any], smtp_password: str, action: str, written: str
) -> tuple[list[str], bool]:
    """`hooks list` or `hooks test UNIT` on config.toml's tables (as run_bot.py read them): the lines to
    print and whether it went well; `[[hooks]]` entries are brought into the store first, as at start."""
    lang = str(cfg.get("bot", {}).get("language", "zh"))
    sync_hooks(repo, cfg.get("hooks", []))
    if action == "list":
        return [plain_text(line) for line in hook_lines(repo.hooks(), lang)], True
    if not written:
        raise DubanError("用法：run_bot.py hooks test 单位。Usage: run_bot.py hooks test UNIT")
    unit = hook_unit(repo, written, unit_aliases(dict(cfg)))
    chans, http = build_channels(repo, smtp_settings(cfg.get("email", {}), smtp_password), language=lang)

    async def go() -> list[tuple[Hook, Reply | None]]:
        try:
            return await probe(chans, unit)
        finally:
            await http.close()

    lines, ok = probe_lines(asyncio.run(go()), unit, lang)
    return [plain_text(line) for line in lines], ok
