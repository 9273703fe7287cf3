"""The aiohttp application: configuration, templates, security headers, and starting it on the bot's loop.

`[web] listen = "127.0.0.1:8080"` starts it inside `run_bot.py run`, on the same asyncio loop as
python-telegram-bot (started in the Application's post_init, stopped in post_stop): handlers and
pages share one thread and one store, as the house style asks (TinyDB is not thread-safe).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import jinja2
from aiohttp import web

from bot.services import Services
from ledger.webtokens import WebLinks
from web import board, pages
from web.access import Denied, Limiter
from web.context import CONFIG, JINJA, LIMITER, MAX_FILES, SECRET, SERVICES, TEMPLATES, WebConfig, render

__all__ = ["WebConfig", "attach", "build_web_app", "wire_web"]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refusals as a page; headers that keep tokens out of Referer and pages out of frames and caches."""
    try:
        response = await handler(request)
    except Denied as d:
        response = render(request, "error.html", request.app[SERVICES].settings.language, d.status, key=d.key)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    )
    return response


def build_web_app(s: Services, cfg: WebConfig, secret: bytes) -> web.Application:
    app = web.Application(client_max_size=(cfg.max_upload_mb * MAX_FILES + 1) * 1024 * 1024, middlewares=[guard])
    app[SERVICES], app[CONFIG], app[SECRET] = s, cfg, secret
    app[LIMITER] = Limiter()
    app[JINJA] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    app.router.add_get("/board", board.board)
    app.router.add_get("/board/chart.png", board.chart)
    app.router.add_get("/board/ledger.xlsx", board.xlsx)
    app.router.add_get("/m/{token}", pages.measure_page)
    app.router.add_get("/m/{token}/f/{n:[0-9]+}", pages.evidence_file)
    app.router.add_post("/m/{token}/{action}", pages.act)
    return app


async def start(app: web.Application, cfg: WebConfig) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)  # access lines would carry the tokens
    await runner.setup()
    host, port = cfg.host_port
    await web.TCPSite(runner, host, port).start()
    return runner


def attach(ptb_app: Any, s: Services, cfg: WebConfig, secret: bytes) -> None:
    """Start the web app when the bot starts and stop it when the bot stops (same loop)."""
    before_init, before_stop = ptb_app.post_init, ptb_app.post_stop
    runner: list[web.AppRunner] = []

    async def post_init(app: Any) -> None:
        if before_init:
            await before_init(app)
        runner.append(await start(build_web_app(s, cfg, secret), cfg))

    async def post_stop(app: Any) -> None:
        if runner:
            await runner.pop().cleanup()
        if before_stop:
            await before_stop(app)

    ptb_app.post_init, ptb_app.post_stop = post_init, post_stop


def wire_web(ptb_app: Any, s: Services, section: Mapping[str, Any], env_secret: str, evidence_root: str) -> None:
    """The evidence archive, the links under messages (`[web] base_url`) and, with `[web] listen`, the
    server; `section` is config.toml's `[web]`, `env_secret` is `DUBAN_WEB_SECRET` (run_bot.py reads both)."""
    from web.setup import archive_and_secret

    cfg = WebConfig.from_config(section)
    secret = archive_and_secret(s, env_secret, evidence_root)
    s.web = WebLinks(cfg.base_url, secret, cfg.token_days) if cfg.base_url else None
    if cfg.enabled:
        attach(ptb_app, s, cfg, secret)
