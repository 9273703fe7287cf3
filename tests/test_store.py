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
        out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
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


@pytest.mark.parametrize("journal", [True, False], ids=["journaled", "rewrite"])
@pytest.mark.parametrize(
    "content",
    [b"", b"null", b"  \n\t ", b'{"_meta": {', b"[1, 2]", b"\xff\xfe", b'{"measures": []}'],
    ids=["empty", "null", "whitespace", "truncated", "list", "binary", "table-not-a-dict"],
)
def test_an_empty_or_unreadable_store_is_refused_and_left_untouched(tmp_path, content: bytes, journal: bool) -> None:
    from ledger.errors import CorruptStore

    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(CorruptStore, match=r"s\.json"):
        Repository.open(str(path), journal=journal)
    assert path.read_bytes() == content
    with pytest.raises(CorruptStore):  # again: the refused open released its lock
        Repository.open(str(path), journal=journal)


def test_only_a_missing_file_is_a_new_store(tmp_path) -> None:
    path = tmp_path / "var" / "s.json"
    r = Repository.open(str(path))
    assert r.measures() == []
    r.close()
    assert path.exists()


def test_a_store_written_before_the_journal_opens_as_it_is(tmp_path) -> None:
    path = tmp_path / "s.json"
    doc = {"id": "P1-1", "problem": 1, "text": "一是…", "unit": "区教育局", "history": []}
    path.write_text(
        json.dumps({"_meta": {"1": {"kind": "schema", "version": 1}}, "measures": {"1": doc}}), encoding="utf-8"
    )
    r = Repository.open(str(path))
    assert r.measure("P1-1").unit == "区教育局"
    r.put_measure(Measure(id="P1-2", problem=1, text="b"))
    r.close()
    assert set(json.loads(path.read_text(encoding="utf-8"))["measures"]) == {"1", "2"}


def test_a_symlink_to_the_store_takes_the_same_lock(tmp_path) -> None:
    real = tmp_path / "data" / "s.json"
    link = tmp_path / "link.json"
    r = Repository.open(str(real))
    link.symlink_to(real)
    try:
        with pytest.raises(StoreError, match="Another Duban process"):
            Repository.open(str(link))
    finally:
        r.close()
    via_link = Repository.open(str(link))
    via_link.put_measure(Measure(id="P1-1", problem=1, text="a"))
    via_link.close()
    assert link.is_symlink()  # the link still points at the one store, which has the write
    check = Repository.open(str(real))
    assert check.has_measure("P1-1")
    check.close()


def test_loading_leaves_the_garbage_collector_as_it_was(tmp_path) -> None:
    import gc

    assert gc.isenabled()
    Repository.open(str(tmp_path / "s.json")).close()
    assert gc.isenabled()


@pytest.mark.parametrize("content", [b"", b"null"], ids=["empty", "null"])
def test_list_on_an_empty_store_file_exits_2_and_leaves_the_file_alone(tmp_path, content: bytes) -> None:
    import os

    store = tmp_path / "var" / "duban.json"
    store.parent.mkdir()
    store.write_bytes(content)
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{store}"\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", str(config), "list"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "duban.json" in out.stderr and "Traceback" not in out.stderr
    assert store.read_bytes() == content and not (tmp_path / "var" / "duban.json.journal").exists()
