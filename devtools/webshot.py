"""`make demo`'s board screenshot: the web app on a free local port, Debian's chromium through Playwright.

Skipped, with a line saying why, when /usr/bin/chromium or the playwright package is absent.
"""

from __future__ import annotations

import importlib.util
import os

from aiohttp import web

from bot.services import Services
from ledger.webtokens import WebLinks
from web.app import build_web_app
from web.context import WebConfig

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
SECRET = b"demo-only-secret"


def unavailable() -> str:
    """Why a browser cannot run here, or "" when it can."""
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} 不存在（以 root 运行 make setup 会安装 Debian 的 chromium）"
    if importlib.util.find_spec("playwright") is None:
        return "未安装 playwright"
    return ""


async def board_screenshot(s: Services, admin: int, path: str) -> str:
    """Write the board as the admin sees it to `path`; "" when written, else why not."""
    why = unavailable()
    if why:
        return why
    from playwright.async_api import async_playwright

    runner = web.AppRunner(build_web_app(s, WebConfig(listen="127.0.0.1:0"), SECRET), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    before, s.web = s.web, WebLinks(f"http://127.0.0.1:{port}", SECRET)
    try:
        url = s.web.board_url(s.repo, admin, s.now())
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            await page.goto(url)
            await page.screenshot(path=path, full_page=True)
            await browser.close()
    finally:
        s.web = before
        await runner.cleanup()
    return ""
