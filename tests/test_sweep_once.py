"""`run_bot.py sweep --once --at` sends what a running bot would at that moment; a second run sends nothing."""

from __future__ import annotations

import asyncio
import sys
import time

from devtools.robots import FakeRobots, serve
from store import Repository
from tests.conftest import ROOT, load_seed


async def run_cli(*args: str) -> tuple[int, str]:
    p = await asyncio.create_subprocess_exec(
        sys.executable, f"{ROOT}/run_bot.py", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await p.communicate()
    return p.returncode or 0, out.decode()


async def test_sweep_once_sends_the_running_bots_messages_and_a_second_run_nothing(tmp_path) -> None:
    fake = FakeRobots(time.monotonic, time.time)
    runner = await serve(fake)
    repo = Repository.open(str(tmp_path / "s.json"))
    load_seed(repo)
    repo.close()
    fake.robots[("wecom", "k1")] = ""
    fake.robots[("dingtalk", "k2")] = "SECk2"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[store]\npath = "{tmp_path / "s.json"}"\n'
        f'[[hooks]]\nunit = "区教育局"\nkind = "wecom"\nurl = "{fake.url("wecom", "k1")}"\n'
        f'[[hooks]]\nunit = "区住建局"\nkind = "dingtalk"\nurl = "{fake.url("dingtalk", "k2")}"\nsecret = "SECk2"\n',
        encoding="utf-8",
    )
    try:
        code, _ = await run_cli("--config", str(cfg), "check", "--at", "2024-08-21T09:00", "--json")
        assert code == 0
        code, out = await run_cli("--config", str(cfg), "sweep", "--once", "--at", "2024-08-21T09:00")
        assert code == 0, out
        first = {k: len(v) for k, v in fake.inbox.items()}
        assert first and all(first.values()) and fake.refused == []
        assert "k1" not in out and "SECk2" not in out  # secrets never printed
        code, out = await run_cli("--config", str(cfg), "sweep", "--once", "--at", "2024-08-21T09:00")
        assert code == 0 and " 0 sent" in out
        assert {k: len(v) for k, v in fake.inbox.items()} == first
    finally:
        await runner.cleanup()
