"""End to end through the real PTB HTTP stack and a local Bot API emulator: a unit's day."""

from __future__ import annotations

import datetime as dt

from bot.sweeping import sweep
from ledger import actions
from store import Repository
from tests.harness import ADMIN, TZ, Bot

EDU = 501  # a contact at 区教育局
ENV = 502  # a contact at 区环境集团
STRANGER = 777


async def bind(bot: Bot, user: int, unit: str) -> None:
    link = await bot.say(ADMIN, f"/invite {unit}")
    code = link.text.rsplit("start=", 1)[1].strip()
    answer = await bot.say(user, f"/start {code}")
    assert f"已绑定：{unit}" in answer.text
    summary = await bot.emu.reply_in(user, after=answer.message_id)  # where the unit stands, right away
    assert "未完成" in summary.text or "没有" in summary.text


async def test_invite_bind_remind_reply_done_with_photo(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    assert "区教育局" in (await bot.say(EDU, "/whoami")).text
    report = await sweep(bot.s)
    assert report.sent >= 1
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    assert "🟡" in reminder.text and "确保2024年暑期更换到位 → 2024-08-31" in reminder.text
    key = bot.repo.key_of("P24-4")  # buttons carry the store's short key, not the office's id
    assert [b[1] for b in reminder.buttons] == [f"d:{key}", f"x:{key}", f"n:{key}"]
    answer = await bot.say(EDU, "完成 已完成更换，附验收单", reply_to=reminder.message_id, photo=True)
    assert "已提交措施 P24-4" in answer.text
    m = bot.repo.measure("P24-4")
    assert m.status == "submitted" and m.evidence.note == "已完成更换，附验收单" and m.evidence.files
    assert m.history[-1].actor == f"tg:{EDU}"
    signoff = await bot.emu.wait_for(lambda: next((x for x in bot.emu.bot_messages(ADMIN) if "待销号" in x.text), None))
    assert [b[1] for b in signoff.buttons] == [f"s:{key}", f"b:{key}"]
    assert any(x.kind == "photo" for x in bot.emu.bot_messages(ADMIN))  # the evidence, forwarded
    mine = await bot.say(EDU, "/mine")
    assert "P24-4" not in mine.text and "P25-3" in mine.text  # no longer open work for the unit
    assert "另有 1 条已提交，待整改办销号" in mine.text


async def test_button_done_then_send_note(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    prompt = await bot.press(EDU, reminder, "d:P24-4")
    assert "佐证" in prompt.text  # type: ignore[union-attr]
    answer = await bot.say(EDU, "课桌椅已全部更换")
    assert "已提交" in answer.text
    assert bot.repo.measure("P24-4").status == "submitted"


async def test_extension_request_with_chinese_date(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    await bot.press(EDU, reminder, "x:P24-4")
    ask_reason = await bot.say(EDU, "9月底")
    assert "2024-09-30" in ask_reason.text
    done = await bot.say(EDU, "供货商延迟交货")
    assert "延期至 2024-09-30" in done.text
    m = bot.repo.measure("P24-4")
    assert m.extension is not None and m.extension.new_due == dt.date(2024, 9, 30)
    assert m.due == dt.date(2024, 8, 31)  # unchanged until an admin approves


async def test_stranger_and_other_unit_are_refused_and_nothing_changes(bot: Bot) -> None:
    await bind(bot, ENV, "区环境集团")
    before = bot.repo.measure("P24-4")
    refused = await bot.say(ENV, "/done P24-4 我们做完了")
    assert "P24-4" in refused.text and "区教育局" not in refused.text  # who owns it is not told
    refused_stranger = await bot.say(STRANGER, "/done P24-4 做完了")
    unknown = await bot.say(STRANGER, "/measure P99-9")
    # one refusal for "not yours" and "no such measure": a stranger cannot probe the ledger
    assert refused_stranger.text == refused.text == unknown.text.replace("P99-9", "P24-4")
    assert bot.repo.measure("P24-4") == before


async def test_stranger_pressing_a_forged_button_is_refused(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    answer = await bot.press(STRANGER, reminder, "d:P24-4", expect_reply=False)
    assert "找不到您可办理的措施 P24-4" in str(answer) and "区教育局" not in str(answer)


async def test_expired_and_unknown_invites_bind_nothing(bot: Bot) -> None:
    link = await bot.say(ADMIN, "/invite 区教育局")
    code = link.text.rsplit("start=", 1)[1].strip()
    bot.clock.set(bot.clock.now + dt.timedelta(days=8))
    assert "已过期" in (await bot.say(EDU, f"/start {code}")).text
    assert "无效" in (await bot.say(EDU, "/start nonsense")).text
    assert actions.units_of(bot.repo, bot.s.actor(EDU, EDU)) == set()


async def test_single_use_invite_cannot_be_reused(bot: Bot) -> None:
    link = await bot.say(ADMIN, "/invite 区教育局")
    code = link.text.rsplit("start=", 1)[1].strip()
    await bot.say(EDU, f"/start {code}")
    await bot.emu.wait_for(lambda: len(bot.emu.bot_messages(EDU)) >= 2)  # the bound unit's summary
    assert "已被使用" in (await bot.say(ENV, f"/start {code}")).text


async def test_non_admin_cannot_invite(bot: Bot) -> None:
    assert "仅限整改办管理员" in (await bot.say(EDU, "/invite 区教育局")).text


async def test_user_who_blocked_the_bot_is_marked_inactive_and_admins_told_once(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    bot.emu.blocked.add(EDU)
    await sweep(bot.s)
    assert not any(m.active for m in bot.repo.members() if m.chat_id == EDU)
    notices = [m for m in bot.emu.bot_messages(ADMIN) if "屏蔽" in m.text]
    assert len(notices) == 1
    await sweep(bot.s)
    assert len([m for m in bot.emu.bot_messages(ADMIN) if "屏蔽" in m.text]) == 1


async def test_group_migrated_to_supergroup_gets_the_reminder_at_its_new_id(bot: Bot) -> None:
    group, supergroup = -100, -1001234
    bot.emu.chat(group, "group", "教育局整改群")
    assert "已绑定" in (await bot.say(ADMIN, "/bind 区教育局", chat=group)).text
    await bot.emu.wait_for(lambda: len(bot.emu.bot_messages(group)) >= 2)  # the unit's summary
    from devtools.emulator import Fault

    bot.emu.faults.append(Fault("sendMessage", "migrate", chat_id=group, new_chat_id=supergroup))
    await sweep(bot.s)
    assert any("P24-4" in m.text and m.buttons for m in bot.emu.bot_messages(supergroup))
    assert {m.chat_id for m in bot.repo.members() if m.active and m.unit == "区教育局"} == {supergroup}
    count = len(bot.emu.bot_messages(supergroup))
    await sweep(bot.s)  # it keeps what it had received: nothing again at the new id
    assert len(bot.emu.bot_messages(supergroup)) == count, [m.text[:40] for m in bot.emu.bot_messages(supergroup)]


async def test_429_storm_is_waited_out_and_nothing_is_lost(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    from devtools.emulator import Fault

    bot.emu.faults.append(Fault("sendMessage", "429", chat_id=EDU, times=6, retry_after=3))
    await sweep(bot.s)
    assert any("P24-4" in m.text and m.buttons for m in bot.emu.bot_messages(EDU))
    assert bot.clock.mono >= 6 * 3.0  # retry_after honoured each time, in virtual time


async def test_server_errors_are_retried_then_left_for_the_next_sweep(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    from devtools.emulator import Fault

    bot.emu.faults.append(Fault("sendMessage", "502", chat_id=EDU, times=5))
    report = await sweep(bot.s)
    assert report.failed >= 1
    assert not any("P24-4" in m.text and m.buttons for m in bot.emu.bot_messages(EDU))
    report = await sweep(bot.s)  # the next sweep delivers it, once
    assert len([m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons]) == 1


async def test_html_in_user_text_is_escaped(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    answer = await bot.say(EDU, "/note P24-4 <b>招标</b> & 签约")
    assert "已记录" in answer.text
    shown = await bot.say(EDU, "/measure P24-4")
    assert "&lt;b&gt;招标&lt;/b&gt; &amp; 签约" in shown.text
    assert not bot.emu.errors


async def test_mine_lists_open_measures_by_colour(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    mine = await bot.say(EDU, "/mine")
    assert "🟡 临期" in mine.text and "P24-4" in mine.text
    assert "P30-2" in mine.text and "2024-12-31" in mine.text
    assert mine.text.index("P24-4") < mine.text.index("P30-2")


async def test_unknown_text_and_commands_get_a_helpful_reply(bot: Bot) -> None:
    assert "/help" in (await bot.say(EDU, "你好")).text
    assert "/help" in (await bot.say(EDU, "/frobnicate")).text
    assert "用法" in (await bot.say(EDU, "/done")).text
    assert "用法" in (await bot.say(EDU, "/extend P24-4")).text


async def test_command_menus_are_registered_per_language_and_admin(bot: Bot) -> None:
    assert {c["command"] for c in bot.emu.commands["default::"]} >= {"mine", "done", "extend"}
    assert "en" in "".join(bot.emu.commands)
    admin_menu = bot.emu.commands[f"chat:{ADMIN}:"]
    assert {"pending", "overdue", "stats"} <= {c["command"] for c in admin_menu}
    assert "pending" not in {c["command"] for c in bot.emu.commands["default::"]}


async def test_a_429_on_a_reply_is_waited_out(bot: Bot) -> None:
    from devtools.emulator import Fault

    bot.emu.faults.append(Fault("sendMessage", "429", chat_id=EDU, times=2, retry_after=5))
    answer = await bot.say(EDU, "/help")
    assert "/mine" in answer.text and bot.clock.slept.count(5.0) == 2


async def test_a_user_who_chose_english_gets_english_reminders(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    assert "English" in (await bot.say(EDU, "/lang en")).text
    await sweep(bot.s)
    reminder = next(m for m in bot.emu.bot_messages(EDU) if "P24-4" in m.text and m.buttons)
    assert "Due soon" in reminder.text and reminder.buttons[0][0] == "✅ Done"


async def test_a_question_the_bot_asked_survives_a_restart(tmp_path) -> None:
    from tests.conftest import load_seed
    from tests.harness import running_bot

    path = str(tmp_path / "s.json")
    repo = Repository.open(path)
    load_seed(repo)
    now = dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)
    async for b in running_bot(repo, now):
        await bind(b, EDU, "区教育局")
        assert "佐证" in (await b.say(EDU, "/done P24-4")).text
    repo.close()
    repo = Repository.open(path)
    async for b in running_bot(repo, now + dt.timedelta(minutes=5)):
        assert "已提交" in (await b.say(EDU, "课桌椅已全部更换")).text
        assert b.repo.measure("P24-4").status == "submitted"
    repo.close()


async def test_a_full_disk_is_told_plainly_without_the_servers_path(bot: Bot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    from store.storage import write_failed

    await bind(bot, EDU, "区教育局")

    def disk_full(*_args: object) -> None:  # the store refusing the note's write, as journal.py reports it
        raise write_failed("/tmp/office/duban.json", OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(actions, "add_note", disk_full)
    answer = await bot.say(EDU, "/note P24-4 已联系供货商")
    assert "无法保存" in answer.text and "未保存" in answer.text
    assert ".json" not in answer.text and "/tmp" not in answer.text  # the server's path stays in the log


async def test_a_submission_is_answered_while_the_office_chat_is_still_busy(bot: Bot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The office chat's rate limit (1/s, 20/min in a group) does not hold the person's answer: a burst
    of submissions would otherwise fill every update slot and the bot would stop answering anyone."""
    import asyncio

    from bot import delivery

    await bind(bot, EDU, "区教育局")
    office_drained = asyncio.Event()
    real_request = delivery.signoff_request

    async def slow_office(*args: object) -> bool:
        await office_drained.wait()  # the office chat's queue is still draining
        return await real_request(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(delivery, "signoff_request", slow_office)
    monkeypatch.setattr(delivery, "OFFICE_WAIT_SECONDS", 0.05)
    answer = await bot.say(EDU, "/done P24-4 课桌椅已全部更换")
    assert "已提交措施 P24-4" in answer.text and "等待整改办审核销号" in answer.text
    assert bot.repo.measure("P24-4").status == "submitted"
    office_drained.set()
    signoff = await bot.emu.wait_for(lambda: next((x for x in bot.emu.bot_messages(ADMIN) if "待销号" in x.text), None))
    assert "P24-4" in signoff.text  # and the request still reached the office
