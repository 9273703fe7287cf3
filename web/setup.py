"""What the bot sets up with or without the web part (`web.wiring` for run, `web.app.wire_web`)."""

from __future__ import annotations

from bot.services import Services
from ledger.webtokens import office_secret
from store.evidence import EvidenceDir


def archive_and_secret(s: Services, env_secret: str, evidence_root: str) -> bytes:
    """What the bot needs with or without the web part: the evidence archive (cleared of what a
    writer killed mid-file left; its record is still pending) and the office's secret, kept in the
    store at first start."""
    s.evidence = EvidenceDir(evidence_root)
    s.evidence.remove_partial()
    return office_secret(s.repo, env_secret)
