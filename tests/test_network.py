"""Reaching Telegram: a network that comes up late, a rejected token, secrets kept out of logs."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys

import pytest

from bot.network import RedactSecrets, wait_until_reachable
from devtools.emulator import Emulator
from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_start_waits_for_a_network_that_comes_up_late(caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    emu = Emulator(port=port)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # virtual time: the network comes up after three failures
        waits.append(seconds)
        if len(waits) == 3:
            await emu.start()

    caplog.set_level(logging.WARNING)
    try:
        name = await wait_until_reachable(emu.token, f"http://127.0.0.1:{port}/bot", "", sleep=sleep)
    finally:
        await emu.stop()
    assert name == emu.username
    assert waits == [1.0, 2.0, 4.0]  # backoff
    lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(lines) == 3 and not any(r.exc_info for r in lines)  # one line each, no traceback


async def test_a_rejected_token_stops_with_one_line_that_does_not_repeat_it(tmp_path) -> None:
    emu = Emulator()
    await emu.start()
    secret = "424242:WRONG-secret-do-not-print"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[store]\npath = "{tmp_path / "duban.json"}"\n[telegram]\nbase_url = "{emu.base_url}"\n', encoding="utf-8"
    )
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            os.path.join(ROOT, "run_bot.py"),
            "--config",
            str(cfg),
            "run",
            env={**os.environ, "TELEGRAM_BOT_TOKEN": secret},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        await emu.stop()
    text = (out + err).decode()
    assert proc.returncode == 2
    assert "token rejected" in text and "Traceback" not in text
    assert "WRONG-secret" not in text


def test_log_lines_and_tracebacks_never_show_the_token() -> None:
    token = "123:SECRET-TOKEN"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling %s", (f"/bot{token}/getMe",), None)
    try:
        raise ValueError(f"The token {token} was rejected")
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactSecrets(token).filter(record)
    shown = logging.Formatter().format(record)
    assert "SECRET-TOKEN" not in shown and "<token>" in shown and "ValueError" in shown


def test_unknown_config_keys_are_refused_naming_the_nearest_known_one(tmp_path) -> None:
    import subprocess

    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path / "d.json"}"\n[bot]\nadmin = [1]\n', encoding="utf-8")
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", str(cfg), "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "[bot] admin" in r.stderr and "admins" in r.stderr


@pytest.mark.parametrize("proxy", ["http://127.0.0.1:3128", "socks5://127.0.0.1:1080"])
def test_a_proxy_is_used_for_every_request(proxy: str) -> None:
    """Mainland deployments reach the Bot API through an HTTP or SOCKS5 proxy (the socks extra is installed)."""
    from bot.app import build_application
    from bot.services import Services, Settings
    from ledger.policy import Policy
    from store import Repository

    services = Services(Repository.memory(), Policy(), Settings(), clock=lambda: None)  # type: ignore[arg-type,return-value]
    app = build_application(services, "123:ABC", proxy=proxy)
    for request in (app.bot.request, app.bot._request[0]):
        client = request._client  # type: ignore[attr-defined]
        assert client._mounts, f"no proxy configured for {request}"


def test_a_store_that_cannot_be_written_is_one_clear_line(tmp_path) -> None:
    import subprocess

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[store]\npath = "{blocker / "duban.json"}"\n', encoding="utf-8")
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", str(cfg), "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "无法读写" in r.stderr and "Traceback" not in r.stderr


def test_read_commands_work_beside_a_running_bot_and_import_says_how(tmp_path) -> None:
    """While `run` holds the store, list/stats/export read a consistent snapshot; import is refused
    with the way to import through the bot; the running store is not touched."""
    import json
    import subprocess

    from ledger.actions import Actor, add_note
    from store import Repository
    from tests.conftest import SEED, load_seed

    path = tmp_path / "duban.json"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[store]\npath = "{path}"\n', encoding="utf-8")
    running = Repository.open(str(path))  # holds the lock, as `run_bot.py run` does
    load_seed(running)
    import datetime as dt

    add_note(
        running, Actor(1, 1, is_admin=True), "P24-4", "刚记录的进展", dt.datetime(2024, 8, 21, 9)
    )  # in the journal
    try:

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            cmd = [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", str(cfg), *args]
            return subprocess.run(cmd, capture_output=True, text=True, timeout=120)

        listed = cli("list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert len(listed.stdout.splitlines()) == 95
        assert cli("stats", "--json").returncode == 0
        out = tmp_path / "e.xlsx"
        assert cli("export", str(out)).returncode == 0 and out.stat().st_size > 0
        imported = cli("import", SEED)
        assert imported.returncode == 2 and "发给机器人" in imported.stderr
        assert any(e.note == "刚记录的进展" for e in running.measure("P24-4").history)
        json.loads(cli("stats", "--json").stdout)
    finally:
        running.close()
