"""Owed reminders follow the chat: a unit that binds late hears what it is owed, once; bundles."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from bot.sweeping import sweep
from ledger.models import Deadline, Measure, Problem
from ledger.policy import Policy
from store import Repository
from tests.harness import ADMIN, TZ, Bot, running_bot
from tests.test_jobs import small_ledger

EDU, EDU2, OFFICE = 501, 511, -900


def at(d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(2024, 6, d, hh, mm, tzinfo=TZ)


async def join(bot: Bot, user: int) -> None:
    link = await bot.say(ADMIN, "/invite 区教育局")
    answer = await bot.say(user, "/start " + link.text.rsplit("start=", 1)[1].strip())
    assert "已绑定" in answer.text
    summary = await bot.emu.reply_in(user, after=answer.message_id)  # at once: where the unit stands
    assert "未完成" in summary.text and "🔴" in summary.text and not summary.buttons


def reminders_to(bot: Bot, chat: int) -> list[str]:
    """'P1-1 逾期督办' for each reminder (one with ✅/⏳/📝) the chat got."""
    out = []
    for m in bot.emu.bot_messages(chat):
        if m.buttons and m.buttons[0][1].startswith("d:"):
            head = m.text.split("\n")[0]
            out.append(head.split(" · ")[1] + " " + head.split("<b>")[1].split("</b>")[0])
    return out


def office_lines(bot: Bot) -> list[str]:
    return [line.strip() for m in bot.emu.bot_messages(OFFICE) for line in m.text.split("\n") if " P1-" in line]


async def test_a_unit_bound_before_the_morning_sweep_gets_what_it_is_owed_once(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path)
    small_ledger(repo)  # 区教育局: P1-1 due 06-07, P1-2 due 06-14, P1-3 due 06-28
    async for bot in running_bot(repo, at(17), admin_chat=OFFICE):
        await sweep(bot.s)  # Monday: nobody bound, the office hears, in one bundle
        assert len(bot.emu.bot_messages(OFFICE)) == 1 and len(office_lines(bot)) == 3
        assert "尚未绑定" in bot.emu.bot_messages(OFFICE)[0].text
        bot.clock.set(at(18, 8, 55))
        await join(bot, EDU)  # Tuesday, five minutes before the sweep
        bot.clock.set(at(18))
        await sweep(bot.s)
        first = reminders_to(bot, EDU)
        assert sorted(first) == ["P1-1 逾期督办", "P1-2 逾期警示", "P1-3 临期预警"]
    repo.close()
    repo = Repository.open(path)  # a restart
    async for bot in running_bot(repo, at(18, 9, 20), admin_chat=OFFICE):
        await sweep(bot.s)
        assert reminders_to(bot, EDU) == []  # nothing again
        bot.clock.set(at(18, 11))
        await join(bot, EDU2)  # a second member, later that morning
        bot.clock.set(at(19))
        await sweep(bot.s)
        assert sorted(x.split()[0] for x in reminders_to(bot, EDU2)) == ["P1-1", "P1-2", "P1-3"]
        assert all(x not in first for x in reminders_to(bot, EDU))  # the first member: only what is new
        office = office_lines(bot)
    repo.close()
    assert not [line for line, n in Counter(office).items() if n > 1]  # nothing twice to the office


async def test_a_chat_owed_more_than_three_gets_one_bundle_with_cards(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    small_ledger(repo, n=8)
    async for bot in running_bot(repo, at(20), admin_chat=OFFICE):
        await join(bot, EDU)
        report = await sweep(bot.s)
        assert report.sent == 1 + 1  # one bundle to the unit, one to the office (its escalations)
        bundle = bot.emu.bot_messages(EDU)[-1]
        assert "本次督办提醒" in bundle.text and bundle.text.index("逾期督办") < bundle.text.index("临期预警")
        key = bot.repo.key_of("P1-1")  # buttons carry the measure's short key, labelled with its id
        ids = [b[1] for b in bundle.buttons]
        assert all(len(d.encode()) <= 64 for d in ids) and f"c:{key}" in ids and ("P1-1", f"c:{key}") in bundle.buttons
        card = await bot.press(EDU, bundle, f"c:{key}")
        assert "P1-1" in card.text and [b[1] for b in card.buttons] == [f"d:{key}", f"x:{key}", f"n:{key}"]  # type: ignore[union-attr]
        answer = await bot.say(EDU, "完成 已落实", reply_to=card.message_id)  # type: ignore[union-attr]
        assert "已提交措施 P1-1" in answer.text
    repo.close()


async def test_the_office_gets_one_paged_bundle_however_many_units_are_late(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    repo.put_problem(Problem(1, "问题"))
    late = dt.date(2024, 5, 31)
    repo.put_measures(
        [
            Measure(id=f"P1-{i}", problem=1, text="措施", unit=f"单位{i % 30}", deadline=Deadline("date", late))
            for i in range(1, 121)
        ]
    )
    async for bot in running_bot(repo, at(20), admin_chat=OFFICE, policy=Policy()):
        bot.emu.chat(OFFICE, "group", "整改办")
        await sweep(bot.s)
        sent = bot.emu.bot_messages(OFFICE)
        assert len(sent) == 1 and "(1/" in sent[0].text
        bot.emu.press(ADMIN, sent[0], "bp:1")
        await bot.emu.wait_for(lambda: any(m.edited and "(2/" in m.text for m in bot.emu.bot_messages(OFFICE)))
        await sweep(bot.s)
        assert len(bot.emu.bot_messages(OFFICE)) == 1  # and not again
    repo.close()
