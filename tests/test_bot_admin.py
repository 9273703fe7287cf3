"""End to end, the rectification office's side: sign-off, extensions, queries, spreadsheets, the demo."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys

import openpyxl
import pytest

from bot.sweeping import sweep
from ledger.models import Deadline, Measure, Problem
from store import Repository
from tests.conftest import ROOT
from tests.harness import ADMIN, ADMIN2, TZ, Bot, running_bot
from tests.test_bot_units import EDU, ENV, bind

ADMIN_COMMANDS = [
    "/pending",
    "/overdue",
    "/due 14",
    "/unit 区教育局",
    "/stats",
    "/find 课桌椅",
    "/export",
    "/invite 区教育局",
    "/members",
    "/reopen P1-1 问题反弹",
]


async def submitted(bot: Bot, mid: str = "P24-4", note: str = "已完成更换") -> None:
    await bind(bot, EDU, "区教育局")
    await bot.say(EDU, f"/done {mid} {note}")
    assert bot.repo.measure(mid).status == "submitted"


def request_for(bot: Bot, admin: int, mid: str, word: str = "待销号"):  # type: ignore[no-untyped-def]
    return next(m for m in reversed(bot.emu.bot_messages(admin)) if word in m.text and mid in m.text)


async def test_sign_off_reaches_the_unit(bot: Bot) -> None:
    await submitted(bot)
    before = len(bot.emu.bot_messages(EDU))
    await bot.press(ADMIN, request_for(bot, ADMIN, "P24-4"), "s:P24-4")
    assert bot.repo.measure("P24-4").status == "done"
    assert "已销号" in bot.emu.bot_messages(EDU)[before:][-1].text
    assert request_for(bot, ADMIN, "P24-4").buttons == []  # buttons removed once handled


async def test_send_back_with_reason_reaches_the_unit(bot: Bot) -> None:
    await submitted(bot)
    prompt = await bot.press(ADMIN, request_for(bot, ADMIN, "P24-4"), "b:P24-4")
    assert "理由" in prompt.text  # type: ignore[union-attr]
    await bot.say(ADMIN, "缺少验收单 <照片>")
    m = bot.repo.measure("P24-4")
    assert m.status == "open" and m.history[-1].note == "缺少验收单 <照片>"
    assert "被退回：缺少验收单 &lt;照片&gt;" in bot.emu.bot_messages(EDU)[-1].text


async def test_approved_extension_moves_the_due_date_and_the_reminders(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await bot.say(EDU, "/extend P24-4 2024-09-30 供货延迟")
    await bot.press(ADMIN, request_for(bot, ADMIN, "P24-4", "延期申请"), "ea:P24-4")
    assert bot.repo.measure("P24-4").due == dt.date(2024, 9, 30)
    assert "新时限 2024-09-30" in bot.emu.bot_messages(EDU)[-1].text
    bot.clock.set(dt.datetime(2024, 9, 20, 9, 0, tzinfo=TZ))
    await sweep(bot.s)
    reminder = next(m for m in reversed(bot.emu.bot_messages(EDU)) if "P24-4" in m.text and m.buttons)
    assert "🟡" in reminder.text and "→ 2024-09-30" in reminder.text


async def test_rejected_extension_keeps_the_date(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    await bot.say(EDU, "/extend P24-4 2024-09-30 供货延迟")
    await bot.press(ADMIN, request_for(bot, ADMIN, "P24-4", "延期申请"), "er:P24-4")
    assert bot.repo.measure("P24-4").due == dt.date(2024, 8, 31)
    assert "未获同意" in bot.emu.bot_messages(EDU)[-1].text


async def test_two_admins_racing_the_first_wins(bot: Bot) -> None:
    await submitted(bot)
    first = request_for(bot, ADMIN, "P24-4")
    second = request_for(bot, ADMIN2, "P24-4")
    q1 = bot.emu.press(ADMIN, first, "s:P24-4")
    q2 = bot.emu.press(ADMIN2, second, "b:P24-4")
    await bot.emu.wait_for(lambda: bot.emu.answer_for(q1) is not None and bot.emu.answer_for(q2) is not None)
    assert bot.repo.measure("P24-4").status == "done"
    assert "已由其他管理员处理" in (bot.emu.answer_for(q2) or "")
    assert [e.action for e in bot.repo.measure("P24-4").history].count("signoff") == 1


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_non_admins_are_refused_every_admin_command(bot: Bot, command: str) -> None:
    await bind(bot, EDU, "区教育局")
    assert "仅限整改办管理员" in (await bot.say(EDU, command)).text


@pytest.mark.parametrize("data", ["s:P24-4", "b:P24-4", "ea:P24-4", "er:P24-4", "pg:overdue:1"])
async def test_non_admins_are_refused_every_admin_button(bot: Bot, data: str) -> None:
    await submitted(bot)
    answer = await bot.press(EDU, request_for(bot, ADMIN, "P24-4"), data, expect_reply=False)
    assert "仅限整改办管理员" in str(answer)
    assert bot.repo.measure("P24-4").status == "submitted"


async def test_overdue_is_paginated_over_300_items(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "big.json"))
    repo.put_problem(Problem(1, "大量逾期"))
    repo.put_measures(
        [
            Measure(
                id=f"P1-{i}",
                problem=1,
                text=f"措施{i} <需转义>",
                unit=f"单位{i % 7}",
                deadline=Deadline("date", dt.date(2024, 1, 1) + dt.timedelta(days=i % 100)),
            )
            for i in range(1, 301)
        ]
    )
    async for bot in running_bot(repo, dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)):
        first = await bot.say(ADMIN, "/overdue")
        assert "逾期整改措施 300 条" in first.text and "第1/12页" in first.text
        assert [b[1] for b in first.buttons] == ["pg:overdue:1"]
        assert "&lt;需转义&gt;" in first.text and len(first.text) <= 4096
        q = bot.emu.press(ADMIN, first, "pg:overdue:1")
        await bot.emu.wait_for(lambda: bot.emu.answer_for(q) is not None)
        assert "第2/12页" in first.text and first.edited
        assert [b[1] for b in first.buttons] == ["pg:overdue:0", "pg:overdue:2"]
    repo.close()


async def test_queries_answer_with_the_ledger(bot: Bot) -> None:
    due = await bot.say(ADMIN, "/due 14")
    assert "P24-4" in due.text and "P30-2" not in due.text
    unit = await bot.say(ADMIN, "/unit 教育局")
    assert "区教育局" in unit.text and "P25-3" in unit.text
    found = await bot.say(ADMIN, "/find 课桌椅")
    assert "P24-4" in found.text and "1 条" in found.text
    assert "没有名为" in (await bot.say(ADMIN, "/unit 火星局")).text


async def test_stats_sends_figures_and_a_chart(bot: Bot) -> None:
    before = len(bot.emu.log)
    bot.emu.user_sends(ADMIN, "/stats")
    photo = await bot.emu.wait_for(lambda: next((m for m in bot.emu.log[before:] if m.kind == "photo"), None), 60)
    text = next(m for m in bot.emu.log[before:] if m.sender == "bot" and m.kind == "text")
    assert "95条措施中已完成32条" in text.text and "146条措施中已完成77条" in text.text
    assert photo.file_bytes[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(photo.file_bytes[16:20], "big")
    height = int.from_bytes(photo.file_bytes[20:24], "big")
    assert width == 900 and height > 300


async def test_export_opens_in_excel_and_matches_the_ledger(bot: Bot) -> None:
    before = len(bot.emu.log)
    bot.emu.user_sends(ADMIN, "/export")
    doc = await bot.emu.wait_for(lambda: next((m for m in bot.emu.log[before:] if m.kind == "document"), None), 60)
    wb = openpyxl.load_workbook(io.BytesIO(doc.file_bytes))
    rows = list(wb["整改台账"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [m.id for m in bot.repo.measures()]
    assert {r[0] for r in wb["逾期"].iter_rows(min_row=2, values_only=True)} == {"P22-1"}


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


async def test_admin_imports_a_spreadsheet_by_sending_it(bot: Bot) -> None:
    good = _csv_bytes(
        [
            ["编号", "问题", "整改措施", "责任单位", "完成时限", "状态"],
            ["P31-1", "新增问题", "新增一条整改措施", "区教育局", "2024年10月底前", "整改中"],
        ]
    )
    answer = await bot.say(ADMIN, "", document=("台账更新.csv", good))
    assert "导入完成" in answer.text and "新增 1 条" in answer.text
    assert bot.repo.measure("P31-1").due == dt.date(2024, 10, 31)


async def test_malformed_spreadsheet_is_rejected_with_row_and_column_and_changes_nothing(bot: Bot) -> None:
    def ledger() -> tuple[object, ...]:  # everything but the bot's own bookkeeping of the message
        r = bot.repo
        return (r.measures(), r.problems(), r.units(), r.report(), r.events(), r.members(), r.sent_keys())

    before = ledger()
    bad = _csv_bytes(
        [["编号", "整改措施", "责任单位"], ["P31-1", "新措施", "区教育局"], ["P31-1", "又一条", "区教育局"]]
    )
    answer = await bot.say(ADMIN, "", document=("坏台账.csv", bad))
    assert "row 3" in answer.text and "编号" in answer.text and "P31-1" in answer.text
    assert ledger() == before


async def test_unit_members_cannot_import(bot: Bot) -> None:
    await bind(bot, ENV, "区环境集团")
    good = _csv_bytes([["编号", "整改措施", "责任单位"], ["P31-1", "x", "区环境集团"]])
    answer = await bot.say(ENV, "", document=("x.csv", good))
    assert "没看懂" in answer.text or "/help" in answer.text
    assert not bot.repo.has_measure("P31-1")


def test_make_demo_prints_the_transcript_and_writes_the_chart_and_export(tmp_path) -> None:
    out = tmp_path / "demo-output"
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    for line in (
        "已绑定：区教育局",
        "逾期督办 · P22-1",
        "逾期督办 · P12-1",
        "本期2024-W50（2024-12-15）到期；上期2024-W49未报",
        "整改办督办汇总",
        "整改提醒 · P25-3",
        "临期预警 · P22-1",
        "已提交措施 P24-4",
        "延期申请",
        "P30-2 已销号",
        "P24-4 被退回",
        "逾期整改措施 1 条",
        "小结",
    ):
        assert line in r.stdout, line
    assert (out / "progress.png").read_bytes()[:4] == b"\x89PNG"
    wb = openpyxl.load_workbook(out / "ledger.xlsx")
    assert wb["整改台账"].max_row == 96
    assert "Telegram 拒绝" not in r.stdout
    if os.path.exists("/usr/bin/chromium"):  # the board, as the office projects it (see test_web_browser.py)
        assert (out / "board.png").read_bytes()[:4] == b"\x89PNG"


async def test_admin_reopens_a_signed_off_measure_and_sees_who_is_bound(bot: Bot) -> None:
    await bind(bot, EDU, "区教育局")
    members = await bot.say(ADMIN, "/members")
    assert "✅ 区教育局" in members.text and "⚪ 区环境集团：尚未绑定" in members.text
    await bot.say(EDU, "/done P24-4 已更换")
    await bot.press(ADMIN, request_for(bot, ADMIN, "P24-4"), "s:P24-4")
    answer = await bot.say(ADMIN, "/reopen P24-4 回头看发现问题反弹")
    assert "已重新打开" in answer.text and bot.repo.measure("P24-4").status == "open"
    assert "回头看发现问题反弹" in bot.emu.bot_messages(EDU)[-1].text


SPLIT_LEDGER = [
    ["编号", "问题", "整改措施", "责任单位", "完成时限"],
    ["ZG-31", "新增问题", "1.建立校园食堂日查制度；2.每月通报一次检查结果", "区教育局", "2024年10月底前"],
]


def _ledger(bot: Bot) -> tuple[object, ...]:
    r = bot.repo
    return (r.measures(), r.problems(), r.units(), r.report(), r.events())


async def _send_split_ledger(bot: Bot, user: int = ADMIN):  # type: ignore[no-untyped-def]
    answer = await bot.say(user, "", document=("台账更新.csv", _csv_bytes(SPLIT_LEDGER)))
    assert "尚未导入" in answer.text and "一格写有多条措施" in answer.text
    assert [b[1][:3] for b in answer.buttons] == ["ic:", "ix:"]
    return answer


async def test_a_ledger_with_guesses_is_shown_first_and_imported_only_on_confirm(bot: Bot) -> None:
    before = _ledger(bot)
    offer = await _send_split_ledger(bot)
    assert _ledger(bot) == before and not bot.repo.has_measure("ZG-31-1")
    done = await bot.press(ADMIN2, offer, offer.buttons[0][1])  # any admin may confirm
    assert "导入完成" in getattr(done, "text", "")
    assert bot.repo.measure("ZG-31-1").text == "建立校园食堂日查制度"
    assert bot.repo.measure("ZG-31-2").due == dt.date(2024, 10, 31)
    again = await bot.press(ADMIN, offer, offer.buttons[0][1], expect_reply=False)  # pressed twice: nothing more
    assert "取代" in str(again)


async def test_cancelling_a_shown_import_leaves_the_ledger_unchanged(bot: Bot) -> None:
    before = _ledger(bot)
    offer = await _send_split_ledger(bot)
    answer = await bot.press(ADMIN, offer, offer.buttons[1][1])
    assert "已取消导入" in getattr(answer, "text", "")
    assert _ledger(bot) == before
    late = await bot.press(ADMIN, offer, offer.buttons[0][1], expect_reply=False)
    assert "取代" in str(late) and _ledger(bot) == before


async def test_a_unit_member_cannot_confirm_an_import(bot: Bot) -> None:
    await bind(bot, ENV, "区环境集团")
    before = _ledger(bot)
    offer = await _send_split_ledger(bot)
    await bot.press(ENV, offer, offer.buttons[0][1], expect_reply=False)
    assert _ledger(bot) == before and not bot.repo.has_measure("ZG-31-1")
    done = await bot.press(ADMIN, offer, offer.buttons[0][1])  # still waiting for an admin
    assert "导入完成" in getattr(done, "text", "")


async def test_a_second_upload_supersedes_the_waiting_one(bot: Bot) -> None:
    first = await _send_split_ledger(bot)
    second = await _send_split_ledger(bot, ADMIN2)
    stale = await bot.press(ADMIN, first, first.buttons[0][1], expect_reply=False)
    assert "取代" in str(stale) and not bot.repo.has_measure("ZG-31-1")
    await bot.press(ADMIN, second, second.buttons[0][1])
    assert bot.repo.has_measure("ZG-31-2")


async def test_a_waiting_import_lapses_like_other_questions(bot: Bot) -> None:
    offer = await _send_split_ledger(bot)
    bot.clock.set(bot.clock.now + dt.timedelta(minutes=bot.s.settings.ask_expires_minutes + 1))
    stale = await bot.press(ADMIN, offer, offer.buttons[0][1], expect_reply=False)
    assert "过期" in str(stale) and not bot.repo.has_measure("ZG-31-1")


def test_the_summary_to_confirm_is_escaped_and_fits_one_telegram_message() -> None:
    from bot.imports import confirm_text
    from ledger.messages import TELEGRAM_LIMIT
    from ledger.service import ImportPlan

    plan = ImportPlan(source="台账<v2>.csv", ref=dt.date(2024, 8, 21), report=None)
    lines = ["台账<v2>.csv：新增 900 条"] + [f"  更新 ZG-{i}：text & <b>" for i in range(900)]
    object.__setattr__(plan, "summary", lambda: "\n".join(lines))
    text = confirm_text("zh", plan, ["读取时有推断"])
    assert len(text) <= TELEGRAM_LIMIT and "<v2>" not in text and "&lt;v2&gt;" in text
    assert "行摘要从略" in text
