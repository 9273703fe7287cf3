"""A real headless browser (Debian's chromium, driven by Playwright) through the pages: a unit opens
its reminder's link and reports done with a file, an admin opens the board, then signs off."""

from __future__ import annotations

import os

import pytest

from bot.sweeping import sweep
from tests.harness import ADMIN, Bot
from tests.test_bot_units import EDU, bind
from tests.test_web import BASE, PDF, board_link, web  # noqa: F401  # the fixture

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is absent (Debian's chromium; `make setup` as root installs it)"
)


async def test_unit_reports_done_in_a_browser_and_admin_signs_off(bot: Bot, web, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    playwright = pytest.importorskip("playwright.async_api")
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    root = str(web.make_url("/")).rstrip("/")
    scan = tmp_path / "验收单.pdf"
    scan.write_bytes(PDF)
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        await page.goto(root + reminder.buttons[-1][1].removeprefix(BASE))
        await page.fill("form[action$='/done'] textarea[name=note]", "课桌椅已全部更换")
        await page.set_input_files("input[name=files]", str(scan))
        await page.click("form[action$='/done'] button")
        assert "已提交措施 P24-4" in await page.inner_text("#message")
        assert bot.repo.measure("P24-4").status == "submitted"
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.goto(root + board_link(bot, ADMIN))
        assert "区教育局" in await page.inner_text("body")
        await page.screenshot(path=str(tmp_path / "board.png"), full_page=True)
        await page.click("a:text-is('P24-4')")
        await page.click("form[action$='/signoff'] button")
        assert "已销号" in await page.inner_text("#message")
        await browser.close()
    assert bot.repo.measure("P24-4").status == "done"
    assert (tmp_path / "board.png").read_bytes().startswith(b"\x89PNG")
