"""What the pages share: the `[web]` configuration, the application's keys and rendering a template."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web

from bot.services import Services
from ledger.errors import DubanError
from ledger.i18n import plain
from web.access import Limiter

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
MAX_FILES = 5  # files per submission


@dataclass(frozen=True)
class WebConfig:
    """The `[web]` part of config.toml."""

    listen: str = ""  # "127.0.0.1:8080"; "" = off
    base_url: str = ""  # the public address of the pages, for links in messages
    max_upload_mb: int = 10
    token_days: int = 30
    trusted_proxy: str = ""  # the reverse proxy's address, whose X-Forwarded-For is believed

    @property
    def enabled(self) -> bool:
        return bool(self.listen)

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host or "127.0.0.1", int(port)

    @classmethod
    def from_config(cls, w: Mapping[str, Any]) -> WebConfig:
        try:
            cfg = cls(
                listen=str(w.get("listen", "")),
                base_url=str(w.get("base_url", "")).rstrip("/"),
                max_upload_mb=int(w.get("max_upload_mb", 10)),
                token_days=int(w.get("token_days", 30)),
                trusted_proxy=str(w.get("trusted_proxy", "")),
            )
            if cfg.listen:
                cfg.host_port  # noqa: B018  # a bad port is refused at start, not at the first request
            if cfg.base_url and not cfg.base_url.startswith(("http://", "https://")):
                raise ValueError("base_url")
            if not 0 < cfg.max_upload_mb <= 50 or cfg.token_days < 1:
                raise ValueError("max_upload_mb/token_days")
        except (TypeError, ValueError) as e:
            raise DubanError(
                f'[web] 配置有误（{e}）：listen 如 "127.0.0.1:8080"，base_url 以 http(s):// 开头，'
                "max_upload_mb 为 1–50，token_days ≥ 1。"
            ) from None
        return cfg


SERVICES = web.AppKey("services", Services)
CONFIG = web.AppKey("config", WebConfig)
JINJA = web.AppKey("jinja", jinja2.Environment)
LIMITER = web.AppKey("limiter", Limiter)
SECRET = web.AppKey("secret", bytes)


def render(request: web.Request, template: str, lang: str, code: int = 200, **values: Any) -> web.Response:
    """A page in the holder's language; Jinja2 escapes every value (autoescape is on)."""

    def text(key: str, **kw: Any) -> str:
        return plain(lang, key).format(**kw) if kw else plain(lang, key)

    html = request.app[JINJA].get_template(template).render(T=text, lang=lang, **values)
    return web.Response(text=html, status=code, content_type="text/html", charset="utf-8")
