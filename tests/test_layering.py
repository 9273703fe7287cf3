"""ledger/ is pure: no telegram, apscheduler or tinydb; only store/ imports tinydb."""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_ledger_imports_no_telegram_scheduler_or_database() -> None:
    for path in (ROOT / "ledger").rglob("*.py"):
        bad = imported_modules(path) & {"telegram", "apscheduler", "tinydb", "store", "bot", "jobs"}
        assert not bad, f"{path.name} imports {bad}"


def test_only_store_imports_tinydb() -> None:
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("store", ".venv", "tests", "bench"):
            continue
        assert "tinydb" not in imported_modules(path), f"{rel} imports tinydb"


def test_logic_never_reads_the_clock() -> None:
    for path in (ROOT / "ledger").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "date.today(", "dt.datetime.now(", "dt.date.today(", "time.time("):
            if call in text:
                raise AssertionError(f"{path.name} reads the clock ({call})")


def test_code_has_no_unused_names_or_syntax_errors() -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_types_check() -> None:
    import subprocess
    import sys

    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "ledger",
            "store",
            "bot",
            "jobs",
            "run_bot.py",
            "--ignore-missing-imports",
            "--no-error-summary",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
