"""`run_bot.py check/overdue/stats` on the shipped ledger: what a sweep would send, pinned."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SEED
from tests.test_import_export import config, run_cli  # noqa: F401  (fixture)


@pytest.fixture
def loaded(config: str) -> str:  # noqa: F811
    assert run_cli("import", SEED, config=config).returncode == 0
    return config


def check(cfg: str, at: str) -> list[tuple[str, str, str]]:
    r = run_cli("check", "--at", at, "--json", config=cfg)
    assert r.returncode == 0, r.stderr
    rows = list(map(json.loads, r.stdout.splitlines()))
    return [
        ("held_until", o["held_until"], "") if "held_until" in o else (o["measure"], o["tier"], o["due"])
        for o in rows
        if "chat" not in o  # the per-chat rows follow the reminders
    ]


@pytest.mark.parametrize(
    "at,expected",
    [
        ("2024-03-15T09:00", [("P12-1", "due", "2024-03-17"), ("P22-1", "green", "2024-03-31")]),
        ("2024-03-25T09:00", [("P12-1", "overdue", "2024-03-24"), ("P22-1", "yellow", "2024-03-31")]),
        ("2024-04-01T09:00", [("P12-1", "overdue", "2024-03-31"), ("P22-1", "overdue", "2024-03-31")]),
        (
            "2024-08-21T09:00",
            [
                ("P22-1", "escalation", "2024-03-31"),
                ("P12-1", "overdue", "2024-08-18"),
                ("P24-4", "yellow", "2024-08-31"),
            ],
        ),
        ("2024-10-03T09:00", [("held_until", "2024-10-08T09:00:00+08:00", "")]),  # National Day: nobody is messaged
    ],
    ids=["report-day", "a-week-before-Q1-ends", "Q1-deadline-missed", "before-summer-deadline", "national-day"],
)
def test_check_on_the_shipped_ledger(loaded: str, at: str, expected: list) -> None:  # type: ignore[type-arg]
    assert check(loaded, at) == expected


def test_check_sends_and_records_nothing(loaded: str) -> None:
    assert check(loaded, "2024-03-25T09:00") == check(loaded, "2024-03-25T09:00")


def test_overdue_and_stats(loaded: str) -> None:
    r = run_cli("overdue", "--at", "2024-06-25", "--json", config=loaded)
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [(o["measure"], o["unit"], o["workdays_late"]) for o in rows] == [("P22-1", "区环境集团", 59)]
    s = json.loads(run_cli("stats", "--at", "2024-06-25", "--json", config=loaded).stdout)
    assert s["overall"]["measures"] == 95 and s["overall"]["done"] == 32 and s["overall"]["overdue"] == 1
    assert s["report"]["measures_total"] == 146 and s["report"]["measures_done"] == 77
    assert s["units"]["区教育局"]["measures"] == 11


def test_bad_schedule_config_exits_2_with_the_key(loaded: str, tmp_path) -> None:
    with open(loaded, "a", encoding="utf-8") as f:
        f.write('[schedule]\nsend_at = "9 o\'clock"\n')
    r = run_cli("check", "--at", "2024-03-25T09:00", config=loaded)
    assert r.returncode == 2 and "send_at" in r.stderr


@pytest.mark.parametrize(
    "at,until", [("2024-03-25T03:54", "2024-03-25 09:00"), ("2024-03-23T10:00", "2024-03-25 09:00")]
)
def test_check_outside_working_hours_says_nothing_is_sent_and_when(loaded: str, at: str, until: str) -> None:
    r = run_cli("check", "--at", at, config=loaded)
    assert r.returncode == 0 and "不发送" in r.stdout and until in r.stdout, r.stdout
    j = run_cli("check", "--at", at, "--json", config=loaded)
    assert [json.loads(x) for x in j.stdout.splitlines()] == [{"held_until": until.replace(" ", "T") + ":00+08:00"}]


def test_check_shows_each_chat_with_bundles_and_progress_requests(loaded: str) -> None:
    with open(loaded, "a", encoding="utf-8") as f:
        f.write("[bot]\nadmins = [9001]\nadmin_chat = -900\n")
    r = run_cli("check", "--at", "2024-12-13T09:00", "--json", config=loaded)
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    office = [o for o in rows if o.get("chat") == -900]
    assert len(office) == 1 and office[0]["messages"] == 1 and office[0]["bundled"]
    assert {"P22-1", "P24-4", "P12-1"} <= set(office[0]["reminders"])  # unbound units' copies, one bundle
    assert "区教育局" in office[0]["no_progress"]
    text = run_cli("check", "--at", "2024-12-13T09:00", config=loaded).stdout
    assert "按会话" in text and "-900（整改办）：1 条汇总" in text
