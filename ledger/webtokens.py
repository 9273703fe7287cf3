"""Signed, expiring links to the web pages (the board, a measure's page).

A token names its holder (a Telegram user, or a group chat bound to a unit), what it opens (the
board, or one measure by its store key), the holder's link generation and when it expires, and
carries an HMAC-SHA256 over all of that with the office's secret. Nothing in it can be guessed or
edited: a changed character fails the signature. `/web revoke` bumps the holder's generation, so
every link issued before stops working at once. The CSRF value of a page is derived from its token,
so a form posted from elsewhere (without the page) is refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal, Protocol

from ledger.errors import DubanError

Kind = Literal["b", "m"]  # the board; one measure
GEN_PREF = "web_gen"
SECRET_PREF = "web_secret"
SIG_BYTES = 16  # 128 bits of HMAC-SHA256: forging one is out of reach, the link stays short


class BadToken(DubanError):
    """A link that is malformed, tampered with, expired or revoked; `reason` says which (for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__("链接无效或已过期，请在机器人消息中重新打开。This link is invalid or has expired.")
        self.reason = reason


class Prefs(Protocol):
    def pref(self, user_id: int, key: str) -> str | None: ...
    def set_pref(self, user_id: int, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class Grant:
    """What a valid token lets its holder open."""

    kind: Kind
    holder: int
    key: str  # the measure's store key; "" for the board
    expires: dt.datetime


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:SIG_BYTES]


def mint(secret: bytes, kind: Kind, holder: int, key: str, generation: int, expires: dt.datetime) -> str:
    payload = f"{kind}|{holder}|{key}|{generation}|{int(expires.timestamp())}".encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def check(
    secret: bytes, token: str, now: dt.datetime, generation: int | None = None, prefs: Prefs | None = None
) -> Grant:
    """The grant a token carries, if its signature, expiry and generation hold; else BadToken."""
    try:
        body, sig = token.split(".")
        payload = _unb64(body)
        given = _unb64(sig)
    except (ValueError, binascii.Error):
        raise BadToken("malformed") from None
    if _b64(payload) != body or _b64(given) != sig:  # one spelling per token (base64's spare bits)
        raise BadToken("malformed")
    if not hmac.compare_digest(given, _sign(secret, payload)):
        raise BadToken("signature")
    kind, holder_s, key, gen_s, exp_s = payload.decode().split("|")
    holder, expires = int(holder_s), dt.datetime.fromtimestamp(int(exp_s), dt.UTC)
    if expires <= now:
        raise BadToken("expired")
    current = generation if generation is not None else (current_generation(prefs, holder) if prefs else 0)
    if int(gen_s) != current:
        raise BadToken("revoked")
    if kind not in ("b", "m"):
        raise BadToken("malformed")
    return Grant(kind, holder, key, expires)  # type: ignore[arg-type]  # checked just above


def csrf_value(secret: bytes, token: str) -> str:
    """The hidden form value a page's forms must send back (derived, so nothing is stored)."""
    return hmac.new(secret, b"csrf|" + token.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_ok(secret: bytes, token: str, given: str) -> bool:
    return hmac.compare_digest(csrf_value(secret, token), given or "")


def current_generation(prefs: Prefs, holder: int) -> int:
    raw = prefs.pref(holder, GEN_PREF)
    return int(raw) if raw and raw.isdigit() else 0


def revoke(prefs: Prefs, holder: int) -> int:
    """Every link issued to `holder` so far stops working; the new generation."""
    gen = current_generation(prefs, holder) + 1
    prefs.set_pref(holder, GEN_PREF, str(gen))
    return gen


def office_secret(prefs: Prefs, given: str = "") -> bytes:
    """`DUBAN_WEB_SECRET` when set; else one generated once and kept in the store (links survive restarts)."""
    if given:
        return given.encode()
    kept = prefs.pref(0, SECRET_PREF)
    if not kept:
        kept = secrets.token_urlsafe(32)
        prefs.set_pref(0, SECRET_PREF, kept)
    return kept.encode()


@dataclass(frozen=True)
class WebLinks:
    """How the bot writes links to the web app (`[web] base_url`); empty base_url: no links."""

    base_url: str
    secret: bytes
    token_days: int = 30

    def _expires(self, now: dt.datetime) -> dt.datetime:
        return now + dt.timedelta(days=self.token_days)

    def measure_url(self, prefs: Prefs, holder: int, key: str, now: dt.datetime) -> str:
        gen = current_generation(prefs, holder)
        return f"{self.base_url.rstrip('/')}/m/{mint(self.secret, 'm', holder, key, gen, self._expires(now))}"

    def board_url(self, prefs: Prefs, holder: int, now: dt.datetime) -> str:
        gen = current_generation(prefs, holder)
        return f"{self.base_url.rstrip('/')}/board?t={mint(self.secret, 'b', holder, '', gen, self._expires(now))}"
