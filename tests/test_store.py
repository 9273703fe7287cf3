"""The store keeps what it acknowledged, refuses what it cannot read, and has one writer."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from ledger.errors import StoreError, UnknownMeasure
from ledger.models import Measure
from store import Repository
from tests.conftest import ROOT


def test_measures_survive_a_restart(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    r.put_measure(Measure(id="P1-1", problem=1, text="一是…", unit="区教育局"))
    r.record_sent("P1-1|green|2024-08-31|0", "P1-1", "green", dt.datetime(2024, 8, 11, 9))
    r.close()
    r = Repository.open(path)
    assert r.measure("P1-1").unit == "区教育局"
    assert "P1-1|green|2024-08-31|0" in r.sent_keys()
    r.close()


def test_unknown_measure_is_a_clear_error(repo: Repository) -> None:
    with pytest.raises(UnknownMeasure, match="P9-9"):
        repo.measure("P9-9")


def test_store_of_an_unknown_schema_version_is_refused(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"_meta": {"1": {"kind": "schema", "version": 99}}}), encoding="utf-8")
    with pytest.raises(StoreError, match="99"):
        Repository.open(str(path))


def test_a_second_process_on_the_same_store_is_refused(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    try:
        code = f"import sys; sys.path.insert(0, {ROOT!r})\nfrom store import Repository\nRepository.open({path!r})"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert out.returncode != 0
        assert "Another Duban process" in out.stderr
    finally:
        r.close()
    Repository.open(path).close()  # released: the next start works


def test_a_failed_batch_writes_nothing(file_repo: Repository, tmp_path) -> None:
    file_repo.put_measure(Measure(id="P1-1", problem=1, text="a"))
    before = (tmp_path / "s.json").read_bytes()
    with pytest.raises(RuntimeError), file_repo.batch():
        file_repo.put_measure(Measure(id="P1-2", problem=1, text="b"))
        raise RuntimeError("boom")
    assert (tmp_path / "s.json").read_bytes() == before
    assert not file_repo.has_measure("P1-2")
    file_repo.put_measure(Measure(id="P1-3", problem=1, text="c"))
    assert [m.id for m in file_repo.measures()] == ["P1-1", "P1-3"]


def test_history_reaches_the_audit_log(repo: Repository) -> None:
    from ledger.status import add_note

    m = Measure(id="P1-1", problem=1, text="a")
    repo.put_measure(m)
    repo.put_measure(add_note(m, "进展", "tg:5", dt.datetime(2024, 4, 1)))
    assert [(e.action, e.actor) for e in repo.events()] == [("note", "tg:5")]


def test_old_reply_mappings_are_dropped_beyond_the_limit(repo: Repository, monkeypatch) -> None:
    monkeypatch.setattr(Repository, "MESSAGES_KEPT", 8)
    for i in range(11):
        repo.remember_message(5, i, f"P1-{i}")
    # 11 > 8 + 8 // 4: pruned back to the newest 8
    assert [repo.message_measure(5, i) for i in (2, 3, 10)] == [None, "P1-3", "P1-10"]


def test_a_migrated_chat_keeps_what_it_received_and_bundles_keep_their_pages(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    at = dt.datetime(2024, 8, 21, 9)
    r.record_sent("P1-1|overdue0|2024-08-01|0@-100", "P1-1", "overdue", at, -100)
    r.record_sent("P1-2|overdue0|2024-08-01|0@-1001", "P1-2", "overdue", at, -1001)
    assert r.copy_sent_to_chat(-100, -100200, at) == 1
    r.put_bundle(-100200, 7, [{"text": "第一页", "ids": ["P1-1"]}, {"text": "第二页", "ids": []}])
    r.close()
    r = Repository.open(path)
    assert "P1-1|overdue0|2024-08-01|0@-100200" in r.sent_keys()
    assert "P1-2|overdue0|2024-08-01|0@-100200" not in r.sent_keys()
    assert r.bundle(-100200, 7) == [{"text": "第一页", "ids": ["P1-1"]}, {"text": "第二页", "ids": []}]
    assert r.bundle(-100200, 8) is None
    r.close()
