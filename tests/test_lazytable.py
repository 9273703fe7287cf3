"""The snapshot one table a line: still one JSON object, the large tables parsed when first used, and
nothing lost by a table that was never parsed (compaction writes its bytes as read)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys

import orjson
import pytest

from ledger.errors import CorruptStore
from ledger.models import Measure
from store import Repository
from store.lazytable import LazyTable, dump_tables, split_tables
from store.storage import load_snapshot
from tests.conftest import ROOT

AT = dt.datetime(2024, 4, 1, 9)


def _store(path: str, n: int = 3000) -> None:
    r = Repository.open(path)
    r.put_measures([Measure(id=f"ZG-{i:05d}", problem=1 + i // 5, text=f"措施{i}" * 10) for i in range(n)])
    r.record_sent("ZG-00001|green|2024-05-01|0", "ZG-00001", "green", AT)
    r.close()


def test_the_snapshot_is_one_json_object_written_a_table_a_line(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    _store(path)
    raw = (tmp_path / "s.json").read_bytes()
    assert raw.startswith(b"{\n") and raw.count(b"\n") == len(json.loads(raw)) + 1
    assert orjson.loads(raw) == load_snapshot(path)  # lazily or not: the same tables


def test_opening_leaves_the_large_tables_unparsed_until_used(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    _store(path)
    r = Repository.open(path)
    try:
        tables = r._db.storage.read()
        assert isinstance(tables["measures"], LazyTable) and tables["measures"].raw is not None
        assert r.has_measures() and tables["measures"].raw is not None  # answered without parsing
        assert "ZG-00001|green|2024-05-01|0" in r.sent_keys()
        assert r.measure("zg-00007").text == "措施7" * 10  # the first use parses it
        assert tables["measures"].raw is None and r.measure_count() == 3000
    finally:
        r.close()


def test_a_table_never_parsed_is_written_back_as_it_was_read(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    _store(path)
    before = load_snapshot(path)
    r = Repository.open(path)
    r.set_pref(1, "lang", "en")  # a write to another table; the measures stay bytes
    assert r._db.storage.read()["measures"].raw is not None
    r._db.storage.compact()
    r.close()
    after = load_snapshot(path)
    assert after is not None and before is not None
    assert after["measures"] == before["measures"]
    assert len(after["prefs"]) == 1


def test_every_dict_operation_parses_a_lazy_table_first() -> None:
    docs = {str(i): {"id": i} for i in range(5)}
    raw = orjson.dumps(docs)
    checks = [
        lambda t: len(t) == 5,
        lambda t: "3" in t,
        lambda t: list(t) == list(docs),
        lambda t: t["2"] == {"id": 2},
        lambda t: t.get("4") == {"id": 4},
        lambda t: dict(t.items()) == docs,
        lambda t: next(iter(t.values())) == {"id": 0},
        lambda t: t == docs,
        lambda t: dict(t) == docs,
        lambda t: t.setdefault("9", {}) == {} and len(t) == 6,
        lambda t: t.pop("0") == {"id": 0} and len(t) == 4,
        bool,
        lambda t: orjson.loads(dump_tables({"x": t})) == {"x": docs},
    ]
    for check in checks:
        assert check(LazyTable(raw, "s.json", "x"))
    t = LazyTable(raw, "s.json", "x")
    t["9"] = {"id": 9}
    assert len(t) == 6 and t.raw is None


def test_a_store_written_in_one_line_opens_as_it_is_and_is_rewritten_in_lines(tmp_path) -> None:
    path = tmp_path / "s.json"
    _store(str(path))
    data = load_snapshot(str(path))
    path.write_bytes(orjson.dumps(data))  # as every store was written before
    r = Repository.open(str(path))
    assert r.measure_count() == 3000
    r.set_pref(1, "lang", "en")
    r.close()
    assert path.read_bytes().startswith(b"{\n")
    assert Repository.open(str(path)).measure("ZG-02999").problem == 600


def test_damage_inside_a_lazy_table_is_refused_when_it_is_read(tmp_path) -> None:
    path = tmp_path / "s.json"
    _store(str(path))
    raw = path.read_bytes()
    i = raw.index(b'"measures":') + 5000
    path.write_bytes(raw[:i] + b"\xff{" + raw[i + 2 :])
    r = Repository.open(str(path))
    try:
        with pytest.raises(CorruptStore, match="measures"):
            r.measures()
        r.set_pref(1, "lang", "en")
    finally:
        r.close()  # compacts: the damaged table, never loaded, is written back as it was (nothing lost)
    after = path.read_bytes()
    assert after[after.index(b'"measures":') + 5000 :].startswith(b"\xff{")


def test_a_line_that_is_not_a_table_makes_the_whole_file_parsed(tmp_path) -> None:
    assert split_tables(b'{\n"a":{},\n"b":[1]\n}', "s.json") is None
    assert split_tables(b'{"a":{}}', "s.json") is None
    assert split_tables(b'{\n"a":{"1":{"x":"\\n"}}\n}', "s.json", lazy_bytes=0)["a"]["1"] == {"x": "\n"}  # type: ignore[index]


def test_a_kill_during_work_on_lazy_tables_loses_nothing(tmp_path) -> None:
    """SIGKILL after writes to a store whose large tables were never parsed: the journal replays."""
    path = str(tmp_path / "s.json")
    _store(path)
    code = (
        f"import sys, os, signal; sys.path.insert(0, {ROOT!r})\n"
        "from store import Repository\nfrom ledger.models import Measure\n"
        f"r = Repository.open({path!r})\n"
        "r.set_pref(1, 'lang', 'en')\n"
        "r.put_measure(Measure(id='NEW-1', problem=1, text='新'))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=False, timeout=120)
    assert out.returncode == -signal.SIGKILL
    assert os.path.getsize(path + ".journal") > 0
    r = Repository.open(path)
    try:
        assert r.measure_count() == 3001 and r.measure("NEW-1").text == "新" and r.pref(1, "lang") == "en"
    finally:
        r.close()
