"""Nothing forged and nothing misrouted: invites, groups, lapsed questions, strangers, migration."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.sweeping import sweep
from devtools.tgtypes import Sent
from ledger.chatwords import done_report
from tests.harness import ADMIN, Bot
from tests.test_bot_units import EDU, ENV, STRANGER, bind

GROUP = -4001


async def invite_code(bot: Bot, unit: str = "区教育局") -> str:
    link = await bot.say(ADMIN, f"/invite {unit}")
    return link.text.rsplit("start=", 1)[1].strip()


async def test_an_invite_opened_in_a_group_binds_nobody(bot: Bot) -> None:
    code = await invite_code(bot)
    refused = await bot.say(EDU, f"/start {code}", chat=GROUP)
    assert "私聊" in refused.text
    assert not bot.repo.members()
    await bot.say(EDU, f"/start {code}")  # privately it works, once
    again = await bot.say(EDU, f"/start {code}", chat=GROUP)  # and redeeming it again in a group still binds nobody
    assert "私聊" in again.text
    assert [(m.user_id, m.chat_id) for m in bot.repo.members()] == [(EDU, EDU)]
    stranger = await bot.say(STRANGER, "/done P24-4 做完了", chat=GROUP)
    assert "找不到您可办理的措施" in stranger.text and bot.repo.measure("P24-4").status == "open"
    mine = await bot.say(STRANGER, "/mine", chat=GROUP)
    assert "尚未绑定" in mine.text


async def test_a_group_is_bound_by_an_admin_or_a_member_of_the_unit_only(bot: Bot) -> None:
    refused = await bot.say(STRANGER, "/bind 区教育局", chat=GROUP)
    assert "只有管理员或已绑定区教育局的联系人" in refused.text
    await bind(bot, ENV, "区环境集团")
    refused = await bot.say(ENV, "/bind 区教育局", chat=GROUP)  # bound, but to another unit
    assert "只有管理员" in refused.text
    await bind(bot, EDU, "区教育局")
    bound = await bot.say(EDU, "/bind 区教育局", chat=GROUP)
    assert "已绑定：区教育局" in bound.text
    assert any(m.chat_id == GROUP and m.unit == "区教育局" for m in bot.repo.members())


async def test_wrong_invite_codes_are_limited_per_person(bot: Bot) -> None:
    for i in range(5):
        answer = await bot.say(STRANGER, f"/start wrong{i}")
        assert "邀请码无效" in answer.text
    code = await invite_code(bot)
    blocked = await bot.say(STRANGER, f"/start {code}")  # even a right code waits out the pause
    assert "错误次数过多" in blocked.text and not bot.repo.members()
    bot.clock.now += dt.timedelta(minutes=11)
    assert "已绑定" in (await bot.say(STRANGER, f"/start {code}")).text


async def test_a_question_lapses_and_a_reply_to_a_reminder_wins(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    await bot.press(EDU, reminder, "n:P24-4")  # asks for a progress note on P24-4
    bot.clock.now += dt.timedelta(minutes=31)
    answer = await bot.say(EDU, "你好")
    assert "没看懂" in answer.text  # not recorded as a note a month, or half an hour, later
    assert not any(e.action == "note" for e in bot.repo.measure("P24-4").history)

    asked = await bot.say(EDU, "/done P30-2")  # the bot now waits for evidence on P30-2 …
    assert "P30-2" in asked.text
    await bot.say(EDU, "完成 课桌椅已更换", reply_to=reminder.message_id)  # … but this reply names P24-4
    assert bot.repo.measure("P24-4").status == "submitted"
    assert bot.repo.measure("P30-2").status == "open"


async def test_follow_up_questions_in_a_group_force_a_reply(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await bot.say(EDU, "/bind 区教育局", chat=GROUP)
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(GROUP) if "P24-4" in m.text and m.buttons)
    prompt = await bot.press(EDU, reminder, "x:P24-4")
    assert isinstance(prompt, Sent)
    assert (prompt.reply_markup or {}).get("force_reply") is True and prompt.reply_markup.get("selective") is True
    assert bot.emu.privacy  # the emulator hands a bot in a group only commands, replies to it and mentions
    plain = bot.emu.user_sends(EDU, "2024-09-30 供货延迟", GROUP)  # typed without replying: never arrives
    assert not bot.emu.hears(plain)
    await bot.say(EDU, "2024-09-30 供货延迟", chat=GROUP, reply_to=prompt.message_id)
    assert bot.repo.measure("P24-4").extension is not None


async def test_group_migration_moves_the_binding_at_once(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await bot.say(EDU, "/bind 区教育局", chat=GROUP)
    service = bot.emu._message(Sent(GROUP, 99999, f"user:{EDU}", ""), EDU)
    service.pop("text", None)
    bot.emu._push({"message": {**service, "migrate_to_chat_id": -1004001}})
    await bot.emu.wait_for(lambda: any(m.chat_id == -1004001 and m.active for m in bot.repo.members()))
    assert not any(m.chat_id == GROUP and m.active for m in bot.repo.members())


@pytest.mark.parametrize(
    "text,note",
    [
        ("完成", ""),
        ("完成了，附照片", "附照片"),
        ("已完成整改", ""),
        ("整改完成。验收单见附件", "验收单见附件"),
        ("已整改到位", ""),
        ("已办结", ""),
        ("已经完成：课桌椅全部更换", "课桌椅全部更换"),
        ("全部完成", ""),
        ("done - replaced all desks", "- replaced all desks"),
        ("Finished.", ""),
        ("未完成", None),
        ("尚未完成", None),
        ("还没完成，下周", None),
        ("完成不了", None),
        ("完成情况：推进中", None),
        ("完成率80%", None),
        ("完成时限是6月底", None),
        ("基本完成", None),
        ("下周完成", None),
        ("你好", None),
        ("整改已完成", ""),
        ("本项整改已完成，照片见附件", "照片见附件"),
        ("已按要求完成整改", ""),
        ("✅ 已完成", ""),
        ("搞定了，附验收单", "附验收单"),
        ("已于6月28日完成更换", "更换"),
        ("该项尚未完成", None),
        ("已完成70%", None),
        ("已完成 3 项，其余下月", None),
        ("已完成部分点位", None),
        ("目前已完成一半", None),
        ("done 80%", None),
        ("已基本完成", None),
        ("已搞定一半", None),
        ("已改好一部分", None),
        ("改好了吗", None),
        ("该项整改完成了吗", None),
        ("该措施完成？", None),
        ("完成没", None),
        ("完成了一半", None),
        ("已整改中", None),
        ("已于下周完成", None),
        ("已于6月底前完成整改方案制定，正在推进", None),
        ("已完成方案，施工尚未开始", None),
        ("这个问题完成", None),
        ("这项已经弄好了", ""),
    ],
)
def test_completion_words_in_chinese_chat(text: str, note: str | None) -> None:
    assert done_report(text) == note


OFFICE_GROUP = -9000


@pytest.fixture
async def office_bot(tmp_path):  # type: ignore[no-untyped-def]
    """The shipped ledger with the office's notices going to a group chat."""
    from store import Repository
    from tests.conftest import load_seed
    from tests.harness import TZ, running_bot

    repo = Repository.open(str(tmp_path / "duban.json"))
    load_seed(repo)
    async for b in running_bot(repo, dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ), admin_chat=OFFICE_GROUP):
        yield b
    repo.close()


async def test_when_the_office_group_removed_the_bot_admins_get_requests_privately(office_bot: Bot) -> None:
    from tests.harness import ADMIN2

    bot = office_bot
    await bind(bot, EDU, "区教育局")
    bot.emu.blocked.add(OFFICE_GROUP)  # the bot was removed from the office's group
    answer = await bot.say(EDU, "/done P24-4 已更换")
    assert "等待整改办审核销号" in answer.text
    for admin in (ADMIN, ADMIN2):
        assert any("待销号" in m.text and "P24-4" in m.text for m in bot.emu.bot_messages(admin))
    await sweep(bot.s)  # delivered once: the sweep does not send it again
    assert sum("📥" in m.text and "P24-4" in m.text for m in bot.emu.bot_messages(ADMIN)) == 1


async def test_a_request_nobody_received_is_retried_by_the_next_sweep(office_bot: Bot) -> None:
    from tests.harness import ADMIN2

    bot = office_bot
    await bind(bot, EDU, "区教育局")
    bot.emu.blocked.update({OFFICE_GROUP, ADMIN, ADMIN2})
    answer = await bot.say(EDU, "/done P24-4 已更换")
    assert "暂时无法通知整改办" in answer.text and bot.repo.measure("P24-4").status == "submitted"
    bot.emu.blocked.clear()
    await sweep(bot.s)
    await sweep(bot.s)
    requests = [m for m in bot.emu.bot_messages(OFFICE_GROUP) if "📥" in m.text and "P24-4" in m.text]
    assert len(requests) == 1 and requests[0].buttons


async def test_a_very_long_note_still_reaches_the_office_whole_on_the_measure(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    note = "验收单<附件>&说明" * 600  # 6 000 characters, with HTML-looking text
    answer = await bot.say(EDU, f"/done P24-4 {note}")
    assert "等待整改办审核销号" in answer.text
    request = next(m for m in bot.emu.bot_messages(ADMIN) if "📥" in m.text)
    assert len(request.text) <= 4096 and "&lt;附件&gt;" in request.text and request.buttons
    assert bot.repo.measure("P24-4").evidence.note == note
    assert not bot.emu.errors


async def test_maximal_input_through_every_command_gets_a_fitting_reply(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    long = "课桌椅<b>&amp;" * 400  # about 5 000 characters of HTML-looking text
    for user, command in [
        (EDU, f"/done P24-4 {long}"),
        (EDU, f"/note P30-2 {long}"),
        (EDU, f"/extend P30-2 2099-01-01 {long}"),
        (EDU, f"/measure P24-4 {long}"),
        (EDU, f"/lang {long}"),
        (STRANGER, f"/start {long}"),
        (ADMIN, f"/find {long}"),
        (ADMIN, f"/unit {long}"),
        (ADMIN, f"/due {long}"),
        (ADMIN, f"/reopen P1-1 {long}"),
        (ADMIN, f"/invite {long}"),
        (EDU, long),
    ]:
        answer = await bot.say(user, command)
        assert answer.text and len(answer.text) <= 4096, command[:20]
    assert (await bot.say(EDU, "/measure P30-2")).text  # the long note is on the measure and still renders
    assert not bot.emu.errors, bot.emu.errors
    assert not bot.s.handler_errors, bot.s.handler_errors


async def test_extension_dates_refused_in_the_past_and_confirmed_far_ahead(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    past = await bot.say(EDU, "/extend P24-4 2024-01-31 来不及")
    assert "已经过去" in past.text and bot.repo.measure("P24-4").extension is None
    bad = await bot.say(EDU, "/extend P24-4 2025-13-01 供货")
    assert "无法识别日期" in bad.text
    far = await bot.say(EDU, "/extend P24-4 2099-06-30 供货延迟")
    assert "五年以后" in far.text and bot.repo.measure("P24-4").extension is None
    await bot.say(EDU, "确认")
    ext = bot.repo.measure("P24-4").extension
    assert ext is not None and ext.new_due.isoformat() == "2099-06-30" and ext.reason == "供货延迟"


def test_low_confidence_readings_are_shown_for_the_office_to_confirm(tmp_path) -> None:
    import json

    from tests.test_import_export import run_cli

    path = tmp_path / "台账.csv"
    path.write_text(
        "编号,问题,整改措施,责任单位,完成时限\nA-1,问题,排查整治,区教育局,2025年\nA-2,问题,完成更换,区教育局,2024年6月30日前\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path / "s.json"}"\n', encoding="utf-8")
    imported = run_cli("import", str(path), "--at", "2024-03-01T09:00", config=str(cfg))
    assert imported.returncode == 0 and "时限读法待确认" in imported.stdout and "A-1" in imported.stdout
    rows = {r["id"]: r for r in map(json.loads, run_cli("list", "--json", config=str(cfg)).stdout.splitlines())}
    assert rows["A-1"]["confidence"] == "low" and rows["A-2"]["confidence"] == "high"


def test_a_unit_name_with_dollars_draws_and_the_digest_survives_a_broken_chart() -> None:
    import datetime as dt

    from bot.chart import render_chart
    from ledger.models import Deadline, Measure

    measures = [
        Measure(id=f"M{i}", problem=1, text="措施", unit=unit, deadline=Deadline("date", dt.date(2024, 6, 30)))
        for i, unit in enumerate(["$区$财政局", "单位$_$", "$x^$", "$\\frac{$", "普通单位"])  # each broke mathtext
    ]
    png = render_chart(measures, dt.date(2024, 6, 1), 10, "zh")
    assert png[:4] == b"\x89PNG"


async def test_the_digest_goes_out_without_the_chart_when_drawing_fails(bot: Bot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from bot.sweeping import digest

    def broken(*args: object, **kwargs: object) -> bytes:
        raise ValueError("mathtext")

    monkeypatch.setattr(importlib.import_module("bot.chart"), "render_chart", broken)
    bot.clock.set(dt.datetime(2024, 8, 23, 16, 0, tzinfo=bot.clock.now.tzinfo))
    assert await digest(bot.s) >= 1
    texts = bot.emu.bot_messages(ADMIN)
    assert any("整改调度周报" in m.text for m in texts) and not any(m.kind == "photo" for m in texts)


async def test_an_admin_binds_a_units_robot_in_chat_and_the_secret_never_shows(bot: Bot) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcdef-1234567890-secretkey"
    refused = await bot.say(STRANGER, f"/hook 区教育局 {url}")
    assert "仅限整改办管理员" in refused.text and not bot.repo.hooks()
    bad = await bot.say(ADMIN, "/hook 区教育局 https://example.org/hook")
    assert "不认识的机器人地址" in bad.text
    bound = await bot.say(ADMIN, f"/hook 玄武区教育局 {url} SECsecretsecret")
    assert "区教育局" in bound.text and "secretkey" not in bound.text and "SECsecretsecret" not in bound.text
    listed = await bot.say(ADMIN, "/hook")
    assert "企业微信" in listed.text and "有效" in listed.text and "secretkey" not in listed.text
    [h] = bot.repo.hooks()
    assert (h.unit, h.kind, h.secret) == ("区教育局", "wecom", "SECsecretsecret")
