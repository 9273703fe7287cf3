"""The web pages over HTTP (aiohttp's test client) against the real bot on the emulator: a unit
opens its reminder's link and reports done with a file, the office signs off on the page, and every
way in that should fail does (stranger, wrong unit, expired, tampered, revoked, no CSRF value)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from bot.sweeping import sweep
from ledger import webtokens
from ledger.reports import export_bytes
from ledger.webtokens import WebLinks, mint
from store.evidence import EvidenceDir
from tests.harness import ADMIN, Bot
from tests.test_bot_units import EDU, ENV, STRANGER, bind
from web.app import WebConfig, build_web_app

SECRET = b"test-secret-not-for-production"
BASE = "https://duban.example.org"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def web(bot: Bot, tmp_path) -> AsyncIterator[TestClient]:  # type: ignore[no-untyped-def]
    bot.s.web = WebLinks(BASE, SECRET, 30)
    bot.s.evidence = EvidenceDir(str(tmp_path / "evidence"))
    app = build_web_app(bot.s, WebConfig(listen="127.0.0.1:0", base_url=BASE, max_upload_mb=1), SECRET)
    async with TestClient(TestServer(app)) as client:
        yield client


def link(bot: Bot, holder: int, mid: str) -> str:
    return bot.s.measure_url(holder, mid).removeprefix(BASE)


def board_link(bot: Bot, holder: int) -> str:
    assert bot.s.web is not None
    return bot.s.web.board_url(bot.repo, holder, bot.s.now()).removeprefix(BASE)


async def open_page(client: TestClient, path: str) -> tuple[int, str, str]:
    r = await client.get(path)
    html = await r.text()
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    return r.status, html, found[1] if found else ""


async def post(client: TestClient, path: str, action: str, data: dict[str, str] | FormData) -> tuple[int, str]:
    r = await client.post(f"{path}/{action}", data=data, allow_redirects=False)
    return r.status, await r.text()


def pdf_form(csrf: str, note: str, name: str = "验收单.pdf", data: bytes = PDF) -> FormData:
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("note", note)
    form.add_field("files", data, filename=name, content_type="application/pdf")
    return form


async def test_reminder_link_done_with_pdf_then_admin_signs_off_on_the_page(bot: Bot, web: TestClient) -> None:
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    label, url = reminder.buttons[-1]
    assert label == "🌐 网页处理" and url.startswith(f"{BASE}/m/")
    path = url.removeprefix(BASE)
    status, html, csrf = await open_page(web, path)
    assert status == 200 and "课桌椅" in html and "2024-08-31" in html and csrf
    status, _ = await post(web, path, "done", pdf_form(csrf, "已全部更换，附验收单"))
    assert status == 303
    m = bot.repo.measure("P24-4")
    digest = hashlib.sha256(PDF).hexdigest()
    assert m.status == "submitted" and m.evidence.note == "已全部更换，附验收单"
    assert m.evidence.files == (f"web:{digest}",)
    assert (m.history[-1].action, m.history[-1].actor, m.history[-1].to_status) == ("submit", f"tg:{EDU}", "submitted")
    [rec] = bot.repo.evidence_files("P24-4")
    assert rec["name"] == "验收单.pdf" and rec["sha256"] == digest and rec["path"].endswith(f"{digest}.pdf")
    # the office hears exactly as from the chat: 待销号 with ✅/↩, and its own web link
    signoff = await bot.emu.wait_for(lambda: next((x for x in bot.emu.bot_messages(ADMIN) if "待销号" in x.text), None))
    key = bot.repo.key_of("P24-4")
    assert [b[1] for b in signoff.buttons][:2] == [f"s:{key}", f"b:{key}"]
    admin_path = signoff.buttons[2][1].removeprefix(BASE)
    status, html, csrf = await open_page(web, admin_path)
    assert status == 200 and "验收单.pdf" in html and "销号" in html
    assert (await web.get(f"{admin_path}/f/0")).status == 200
    status, _ = await post(web, admin_path, "signoff", {"csrf": csrf})
    assert status == 303
    m = bot.repo.measure("P24-4")
    assert m.status == "done" and (m.history[-1].action, m.history[-1].actor) == ("signoff", f"tg:{ADMIN}")
    told = await bot.emu.wait_for(lambda: next((x for x in bot.emu.bot_messages(EDU) if "已销号" in x.text), None))
    assert "P24-4" in told.text


async def test_extension_note_send_back_and_decision(bot: Bot, web: TestClient) -> None:
    await bind(bot, EDU, "区教育局")
    path = link(bot, EDU, "P24-4")
    _, _, csrf = await open_page(web, path)
    status, html = await post(web, path, "extend", {"csrf": csrf, "date": "明天", "reason": "x"})  # before the due date
    assert status == 409 and 'id="error"' in html and bot.repo.measure("P24-4").extension is None
    status, html = await post(web, path, "extend", {"csrf": csrf, "date": "不是日期", "reason": "供货延迟"})
    assert status == 400 and "无法识别日期" in html
    status, _ = await post(web, path, "extend", {"csrf": csrf, "date": "10月底", "reason": "供货延迟"})
    m = bot.repo.measure("P24-4")
    assert status == 303 and m.extension is not None and m.extension.new_due == dt.date(2024, 10, 31)
    assert (await post(web, path, "note", {"csrf": csrf, "note": "已签订采购合同"}))[0] == 303
    assert bot.repo.measure("P24-4").history[-1].action == "note"
    admin_path = link(bot, ADMIN, "P24-4")
    _, html, admin_csrf = await open_page(web, admin_path)
    assert "同意延期" in html
    assert (await post(web, admin_path, "ext_approve", {"csrf": admin_csrf}))[0] == 303
    assert bot.repo.measure("P24-4").due == dt.date(2024, 10, 31)
    await post(web, path, "done", pdf_form(csrf, "完成"))
    status, html = await post(web, admin_path, "sendback", {"csrf": admin_csrf, "reason": ""})
    assert status == 400 and bot.repo.measure("P24-4").status == "submitted"
    assert (await post(web, admin_path, "sendback", {"csrf": admin_csrf, "reason": "缺少验收单盖章"}))[0] == 303
    m = bot.repo.measure("P24-4")
    assert m.status == "open" and m.history[-1].note == "缺少验收单盖章"
    told = await bot.emu.wait_for(lambda: next((x for x in bot.emu.bot_messages(EDU) if "被退回" in x.text), None))
    assert "缺少验收单盖章" in told.text


@pytest.mark.parametrize("case", ["stranger", "wrong_unit", "expired", "tampered", "revoked", "board_as_member"])
async def test_links_that_must_not_open(bot: Bot, web: TestClient, case: str) -> None:
    await bind(bot, EDU, "区教育局")
    await bind(bot, ENV, "区环境集团")
    key, now = bot.repo.key_of("P24-4"), bot.s.now()
    path = {
        "stranger": f"/m/{mint(SECRET, 'm', STRANGER, key, 0, now + dt.timedelta(days=1))}",
        "wrong_unit": link(bot, ENV, "P24-4"),
        "expired": f"/m/{mint(SECRET, 'm', EDU, key, 0, now - dt.timedelta(seconds=1))}",
        "tampered": link(bot, EDU, "P24-4")[:-3] + "AAA",
        "revoked": link(bot, EDU, "P24-4"),
        "board_as_member": board_link(bot, EDU),
    }[case]
    if case == "revoked":
        await bot.say(EDU, "/web revoke")
    before = bot.repo.measure("P24-4")
    status, html, csrf = await open_page(web, path)
    assert status == 403 and "课桌椅" not in html and not csrf
    if path.startswith("/m/"):
        assert (await post(web, path, "note", {"csrf": "0" * 32, "note": "x"}))[0] == 403
    assert bot.repo.measure("P24-4") == before


async def test_forms_need_the_pages_csrf_value_and_members_cannot_decide(bot: Bot, web: TestClient) -> None:
    await bind(bot, EDU, "区教育局")
    path = link(bot, EDU, "P24-4")
    _, html, csrf = await open_page(web, path)
    assert "销号" not in html.replace("待销号", "")  # no admin buttons for a unit
    before = bot.repo.measure("P24-4")
    assert (await post(web, path, "note", {"note": "x"}))[0] == 403
    assert (await post(web, path, "note", {"note": "x", "csrf": "f" * 32}))[0] == 403
    other = link(bot, ADMIN, "P24-4")  # another page's value does not fit this page
    assert (await post(web, path, "note", {"note": "x", "csrf": (await open_page(web, other))[2]}))[0] == 403
    await post(web, path, "done", pdf_form(csrf, "完成"))
    assert (await post(web, path, "signoff", {"csrf": csrf}))[0] == 403
    assert bot.repo.measure("P24-4").status == "submitted"
    assert [e.action for e in bot.repo.measure("P24-4").history] == [e.action for e in before.history] + ["submit"]


async def test_uploads_are_checked_by_content_and_size(bot: Bot, web: TestClient) -> None:
    await bind(bot, EDU, "区教育局")
    path = link(bot, EDU, "P24-4")
    _, _, csrf = await open_page(web, path)
    status, html = await post(web, path, "done", pdf_form(csrf, "完成", "scan.pdf", b"<html><script>x</script>"))
    assert status == 400 and "不是照片、PDF 或 Office 文档" in html
    status, html = await post(web, path, "done", pdf_form(csrf, "完成", "big.pdf", PDF + b"0" * (1024 * 1024)))
    assert status == 400 and "超过 1MB" in html
    assert bot.repo.measure("P24-4").status == "open" and not bot.repo.evidence_files("P24-4")
    status, _ = await post(web, path, "done", pdf_form(csrf, "完成", "../../etc/passwd.pdf"))
    [rec] = bot.repo.evidence_files("P24-4")
    assert status == 303 and rec["name"] == "passwd.pdf" and "/" not in rec["path"].split("/", 1)[1]


async def test_failed_token_checks_are_rate_limited_per_address(bot: Bot, web: TestClient) -> None:
    await bind(bot, EDU, "区教育局")
    good = link(bot, EDU, "P24-4")
    for _ in range(10):
        assert (await web.get("/m/forged.token")).status == 403
    assert (await web.get(good)).status == 429
    bot.clock.now += dt.timedelta(minutes=11)  # the window passes
    assert (await web.get(good)).status == 200


async def test_ledger_text_is_escaped(bot: Bot, web: TestClient) -> None:
    from dataclasses import replace

    await bind(bot, EDU, "区教育局")
    m = bot.repo.measure("P24-4")
    bot.repo.put_measure(replace(m, text='<script>alert("x")</script>课桌椅', unit="区教育局"))
    _, html, _ = await open_page(web, link(bot, EDU, "P24-4"))
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    _, board, _ = await open_page(web, board_link(bot, ADMIN))
    assert "<script>alert" not in board


async def test_board_filters_search_and_the_same_xlsx_as_export(bot: Bot, web: TestClient) -> None:
    path = board_link(bot, ADMIN)
    status, html, _ = await open_page(web, path)
    assert status == 200 and "区教育局" in html and "P24-4" in html and 'id="headline"' in html
    assert "row-red" in html and "row-yellow" in html
    _, reds, _ = await open_page(web, f"{path}&light=red")
    assert "row-red" in reds and "row-yellow" not in reds and "row-green" not in reds
    _, found, _ = await open_page(web, f"{path}&q=课桌椅")
    assert "P24-4" in found and found.count("<tr class=") == 1
    _, edu, _ = await open_page(web, f"{path}&unit=区教育局&status=open")
    assert "<h2>区教育局</h2>" in edu and edu.count("<h2>") == 1
    r = await web.get(path.replace("/board?", "/board/ledger.xlsx?"))
    r_ = bot.repo
    today = bot.s.now().date()
    same = export_bytes(".xlsx", r_.measures(), r_.problems(), r_.report(), r_.units(), today, bot.s.policy.yellow_days)
    assert r.status == 200 and await r.read() == same
    member_board = board_link(bot, EDU)
    assert (await web.get(member_board.replace("/board?", "/board/ledger.xlsx?"))).status == 403


async def test_board_chart_is_a_png(bot: Bot, web: TestClient) -> None:
    r = await web.get(board_link(bot, ADMIN).replace("/board?", "/board/chart.png?"))
    assert r.status == 200 and (await r.read()).startswith(b"\x89PNG")


async def test_web_command_sends_admins_a_board_link_privately(bot: Bot, web: TestClient) -> None:
    answer = await bot.say(ADMIN, "/web")
    url = re.search(r"https://\S+", answer.text)
    assert url and url[0].startswith(f"{BASE}/board?t=")
    assert (await web.get(url[0].removeprefix(BASE))).status == 200
    assert webtokens.current_generation(bot.repo, ADMIN) == 0
    await bot.say(ADMIN, "/web revoke")
    assert (await web.get(url[0].removeprefix(BASE))).status == 403
    assert "仅限" in (await bot.say(EDU, "/web")).text


async def test_a_unit_groups_link_acts_for_the_unit(bot: Bot, web: TestClient) -> None:
    group = -100500
    answer = await bot.say(ADMIN, "/bind 区教育局", chat=group)
    assert "区教育局" in answer.text
    path = link(bot, group, "P24-4")
    status, _, csrf = await open_page(web, path)
    assert status == 200
    assert (await post(web, path, "note", {"csrf": csrf, "note": "群内同事在网页上记录进展"}))[0] == 303
    assert bot.repo.measure("P24-4").history[-1].actor == f"tg:{group}"
    assert (await open_page(web, link(bot, group, "P22-1")))[0] == 403  # 区环境集团's measure


async def test_run_wires_the_web_app_onto_the_bots_loop(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """What `run_bot.py run` does with `[web] listen`: the pages start in the Application's post_init."""
    import socket

    import aiohttp

    from bot.app import build_application
    from bot.services import Services, Settings
    from devtools.emulator import Emulator
    from ledger.policy import Policy
    from store import Repository
    from web.app import wire_web

    with socket.socket() as sock:  # a free port for the server to take
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    emu = Emulator()
    await emu.start()
    repo = Repository.open(str(tmp_path / "duban.json"))
    s = Services(repo=repo, policy=Policy(), settings=Settings(admins=frozenset({ADMIN})), clock=bot_clock)
    app = build_application(s, emu.token, emu.base_url, emu.base_file_url, job_queue=False)
    section = {"listen": f"127.0.0.1:{port}", "base_url": BASE}
    wire_web(app, s, section, "", str(tmp_path / "evidence"))
    assert s.web is not None and s.evidence is not None and repo.pref(0, webtokens.SECRET_PREF)
    await app.initialize()
    await app.post_init(app)
    try:
        async with aiohttp.ClientSession() as http:
            board = s.web.board_url(repo, ADMIN, s.now()).removeprefix(BASE)
            async with http.get(f"http://127.0.0.1:{port}{board}") as r:
                assert r.status == 200 and "整改台账看板" in await r.text()
    finally:
        await app.post_stop(app)
        await app.shutdown()
        await emu.stop()
        repo.close()


def bot_clock() -> dt.datetime:
    return dt.datetime(2024, 8, 21, 9, 0, tzinfo=dt.UTC)
