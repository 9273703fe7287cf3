"""The office settles measures that lack a deadline: /review, run_bot.py review, /stats."""

from __future__ import annotations

import datetime as dt
import json

from ledger.planner import plan
from ledger.review import review_items
from tests.harness import ADMIN, TZ, Bot
from tests.test_check_cli import loaded  # noqa: F401  (fixture)
from tests.test_import_export import config, run_cli  # noqa: F401  (fixture)


async def test_admin_sets_a_deadline_marks_a_standing_duty_and_skips(bot: Bot) -> None:
    first, second, third = (m.id for m in review_items(bot.repo.measures())[:3])
    k1, k2 = bot.repo.key_of(first), bot.repo.key_of(second)  # buttons carry short keys, not ids
    card = await bot.say(ADMIN, "/review")
    assert first in card.text and [b[1] for b in card.buttons] == [f"rd:{k1}", f"ro:{k1}", f"rs:{k1}"]
    prompt = await bot.press(ADMIN, card, f"rd:{k1}")
    assert "完成时限" in prompt.text  # type: ignore[union-attr]
    reading = await bot.say(ADMIN, "12月底")
    assert "2024-12-31" in reading.text and [b[1] for b in reading.buttons] == [f"rk:{k1}:20241231", f"rd:{k1}"]
    assert bot.repo.measure(first).due is None  # shown before saving
    saved = await bot.press(ADMIN, reading, f"rk:{k1}:20241231")
    assert "已设定" in saved.text and bot.repo.measure(first).due == dt.date(2024, 12, 31)  # type: ignore[union-attr]
    bot.emu.press(ADMIN, card, f"ro:{k2}")
    await bot.emu.wait_for(lambda: bot.repo.measure(second).deadline.kind == "ongoing")
    await bot.emu.wait_for(lambda: next((m for m in bot.emu.bot_messages(ADMIN) if m.edited and third in m.text), None))
    assert bot.repo.measure(first).history[-1].action == "deadline"
    bot.clock.set(dt.datetime(2024, 12, 11, 9, 0, tzinfo=TZ))  # 20 days before: the date now drives reminders
    owed = plan(bot.repo.measures(), frozenset(), bot.clock(), bot.s.policy, bot.s.directory())
    assert first in [r.measure_id for r in owed]


def test_review_and_stats_from_the_command_line(loaded: str) -> None:  # noqa: F811
    rows = [json.loads(x) for x in run_cli("review", "--json", config=loaded).stdout.splitlines()]
    assert len(rows) == 50 and {"measure", "unit", "text", "deadline_text"} <= set(rows[0])
    s = json.loads(run_cli("stats", "--at", "2024-06-25", "--json", config=loaded).stdout)
    assert s["no_deadline"] == 50
