"""The CLI and the bot answer from one set of views: same colours, same figures, both languages."""

from __future__ import annotations

import csv
import io

from tests.conftest import SEED
from tests.harness import ADMIN, Bot
from tests.test_bot_admin import submitted
from tests.test_import_export import run_cli


def colours(csv_text: str) -> dict[str, str]:
    rows = list(csv.reader(io.StringIO(csv_text)))
    head = rows[0]
    light = next(i for i, h in enumerate(head) if h in ("红绿灯", "预警", "tier", "灯"))
    return {r[0]: r[light] for r in rows[1:]}


def test_cli_export_colours_with_the_configured_yellow_window(tmp_path) -> None:
    """P22-1 is due 2024-03-31: 16 days after 03-15 is green with 10 yellow days, yellow with 20."""
    found = {}
    for days in (10, 20):
        cfg = tmp_path / f"c{days}.toml"
        cfg.write_text(
            f'[store]\npath = "{tmp_path / f"s{days}.json"}"\n[schedule]\nyellow_days = {days}\n', encoding="utf-8"
        )
        assert run_cli("import", SEED, "--at", "2024-03-15T09:00", config=str(cfg)).returncode == 0
        out = tmp_path / f"e{days}.csv"
        r = run_cli("export", str(out), "--at", "2024-03-15T09:00", config=str(cfg))
        assert r.returncode == 0, r.stderr
        found[days] = colours(out.read_text(encoding="utf-8-sig"))["P22-1"]
    assert found == {10: "绿灯", 20: "黄灯"}


async def test_admin_queries_answer_in_english_after_lang_en(bot: Bot) -> None:
    await submitted(bot)
    await bot.say(ADMIN, "/lang en")
    pending = await bot.say(ADMIN, "/pending")
    assert "waiting" in pending.text and "sign-off" in pending.text and "待" not in pending.text
    due = await bot.say(ADMIN, "/due 30")
    assert "due within 30 days" in due.text
    stats = await bot.say(ADMIN, "/stats")
    assert "Progress" in stats.text and "measures done" in stats.text and "整改进度" not in stats.text
    chart = await bot.emu.reply_in(ADMIN, after=stats.message_id)
    assert chart.kind == "photo" and chart.text == "Progress by unit"
    await bot.say(ADMIN, "/lang zh")
    assert "待处理" in (await bot.say(ADMIN, "/pending")).text


def test_the_same_ledger_exports_to_the_same_bytes_at_any_time(monkeypatch) -> None:
    """Zip entries carry a fixed time, so two exports of one ledger are identical (archives compare them)."""
    import datetime as dt
    import time

    from ledger.reports import export_bytes
    from store import Repository
    from tests.conftest import load_seed

    repo = Repository.memory()
    load_seed(repo)
    args = (repo.measures(), repo.problems(), repo.report(), repo.units(), dt.date(2024, 9, 3), 10)
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.0)
    first = export_bytes(".xlsx", *args)
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    assert export_bytes(".xlsx", *args) == first
