"""Robot messages link the measure page when `[web] base_url` is set, with the token the bot's own
buttons carry; decisions told to a unit and the unit's weekly digest reach its robots too."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import delivery, sweeping
from channels.base import Note, Reply
from channels.seam import Channels
from channels.setup import page_link
from ledger import actions, webtokens
from ledger.hooks import OFFICE, Hook
from ledger.i18n import t
from ledger.policy import Policy
from ledger.webtokens import WebLinks
from tests import test_channels
from tests.harness import TZ, Bot
from tests.test_bot_units import EDU
from tests.test_bot_units import bind as bind_chat
from tests.test_channels import AT, bind, units_by_load
from web.app import WebConfig, build_web_app

BASE = "https://duban.example.org"
SECRET = b"a-test-secret-of-thirty-two-bytes!"
world = test_channels.world  # the fake robots and mail server, the shipped ledger, virtual time
LINK = re.compile(rf"{re.escape(BASE)}/m/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def with_pages(s) -> None:  # type: ignore[no-untyped-def]
    s.web = WebLinks(BASE, SECRET, 30)
    s.channels.link = page_link(s.repo, s.web, s.now)


def opened(s, token: str) -> str:  # type: ignore[no-untyped-def]
    """The measure id a token opens, by the web app's own verifier."""
    grant = webtokens.check(SECRET, token, AT, prefs=s.repo)
    assert grant.kind == "m"
    return s.repo.measure_by_key(grant.key).id


async def test_each_robots_message_links_the_page_of_its_measure(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    with_pages(s)
    unit, owed = next((u, n) for u, n in units_by_load(s) if n <= s.policy.bundle_above)
    bind(s, fake, "wecom", unit, "w1")
    bind(s, fake, "dingtalk", unit, "d1", "SECd1")
    bind(s, fake, "feishu", unit, "f1", "fs1")
    await sweeping.sweep(s)
    wecom = [b["markdown"]["content"] for b in fake.inbox[("wecom", "w1")]]
    ding = [b["actionCard"] for b in fake.inbox[("dingtalk", "d1")]]
    feishu = [b["card"]["elements"][-1]["actions"][0] for b in fake.inbox[("feishu", "f1")]]
    assert len(wecom) == len(ding) == len(feishu) == owed and fake.refused == []
    expected = {opened(s, LINK.search(text)[1]) for text in wecom}  # type: ignore[index]
    assert len(expected) == owed and {s.repo.measure(mid).unit for mid in expected} == {unit}
    for text in wecom:  # the link is the measure's own: its id is in the same message
        assert re.search(rf"{re.escape(opened(s, LINK.search(text)[1]))}(?![-\d])", text)  # type: ignore[index]
    assert {opened(s, LINK.match(c["singleURL"])[1]) for c in ding} == expected  # type: ignore[index]
    assert all(c["singleTitle"] == t("zh", "hook_link") for c in ding)
    assert {opened(s, LINK.match(b["url"])[1]) for b in feishu} == expected  # type: ignore[index]
    assert "单向通知" not in str(fake.inbox)  # with a page, the message says where to act instead


async def test_a_robots_link_opens_the_page_for_its_unit_until_the_robot_is_gone(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    with_pages(s)
    unit = next(u for u, n in units_by_load(s) if n == 1)
    bind(s, fake, "dingtalk", unit, "d2", "SECd2")
    await sweeping.sweep(s)
    token = LINK.match(fake.inbox[("dingtalk", "d2")][0]["actionCard"]["singleURL"])[1]  # type: ignore[index]
    mid = opened(s, token)
    app = build_web_app(s, WebConfig(listen="127.0.0.1:0", base_url=BASE), SECRET)
    async with TestClient(TestServer(app)) as client:
        page = await client.get(f"/m/{token}")
        html = await page.text()
        assert page.status == 200 and mid in html
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html)[1]  # type: ignore[index]
        done = await client.post(
            f"/m/{token}/note", data={"csrf": csrf, "note": "已完成现场核查"}, allow_redirects=False
        )
        assert done.status == 303
        hook = next(h for h in s.repo.hooks() if h.url.endswith("d2"))
        assert s.repo.measure(mid).history[-1].actor == f"hook:{hook.id}"  # the audit log names the robot
        s.repo.set_hook_active(hook.id, False)  # removed from its group: its links stop working
        assert (await client.get(f"/m/{token}")).status == 403


async def test_the_offices_robot_gets_no_page_links(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    with_pages(s)
    bind(s, fake, "wecom", OFFICE, "office")
    await sweeping.sweep(s)
    assert fake.inbox[("wecom", "office")] and not LINK.search(str(fake.inbox[("wecom", "office")]))


async def test_without_base_url_robot_messages_say_they_are_one_way(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    unit = next(u for u, n in units_by_load(s) if n == 1)
    bind(s, fake, "dingtalk", unit, "d3", "SECd3")
    await sweeping.sweep(s)
    body = fake.inbox[("dingtalk", "d3")][0]
    assert body["msgtype"] == "markdown" and t("zh", "hook_one_way") in body["markdown"]["text"]
    assert "http" not in body["markdown"]["text"]


async def test_a_decision_reaches_the_units_robots_with_the_page_link(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, smtp, _ = world
    with_pages(s)
    m = next(m for m in s.repo.measures() if m.unit == "区教育局" and m.status == "open")
    bind(s, fake, "feishu", "区教育局", "f4")
    s.repo.put_hook("区教育局", "email", "mailto:edu@example.org", "", "chat")
    admin = s.actor(1, 1)
    m2 = actions.send_back(
        s.repo, admin, actions.submit(s.repo, s.actor(1, 1), m.id, _evidence(), AT, True).id, "照片不清晰", AT
    )
    await delivery.to_unit(s, m2, t("zh", "sent_back", mid=m2.id, reason="照片不清晰"))
    await s.channels.settle()
    card = fake.inbox[("feishu", "f4")][0]["card"]
    assert "照片不清晰" in str(card) and opened(s, LINK.match(card["elements"][-1]["actions"][0]["url"])[1]) == m.id  # type: ignore[index]
    mail = email.message_from_bytes(smtp.messages[0][1], policy=email.policy.default).get_body().get_content()  # type: ignore[union-attr]
    assert smtp.messages[0][0] == "edu@example.org" and f"{BASE}/m/" in mail


async def test_a_decision_to_a_removed_robot_marks_it_inactive_and_tells_the_office_once(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    m = next(m for m in s.repo.measures() if m.unit == "区教育局")
    bind(s, fake, "wecom", "区教育局", "gone")
    bind(s, fake, "wecom", OFFICE, "office")
    fake.removed.add(("wecom", "gone"))
    for _ in range(2):
        await delivery.to_unit(s, m, t("zh", "signed_off", mid=m.id))
        await s.channels.settle()
    assert fake.refused.count(("wecom", 93000)) == 1
    assert [h.active for h in s.repo.hooks() if h.url.endswith("gone")] == [False]
    assert len([b for b in fake.inbox[("wecom", "office")] if "已失效" in str(b)]) == 1


async def test_the_unit_digest_reaches_the_units_robot(world) -> None:  # type: ignore[no-untyped-def]
    s, fake, _, _ = world
    s.policy = Policy.from_config({"unit_digest": True})
    bind(s, fake, "wecom", "区教育局", "w5")
    bind(s, fake, "wecom", "区住建局", "w6")
    s.clock = lambda: dt.datetime(2024, 8, 23, 16, 0, tzinfo=TZ)
    await sweeping.digest(s)
    for token in ("w5", "w6"):
        got = fake.inbox[("wecom", token)]
        assert got and "本周待办" in got[0]["markdown"]["content"]
        assert all(len(b["markdown"]["content"].encode()) <= 4096 for b in got)
    assert "区住建局" not in str(fake.inbox[("wecom", "w5")])


class Broken:
    kind = "wecom"

    async def send(self, hook: Hook, note: Note) -> Reply:
        raise RuntimeError("the vendor's SDK blew up")


async def test_a_failing_robot_does_not_stop_the_units_telegram_notice(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    await bind_chat(bot, EDU, "区教育局")
    bot.s.channels = Channels(bot.repo, {"wecom": Broken()})
    bot.repo.put_hook("区教育局", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "", "chat")
    m = next(m for m in bot.repo.measures() if m.unit == "区教育局")
    await delivery.to_unit(bot.s, m, t("zh", "signed_off", mid=m.id))
    assert f"措施 {m.id} 已销号" in bot.emu.last(EDU).text
    await bot.s.channels.settle()
    assert "a channel notice failed" in caplog.text


def _evidence():  # type: ignore[no-untyped-def]
    from ledger.models import Evidence

    return Evidence("整改照片")
