from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from ledger.service import import_file
from store import Repository

SEED = os.path.join(ROOT, "data", "xuanwu-2024.toml")
REPORT_TXT = os.path.join(ROOT, "data", "xuanwu-2024-report.txt")
NOW = dt.datetime(2024, 3, 15, 9, 0)


@pytest.fixture(params=["memory", "json"])
def repo(request: pytest.FixtureRequest, tmp_path) -> Iterator[Repository]:
    """An empty store, once in memory and once as a real file (TinyDB's habit)."""
    r = Repository.memory() if request.param == "memory" else Repository.open(str(tmp_path / "s.json"))
    yield r
    r.close()


@pytest.fixture
def file_repo(tmp_path) -> Iterator[Repository]:
    r = Repository.open(str(tmp_path / "s.json"))
    yield r
    r.close()


def load_seed(repo: Repository) -> None:
    import_file(repo, SEED, NOW, "test")


@pytest.fixture
def seeded(repo: Repository) -> Repository:
    load_seed(repo)
    return repo


@pytest.fixture
async def bot(tmp_path):  # type: ignore[no-untyped-def]
    """The real bot on the shipped ledger, polling the emulator, at 2024-08-21 09:00 (a Wednesday)."""
    from tests.harness import TZ, running_bot

    repo = Repository.open(str(tmp_path / "duban.json"))
    load_seed(repo)
    async for b in running_bot(repo, dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)):
        yield b
    repo.close()
