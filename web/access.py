"""Who is asking: the signed token in the URL, the CSRF value of a form, failed attempts per address.

Every page is opened with a token (`ledger.webtokens`); a wrong, expired or revoked one counts as a
failure for the client's address, and an address with too many failures in a window gets 429 until
the window has passed, so tokens cannot be tried at speed. Time comes from the services' clock.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

from ledger.webtokens import BadToken, Grant, check


@dataclass
class Limiter:
    """At most `max_failures` failed token checks per address within `window`."""

    max_failures: int = 10
    window: dt.timedelta = dt.timedelta(minutes=10)
    failures: dict[str, deque[dt.datetime]] = field(default_factory=dict)

    def _recent(self, ip: str, now: dt.datetime) -> deque[dt.datetime]:
        q = self.failures.setdefault(ip, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        if not q:
            del self.failures[ip]  # the table does not grow with every address ever seen
            return deque()
        return q

    def blocked(self, ip: str, now: dt.datetime) -> bool:
        return len(self._recent(ip, now)) >= self.max_failures

    def fail(self, ip: str, now: dt.datetime) -> None:
        self._recent(ip, now)
        self.failures.setdefault(ip, deque()).append(now)


def client_ip(request: web.Request, trusted_proxy: str = "") -> str:
    """The client's address; behind `[web] trusted_proxy`, the address that proxy saw."""
    remote = request.remote or "?"
    if trusted_proxy and remote == trusted_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or remote
    return remote


class Denied(Exception):
    """A request refused before any page is built: (HTTP status, i18n key)."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status, self.key = status, key


def grant_for(
    limiter: Limiter, ip: str, secret: bytes, token: str, kind: str, now: dt.datetime, prefs: object
) -> Grant:
    """The token's grant for a page of `kind` ("b" board, "m" measure), or Denied (429 / 403)."""
    if limiter.blocked(ip, now):
        raise Denied(429, "web.too_many")
    try:
        g = check(secret, token, now, prefs=prefs)  # type: ignore[arg-type]  # the Repository speaks Prefs
    except (BadToken, ValueError, UnicodeDecodeError):
        limiter.fail(ip, now)
        raise Denied(403, "web.forbidden") from None
    if g.kind != kind:
        limiter.fail(ip, now)
        raise Denied(403, "web.forbidden")
    return g
