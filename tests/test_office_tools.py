"""Office tools: 转办 (/reassign), evidence required before sign-off, each unit's weekly list."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.sweeping import digest
from ledger.policy import Policy
from tests.harness import ADMIN, TZ, Bot, running_bot
from tests.test_bot_units import EDU, ENV, bind


async def test_admin_reassigns_a_measure_both_units_told_history_kept(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await bind(bot, ENV, "区环境集团")
    answer = await bot.say(ADMIN, "/reassign P24-4 区环境集团 职责调整")
    assert "已转办：区教育局 → 区环境集团" in answer.text
    m = bot.repo.measure("P24-4")
    assert m.unit == "区环境集团" and m.history[-1].action == "reassign" and "职责调整" in m.history[-1].note
    for chat in (EDU, ENV):
        await bot.emu.wait_for(lambda c=chat: any("已转办" in x.text for x in bot.emu.bot_messages(c)))
    assert "仅限整改办管理员" in (await bot.say(EDU, "/reassign P24-4 区教育局 退回")).text


async def test_require_evidence_asks_for_a_file_before_sign_off(bot: Bot) -> None:
    bot.s.settings = dataclasses.replace(bot.s.settings, require_evidence=True)
    await bind(bot, EDU, "区教育局")
    asked = await bot.say(EDU, "/done P24-4 已全部更换")
    assert "照片或文件" in asked.text and bot.repo.measure("P24-4").status == "open"
    answer = await bot.say(EDU, "", photo=True)
    assert "已提交措施 P24-4" in answer.text
    m = bot.repo.measure("P24-4")
    assert m.status == "submitted" and m.evidence.files and m.evidence.note == "已全部更换"


async def test_unit_digest_sends_each_bound_unit_its_own_list(tmp_path) -> None:
    from store import Repository
    from tests.conftest import load_seed

    repo = Repository.open(str(tmp_path / "s.json"))
    load_seed(repo)
    async for bot in running_bot(repo, dt.datetime(2024, 12, 13, 16, 0, tzinfo=TZ), policy=Policy(unit_digest=True)):
        await bind(bot, EDU, "区教育局")
        before = len(bot.emu.bot_messages(EDU))
        await digest(bot.s)
        mine = [m.text for m in bot.emu.bot_messages(EDU)[before:]]
        assert len(mine) == 1 and "本周待办" in mine[0] and "P24-4" in mine[0] and "P22-1" not in mine[0]
    repo.close()
