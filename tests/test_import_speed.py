"""Large imports: progress shown while a big ledger is read, compared and written, and import time
that grows in proportion to the rows (issue #20: 50 000 rows under 10 s; a quadratic step fails here)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from ledger.ledgerfile import read_ledger
from ledger.progress import Rendered, ticker
from ledger.service import apply_import, import_file, plan_import
from store import Repository
from tests.conftest import ROOT

AT = dt.datetime(2024, 4, 1, 9)
DEADLINES = ("2024年6月底前", "长期坚持", "2024年12月31日前完成", "每季度开展一次")


def write_ledger(path: Path, n: int) -> str:
    """A ledger like an office's large one: 400 units, five measures a problem, dated and prose
    deadlines, now and then a cell of two numbered measures."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        sheet = csv.writer(f)
        sheet.writerow(["编号", "问题", "整改措施", "责任单位", "完成时限"])
        for i in range(n):
            text = f"整改措施第{i}项：建立健全长效机制，加强日常巡查，确保问题整改到位、不反弹。"
            if i % 97 == 0:
                text = f"1.制定第{i}项整改方案；2.每月通报第{i}项整改进度"
            due = f"{AT.date() + dt.timedelta(days=30 + i % 365):%Y/%m/%d}" if i % 3 else DEADLINES[i % 4]
            sheet.writerow([f"ZG-{i:05d}", f"问题{i // 5}", text, f"测试{i % 400:03d}局", due])
    return str(path)


def run_import(tmp_path: Path, sheet: str) -> subprocess.CompletedProcess[str]:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path / "duban.json"}"\n', encoding="utf-8")
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", str(cfg), "import", "--at", "2024-04-01T09:00"]
        + [sheet],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_large_csv_import_shows_progress_on_stderr_a_line_per_tenth(tmp_path: Path) -> None:
    r = run_import(tmp_path, write_ledger(tmp_path / "台账.csv", 2_500))
    assert r.returncode == 0, r.stderr
    assert "新增 2526 条" in r.stdout  # 26 cells of two measures
    lines = r.stderr.splitlines()
    for label in ("读取行", "校验措施", "比对台账", "写入"):
        mine = [line for line in lines if line.startswith(label + " ")]
        assert 2 <= len(mine) <= 11, (label, mine)  # stderr is a pipe: one line per tenth, no \r
        assert re.search(r" 100% \((\d+)/\1\)$", mine[-1]), mine[-1]  # ends at the whole stage
    assert "\r" not in r.stderr
    assert [line.split()[0] for line in lines if "100%" in line] == ["读取行", "校验措施", "比对台账", "写入"]


def test_a_small_csv_import_prints_no_progress(tmp_path: Path) -> None:
    r = run_import(tmp_path, write_ledger(tmp_path / "台账.csv", 50))
    assert r.returncode == 0, r.stderr
    assert "新增 51 条" in r.stdout
    assert r.stderr == ""


def test_import_reports_each_stage_to_the_end_in_order(tmp_path: Path) -> None:
    heard: list[tuple[str, int, int]] = []
    repo = Repository.memory()
    plan = import_file(repo, write_ledger(tmp_path / "t.csv", 3_000), AT, "test", progress=lambda *a: heard.append(a))
    assert len(plan.new) == 3_031
    stages = list(dict.fromkeys(stage for stage, _, _ in heard))
    assert stages == ["read", "check", "plan", "write"]
    for stage in stages:
        counts = [(done, total) for s, done, total in heard if s == stage]
        assert counts[-1][0] == counts[-1][1] and [c for c in counts if c[0] == c[1]] == [counts[-1]]
        assert all(a[0] <= b[0] for a, b in itertools.pairwise(counts))
        assert len(counts) <= 102  # about once a percent, not once a row


def test_progress_text_on_a_terminal_is_one_bar_redrawn_and_nothing_below_the_size() -> None:
    out: list[str] = []
    bar = Rendered(out.append, tty=True, least=100)
    tick = ticker(bar, "read", 1_000)
    for n in range(1, 1_001):
        tick(n)
    assert out[0].startswith("\r读取行 [") and out[-1].endswith("100% (1000/1000)\n")
    assert all(not s.endswith("\n") for s in out[:-1]) and len(out) <= 101
    small: list[str] = []
    tick = ticker(Rendered(small.append, least=100), "read", 99)
    for n in range(1, 100):
        tick(n)
    assert small == []


def _seconds(path: str) -> float:
    """Read, plan and apply into a fresh in-memory store: the import without the disk."""
    repo = Repository.memory()
    t = time.perf_counter()
    parsed = read_ledger(path, repo.problems())
    plan = plan_import(parsed, repo, AT, "t.csv")
    apply_import(plan, repo, AT, "test")
    return time.perf_counter() - t


def test_import_time_grows_linearly_with_the_rows(tmp_path: Path) -> None:
    small, large = write_ledger(tmp_path / "s.csv", 2_000), write_ledger(tmp_path / "l.csv", 8_000)
    _seconds(small)  # warm: regexes compiled, modules loaded
    a = min(_seconds(small) for _ in range(2))
    b = min(_seconds(large) for _ in range(2))
    assert b / a < 5.5, f"2 000 rows {a:.2f} s, 8 000 rows {b:.2f} s: more than linear"
