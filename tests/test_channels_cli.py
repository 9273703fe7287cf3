"""`run_bot.py hooks test UNIT` and `hooks list` against the local fake robots: what an office runs
after binding a robot, to see that it works before the first reminder is owed there."""

from __future__ import annotations

import datetime as dt
import re
import time

from devtools.robots import FakeRobots, FakeSmtp, serve
from ledger import webtokens
from store import Repository
from tests.conftest import load_seed
from tests.harness import TZ
from tests.test_run_cli import run_bot
from tests.test_sweep_once import run_cli


def write_config(tmp_path, fake: FakeRobots, hooks: list[tuple[str, str, str, str]], email_port: int = 0) -> str:  # type: ignore[no-untyped-def]
    repo = Repository.open(str(tmp_path / "s.json"))
    load_seed(repo)
    repo.close()
    text = f'[store]\npath = "{tmp_path / "s.json"}"\n[units]\naliases = {{"教育口" = "区教育局"}}\n'
    for unit, kind, token, secret in hooks:
        url = f"mailto:{token}" if kind == "email" else fake.url(kind, token)
        text += f'[[hooks]]\nunit = "{unit}"\nkind = "{kind}"\nurl = "{url}"\nsecret = "{secret}"\n'
    if email_port:
        text += f'[email]\nhost = "127.0.0.1"\nport = {email_port}\nsender = "duban@example.org"\nstarttls = false\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


async def test_hooks_test_reports_each_address_and_marks_an_invalid_key_inactive(tmp_path) -> None:
    fake = FakeRobots(time.monotonic, time.time)
    runner = await serve(fake)
    smtp = FakeSmtp()
    await smtp.start()
    fake.robots[("wecom", "wk-good-123")] = ""
    fake.robots[("dingtalk", "dk-good-456")] = "SECdingsecret"
    # the Feishu robot was removed from its group: its token is unknown to the vendor
    hooks = [
        ("区教育局", "wecom", "wk-good-123", ""),
        ("区教育局", "dingtalk", "dk-good-456", "SECdingsecret"),
        ("区教育局", "feishu", "fs-removed-789", "fs-secret-xyz"),
        ("区教育局", "email", "office@edu.example.org", ""),
        ("区住建局", "wecom", "wk-other", ""),
    ]
    cfg = write_config(tmp_path, fake, hooks, smtp.port)
    try:
        code, out = await run_cli("--config", cfg, "hooks", "test", "教育口")  # an alias of 区教育局
        assert code == 1, out
        lines = [line for line in out.splitlines() if line[:1] in "✅❌—"]  # stdout; stderr has the masked log
        assert len(lines) == 4  # the unit's four addresses, not 区住建局's
        assert sum("✅" in line for line in lines) == 3
        gone = next(line for line in lines if "飞书" in line)
        assert "19001" in gone and "已停用" in gone
        for secret in ("wk-good-123", "dk-good-456", "SECdingsecret", "fs-removed-789", "fs-secret-xyz"):
            assert secret not in out
        assert len(fake.inbox[("wecom", "wk-good-123")]) == 1 and fake.inbox[("dingtalk", "dk-good-456")]
        assert "测试" in str(fake.inbox[("wecom", "wk-good-123")][0])
        assert smtp.messages[0][0] == "office@edu.example.org"
        assert fake.inbox[("wecom", "wk-other")] == []
        repo = Repository.open(str(tmp_path / "s.json"))
        assert {h.kind: h.active for h in repo.hooks() if h.unit == "区教育局"} == {
            "wecom": True,
            "dingtalk": True,
            "feishu": False,
            "email": True,
        }
        repo.close()

        code, out = await run_cli("--config", cfg, "hooks", "test", "区教育局")  # again: the dead one is skipped
        assert code == 0, out
        assert fake.refused.count(("feishu", 19001)) == 1 and "已停用，未发送" in out

        code, out = await run_cli("--config", cfg, "hooks", "list")
        assert code == 0 and "区住建局" in out and "已失效" in out and "key=wk…23" in out
        for secret in ("wk-good-123", "dk-good-456", "SECdingsecret", "fs-removed-789", "fs-secret-xyz"):
            assert secret not in out

        code, out = await run_cli("--config", cfg, "hooks", "test", "区城管局")
        assert code == 1 and "没有绑定" in out
        code, out = await run_cli("--config", cfg, "hooks", "test", "不存在的单位")
        assert code == 2 and "没有名为" in out
    finally:
        await smtp.stop()
        await runner.cleanup()


WEB = "https://duban.example.org"
WEB_SECRET = "a-web-secret-for-the-cli-tests"


def token_opens(repo: Repository, url: str, now: dt.datetime) -> str:
    """The measure a robot message's link opens, by the web app's own token verifier."""
    assert url.startswith(f"{WEB}/m/")
    grant = webtokens.check(WEB_SECRET.encode(), url.rsplit("/", 1)[1], now, prefs=repo)
    return repo.measure_by_key(grant.key).id


async def test_sweep_once_links_the_measure_page_with_the_bots_token(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DUBAN_WEB_SECRET", WEB_SECRET)
    fake = FakeRobots(time.monotonic, time.time)
    runner = await serve(fake)
    fake.robots[("dingtalk", "dk")] = "SECdk"
    cfg = write_config(tmp_path, fake, [("区教育局", "dingtalk", "dk", "SECdk")])
    with open(cfg, "a", encoding="utf-8") as f:
        f.write(f'[web]\nbase_url = "{WEB}"\n')
    try:
        code, out = await run_cli("--config", cfg, "sweep", "--once", "--at", "2024-08-21T09:00")
        assert code == 0, out
    finally:
        await runner.cleanup()
    cards = [b["actionCard"] for b in fake.inbox[("dingtalk", "dk")] if b["msgtype"] == "actionCard"]
    assert cards and fake.refused == []
    repo = Repository.open(str(tmp_path / "s.json"))
    at = dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)
    assert {repo.measure(token_opens(repo, c["singleURL"], at)).unit for c in cards} == {"区教育局"}
    repo.close()


async def test_the_running_bot_reaches_robots_with_page_links(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`run_bot.py run` wires the channels: its start-up catch-up reaches a unit's robot."""
    monkeypatch.setenv("DUBAN_WEB_SECRET", WEB_SECRET)
    fake = FakeRobots(time.monotonic, time.time)
    runner = await serve(fake)
    fake.robots[("feishu", "fk")] = ""
    hook = f'[[hooks]]\nunit = "区教育局"\nurl = "{fake.url("feishu", "fk")}"\nkind = "feishu"\n'
    extra = f'[web]\nbase_url = "{WEB}"\n{hook}'  # (sections after [telegram]'s keys)
    try:
        async with run_bot(tmp_path, extra) as running:
            await running.emu.wait_for(lambda: fake.inbox[("feishu", "fk")], timeout=60)
    finally:
        await runner.cleanup()
    urls = re.findall(rf"{re.escape(WEB)}/m/[\w.-]+", str(fake.inbox[("feishu", "fk")]))  # buttons or bundle links
    repo = Repository.open(str(tmp_path / "duban.json"))
    now = dt.datetime.now(dt.UTC)
    assert urls and {repo.measure(token_opens(repo, url, now)).unit for url in urls} == {"区教育局"}
    repo.close()
