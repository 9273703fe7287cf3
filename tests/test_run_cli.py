"""`run_bot.py run` itself: the wiring point reads config, starts polling and its jobs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot.emulator import Emulator
from tests.conftest import ROOT, SEED


async def test_run_polls_answers_and_runs_the_catch_up_sweep(tmp_path) -> None:
    emu = Emulator()
    await emu.start()
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[store]\npath = "{tmp_path / "duban.json"}"\n'
        f'[ledger]\nseed = "{os.path.relpath(SEED, ROOT)}"\n'
        f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n'
        f'[bot]\nadmins = [9001]\n'
        f'[schedule]\nworkdays_only = false\n',  # the wall clock decides the day here: any day must do
        encoding="utf-8")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", str(cfg), "run",
        env={**os.environ, "TELEGRAM_BOT_TOKEN": emu.token}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        await emu.wait_for(lambda: any(m == "getUpdates" for m, _ in emu.calls) or
                           emu.commands, timeout=60)
        emu.user_sends(9001, "/invite 区教育局")
        link = await emu.reply_in(9001, timeout=60)
        assert "区教育局 的邀请链接" in link.text and "start=" in link.text
        # the start-up catch-up sweep ran on the real JobQueue: the unbound units' reminders reach the admin
        await emu.wait_for(lambda: any("督办" in m.text or "整改提醒" in m.text or "逾期" in m.text
                                       for m in emu.bot_messages(9001)), timeout=60)
        assert emu.commands.get("chat:9001:")  # admin menu registered
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
        except asyncio.TimeoutError:
            proc.kill()
            err = b""
        await emu.release_polls()
        await emu.stop()
    assert emu.token not in err.decode(errors="replace")  # the token is never logged
