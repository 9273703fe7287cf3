"""`run_bot.py run` itself: the wiring point reads config, starts polling (or a webhook) and its jobs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass

from devtools.emulator import Emulator
from tests.conftest import ROOT, SEED


@dataclass
class Running:
    emu: Emulator
    stderr: bytes = b""


@contextlib.asynccontextmanager
async def run_bot(tmp_path, telegram_extra: str = "") -> AsyncIterator[Running]:  # type: ignore[no-untyped-def]
    """`run_bot.py run` as its own process against the emulator; stopped with SIGINT afterwards."""
    emu = Emulator()
    await emu.start()
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[store]\npath = "{tmp_path / "duban.json"}"\n'
        f'[ledger]\nseed = "{os.path.relpath(SEED, ROOT)}"\n'
        f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n{telegram_extra}'
        f"[bot]\nadmins = [9001]\n"
        # the wall clock decides the day and the hour here: any moment must do
        f'[schedule]\nworkdays_only = false\nsend_at = "00:00"\nworking_hours = "00:00-24:00"\n',
        encoding="utf-8",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        os.path.join(ROOT, "run_bot.py"),
        "--config",
        str(cfg),
        "run",
        env={**os.environ, "TELEGRAM_BOT_TOKEN": emu.token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    running = Running(emu)
    try:
        yield running
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, running.stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
        except TimeoutError:
            proc.kill()
        await emu.release_polls()
        await emu.stop()


async def test_run_polls_answers_and_runs_the_catch_up_sweep(tmp_path) -> None:
    async with run_bot(tmp_path) as running:
        emu = running.emu
        await emu.wait_for(lambda: any(m == "getUpdates" for m, _ in emu.calls) or emu.commands, timeout=60)
        emu.user_sends(9001, "/invite 区教育局")
        link = await emu.wait_for(
            lambda: next((m for m in emu.bot_messages(9001) if "邀请链接" in m.text), None), timeout=60
        )  # (other messages may come first: this runs on the wall clock, e.g. a holiday-calendar warning)
        assert "区教育局 的邀请链接" in link.text and "start=" in link.text
        # the start-up catch-up sweep ran on the real JobQueue: the unbound units' reminders reach the admin
        await emu.wait_for(
            lambda: any("督办" in m.text or "整改提醒" in m.text or "逾期" in m.text for m in emu.bot_messages(9001)),
            timeout=60,
        )
        assert emu.commands.get("chat:9001:")  # admin menu registered
    assert emu.token not in running.stderr.decode(errors="replace")  # the token is never logged


async def listening(port: int) -> None:
    """Until the bot process accepts connections on `port` (a readiness poll of another process)."""

    async def connect() -> None:
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return

    await asyncio.wait_for(connect(), 60)


async def test_run_in_webhook_mode_receives_updates_by_post(tmp_path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    webhook = (
        f'mode = "webhook"\nwebhook_url = "https://bot.example.org/telegram"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\n'
    )
    async with run_bot(tmp_path, webhook) as running:
        emu = running.emu
        await emu.wait_for(lambda: emu.webhook_url, timeout=60)
        assert emu.webhook_url == "https://bot.example.org/telegram"
        body = json.dumps(emu.update_json(9001, "/help")).encode()
        before = len(emu.bot_messages(9001))

        def post(secret: str) -> int:
            headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
            req = urllib.request.Request(f"http://127.0.0.1:{port}/telegram", data=body, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
                    return int(resp.status)
            except urllib.error.HTTPError as e:
                return e.code

        await listening(port)  # PTB sets the webhook before its server listens, as Telegram retries delivery
        loop = asyncio.get_running_loop()
        assert len(emu.webhook_secret) >= 32
        assert await loop.run_in_executor(None, post, "forged") == 403  # a forged update is refused
        assert await loop.run_in_executor(None, post, emu.webhook_secret) == 200
        answer = await emu.wait_for(
            lambda: next((m for m in emu.bot_messages(9001)[before:] if "/mine" in m.text), None), timeout=60
        )
        assert "/pending" in answer.text  # the admin's help
