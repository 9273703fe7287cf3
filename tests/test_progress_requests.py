"""Every open measure is chased: by date, by a progress request (定期调度), or listed for the office."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from bot.sweeping import sweep
from ledger.policy import Policy
from ledger.progress_requests import period_of, request_day, undated
from store import Repository
from tests.conftest import load_seed
from tests.harness import ADMIN, TZ, Bot, running_bot

EDU, TRADE, OFFICE = 501, 503, -900
MID = re.compile(r"\bP\d+-\d+\b")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


async def join(bot: Bot, user: int, unit: str) -> None:
    link = await bot.say(ADMIN, f"/invite {unit}")
    answer = await bot.say(user, "/start " + link.text.rsplit("start=", 1)[1].strip())
    await bot.emu.reply_in(user, after=answer.message_id)  # the unit's summary


def test_periods_and_request_days() -> None:
    p = Policy()
    assert period_of(dt.date(2024, 12, 13), "monthly") == (dt.date(2024, 12, 1), "2024-12")
    assert period_of(dt.date(2024, 12, 13), "weekly") == (dt.date(2024, 12, 9), "2024-W50")
    assert period_of(dt.date(2024, 12, 13), "biweekly")[0] in (dt.date(2024, 12, 2), dt.date(2024, 12, 9))
    assert request_day(dt.date(2024, 12, 1), p) == dt.date(2024, 12, 2)  # Sunday the 1st: Monday
    assert request_day(dt.date(2024, 10, 1), p) == dt.date(2024, 10, 8)  # after National Day


async def test_a_unit_is_asked_for_progress_once_a_month_and_the_office_hears_who_did_not_report(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    load_seed(repo)
    async for bot in running_bot(repo, at(2024, 12, 2, 8, 50), admin_chat=OFFICE):
        bot.emu.chat(OFFICE, "group", "整改办")
        await join(bot, EDU, "区教育局")
        before = len(bot.emu.bot_messages(EDU))
        bot.clock.set(at(2024, 12, 2))
        await sweep(bot.s)
        requests = [m for m in bot.emu.bot_messages(EDU)[before:] if "请报送进展" in m.text]
        assert len(requests) == 1
        undated_edu = sorted(m.id for m in repo.measures() if m.unit == "区教育局" and undated(m))
        keys = {bot.repo.key_of(mid): mid for mid in undated_edu}  # buttons carry keys, labelled with ids
        assert sorted(keys[b[1].split(":")[1]] for b in requests[0].buttons) == undated_edu
        prompt = await bot.press(EDU, requests[0], f"n:{bot.repo.key_of(undated_edu[0])}")
        assert "进展" in prompt.text  # type: ignore[union-attr]
        assert "已记录" in (await bot.say(EDU, "已召开集团化办学推进会")).text
        bot.clock.set(at(2024, 12, 3))
        await sweep(bot.s)
        assert sum("请报送进展" in m.text for m in bot.emu.bot_messages(EDU)) == 1  # once a period
        bot.clock.set(at(2024, 12, 9))  # five working days after the request
        await sweep(bot.s)
        office = bot.emu.bot_messages(OFFICE)[-1].text
        assert "未报进展" in office and "区教育局" in office and "区商务局" in office
        edu_line = next(line for line in office.split("\n") if "区教育局" in line and "：" in line)
        assert undated_edu[0] not in edu_line and undated_edu[1] in edu_line  # the note counted
        n = len(bot.emu.bot_messages(OFFICE))
        bot.clock.set(at(2024, 12, 10))
        await sweep(bot.s)
        assert all("未报进展" not in m.text for m in bot.emu.bot_messages(OFFICE)[n:])  # once a period
    repo.close()


async def test_four_weeks_on_the_shipped_ledger_chase_every_open_measure_one_message_each(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "s.json"))
    load_seed(repo)
    open_ids = {m.id for m in repo.measures() if m.status == "open"}
    seen: set[str] = set()
    async for bot in running_bot(repo, at(2024, 12, 2, 8, 30), admin_chat=OFFICE):
        bot.emu.chat(OFFICE, "group", "整改办")
        await join(bot, EDU, "区教育局")
        await join(bot, TRADE, "区商务局")
        for day in range(28):
            now = at(2024, 12, 2) + dt.timedelta(days=day)
            bot.clock.set(now)
            before = {c: len(bot.emu.bot_messages(c)) for c in (EDU, TRADE, OFFICE)}
            await sweep(bot.s)
            for chat in (EDU, TRADE, OFFICE):
                new = bot.emu.bot_messages(chat)[before[chat] :]
                per_measure = Counter(mid for m in new for mid in set(MID.findall(m.text)))
                assert max(per_measure.values(), default=0) <= 1, (now, chat, per_measure)
                seen |= set(per_measure)
                if chat == OFFICE:
                    assert len(new) <= 1  # at most one bundle per sweep (nobody submitted anything)
    repo.close()
    assert open_ids <= seen, sorted(open_ids - seen)
