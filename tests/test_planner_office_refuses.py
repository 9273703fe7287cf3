"""While the office refuses an escalation, the unit still gets its overdue repeats (issue 19).

The soak found it: the office group answered 403 and the fallback to each admin failed too, so the
escalation stayed owed to the office; the planner then offered the unsent escalation (which
"stands for" the later overdue repeat) to the office only, and the unit heard nothing more.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.sweeping import sweep
from ledger.models import Deadline, Measure
from ledger.planner import Directory, Recipient, keys_to_record, plan
from ledger.policy import Policy
from store import Repository
from tests.conftest import load_seed
from tests.harness import ADMIN, ADMIN2, Bot, running_bot
from tests.test_bot_units import EDU, bind

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = 900
OFFICE_GROUP = -9000
DIR = Directory(unit_chats={"区教育局": (101, -102)}, leader_chats={}, admin_chats=(OFFICE,))


def _measure() -> Measure:
    return Measure(
        id="P24-4",
        problem=24,
        text="课桌椅更换",
        unit="区教育局",
        deadline_text="6月28日前",
        deadline=Deadline("period_end", dt.date(2024, 6, 28)),
    )


def _month(refusing: set[int], days: int = 20) -> tuple[list[tuple[str, str, tuple[Recipient, ...]]], set[str]]:
    """A sweep each day at 09:00 from 06-29; chats in `refusing` never accept anything."""
    m, sent, log = _measure(), set[str](), []
    for i in range(days):
        now = dt.datetime(2024, 6, 29, 9, tzinfo=TZ) + dt.timedelta(days=i)
        for r in plan([m], frozenset(sent), now, Policy(), DIR):
            log.append((now.date().isoformat(), f"{r.tier}{r.stage}", r.recipients))
            sent.update(keys_to_record(r, [c for c in r.recipients if c not in refusing]))
    return log, sent


def test_a_unit_keeps_getting_overdue_repeats_while_the_office_refuses_the_escalation() -> None:
    log, sent = _month(refusing={OFFICE})
    unit = [(d, tier) for d, tier, chats in log if 101 in chats]
    assert unit == [
        ("2024-07-01", "overdue0"),
        ("2024-07-04", "overdue1"),
        ("2024-07-05", "escalation0"),
        ("2024-07-09", "overdue2"),  # held back before the fix: the unsent escalation "stood for" it
        ("2024-07-12", "overdue3"),
        ("2024-07-17", "overdue4"),
    ]
    office = [d for d, tier, chats in log if OFFICE in chats]
    assert office == [f"2024-07-{d:02d}" for d in (5, 8, 9, 10, 11, 12, 15, 16, 17, 18)]  # retried each sweep
    assert all(tier == "escalation0" for _, tier, chats in log if OFFICE in chats)
    assert all(chats in ((OFFICE,), (101, -102)) for d, _, chats in log if d > "2024-07-05")  # never twice a day
    assert not [k for k in sent if k.endswith(f"@{OFFICE}")]  # nothing recorded for the office: it got nothing
    assert "P24-4|escalation0|2024-06-28|0" not in sent  # nor the escalation as delivered everywhere


def test_once_the_office_takes_the_escalation_nothing_is_sent_twice() -> None:
    m = _measure()
    _, sent = _month(refusing={OFFICE}, days=12)  # up to 07-10: the unit has had overdue2
    late = dt.datetime(2024, 7, 11, 9, tzinfo=TZ)
    rs = plan([m], frozenset(sent), late, Policy(), DIR)
    assert [(r.tier, r.recipients) for r in rs] == [("escalation", (OFFICE,))]
    for r in rs:
        sent.update(keys_to_record(r, r.recipients))
    assert plan([m], frozenset(sent), late + dt.timedelta(hours=1), Policy(), DIR) == []
    nxt = plan([m], frozenset(sent), dt.datetime(2024, 7, 12, 9, tzinfo=TZ), Policy(), DIR)
    assert [(r.tier, r.stage, r.recipients) for r in nxt] == [("overdue", 3, (101, -102))]


@pytest.fixture
async def office_bot(tmp_path):  # type: ignore[no-untyped-def]
    """The shipped ledger, a unit bound, and the office's notices going to a group chat."""
    repo = Repository.open(str(tmp_path / "duban.json"))
    load_seed(repo)
    async for b in running_bot(repo, dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ), admin_chat=OFFICE_GROUP):
        await bind(b, EDU, "区教育局")
        yield b
    repo.close()


def _office_keys(bot: Bot) -> list[str]:
    return [k for k in bot.repo.sent_keys() if k.endswith((f"@{OFFICE_GROUP}", f"@{ADMIN}"))]


async def test_an_office_nobody_reached_is_not_recorded_and_hears_at_the_next_sweep(office_bot: Bot) -> None:
    bot = office_bot
    bot.emu.blocked.update({OFFICE_GROUP, ADMIN, ADMIN2})  # the group removed the bot, both admins blocked it
    mark = len(bot.emu.calls)
    report = await sweep(bot.s)
    tries = [c for c in bot.emu.calls[mark:] if c[0] == "sendMessage" and c[1].get("chat_id") == OFFICE_GROUP]
    assert report.failed and len(tries) == 1  # tried once (not again after the admins failed too)
    assert not _office_keys(bot)  # before the fix the group's 403 counted as delivered
    assert any(m.chat_id == EDU for m in bot.emu.log)  # the unit had its reminders meanwhile
    bot.emu.blocked.clear()
    bot.clock.set(dt.datetime(2024, 8, 22, 9, 0, tzinfo=TZ))
    await sweep(bot.s)
    assert (
        len(bot.emu.bot_messages(OFFICE_GROUP)) == 2
    )  # the binding notice, then the office's bundle, owed since yesterday
    assert _office_keys(bot)
