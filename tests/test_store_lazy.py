"""Opening decodes nothing: measures are indexed and decoded when first asked for, and then follow
every write as before; the fast decoder gives the very measures the plain constructors give."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from ledger.ids import id_key, natural_key
from ledger.models import Deadline, Event, Evidence, Extension, Measure
from store import Repository
from store.codec import Decoder, measure_from_doc, measure_to_doc
from store.measure_index import fast_id_key, measure_sort_key

AT = dt.datetime(2024, 4, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
IDS = [
    "ZG-01",
    "zg-10",
    "P2-9",
    "P2-10",
    "ＺＧ－０２",
    " A 1 ",
    "2024-整改-015",
    "（二）4",
    "1.3",
    "1.10",
    "x\x1cy",
    "²",
]


def _measure(i: int, mid: str, **kw: Any) -> Measure:
    ev = Event(AT, "cli:import", "import", "open", "open", "", (), mid)
    return Measure(id=mid, problem=1 + i % 3, text=f"措施{i}", unit="区教育局", history=(ev,), **kw)


def _reference(d: dict[str, Any]) -> Measure:
    """The decoding before the fast path: keyword constructors and one `from_dict` each."""
    ev = d.get("evidence") or {}
    return Measure(
        id=d["id"],
        problem=int(d["problem"]),
        text=d["text"],
        unit=d.get("unit", ""),
        co_units=tuple(d.get("co_units", ())),
        leader=d.get("leader", ""),
        deadline_text=d.get("deadline_text", ""),
        deadline=Deadline.from_dict(d.get("deadline") or {}),
        status=d.get("status", "open"),
        unit_inferred=bool(d.get("unit_inferred", False)),
        note=d.get("note", ""),
        evidence=Evidence(note=ev.get("note", ""), files=tuple(ev.get("files", ()))),
        due_override=dt.date.fromisoformat(d["due_override"]) if d.get("due_override") else None,
        extension=Extension.from_dict(d["extension"]) if d.get("extension") else None,
        history=tuple(Event.from_dict(e) for e in d.get("history", ())),
        extra=tuple((str(k), str(v)) for k, v in d.get("extra", ())),
    )


RICH = Measure(
    id="P3-2",
    problem=3,
    text="二是…",
    unit="区住建局",
    co_units=("区财政局",),
    leader="张三",
    deadline_text="2024年6月底前",
    deadline=Deadline(
        "period_end", dt.date(2024, 6, 30), None, "6月底前", True, "low", ((dt.date(2024, 7, 1), "7月"),)
    ),
    status="submitted",
    unit_inferred=True,
    note="进展",
    evidence=Evidence("已整改", ("file-1", "file-2")),
    due_override=dt.date(2024, 9, 30),
    extension=Extension(dt.date(2024, 10, 31), "理由", "区住建局", AT),
    history=(
        Event(AT, "cli:import", "import"),
        Event(AT + dt.timedelta(days=3), "u:7", "submit", "open", "submitted", "说明", ("f1",), "P3-2"),
    ),
    extra=(("整改进展", "推进中"),),
)


@pytest.mark.parametrize("m", [RICH, _measure(0, "ZG-01"), Measure(id="P1-1", problem=1, text="a")])
def test_the_fast_decoder_gives_the_same_measure(m: Measure) -> None:
    doc = measure_to_doc(m)
    got = Decoder().measure(doc)
    assert got == m == _reference(doc)
    assert repr(got) == repr(m)
    assert list(vars(got)) == [f.name for f in dataclasses.fields(Measure)]  # every field set, in order
    assert all(list(vars(e)) == [f.name for f in dataclasses.fields(Event)] for e in got.history)
    assert hash(got) == hash(m)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.note = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "P1-1", "problem": "1", "text": "a"},  # written before most fields existed
        {"id": "P1-1", "problem": 1, "text": "a", "deadline": {"kind": "date", "due": "2024-05-01"}},
        {"id": "P1-1", "problem": 1, "text": "a", "evidence": {"note": None}, "history": [{"at": "2024-04-01"}]},
        {"id": "P1-1", "problem": 1, "text": "a", "history": [{"at": "2024-04-01", "note": None, "files": None}]},
    ],
)
def test_older_documents_decode_as_before(doc: dict[str, Any]) -> None:
    assert measure_from_doc(doc) == _reference(doc)
    assert repr(measure_from_doc(doc)) == repr(_reference(doc))


def test_the_fast_keys_are_the_ledger_ones() -> None:
    for mid in IDS:
        assert fast_id_key(mid) == id_key(mid)
        m = Measure(id=mid, problem=2, text="")
        assert measure_sort_key(m) == (2, natural_key(mid), mid)


def test_opening_decodes_nothing_and_counts_in_constant_time(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    r = Repository.open(path)
    assert r.measure_count() == 0
    r.put_measures([_measure(i, mid) for i, mid in enumerate(IDS)])
    r.close()
    r = Repository.open(path)
    try:
        assert r._measures._cache is None and r._measures._ids is None
        assert r.measure_count() == len(IDS)
        assert r._measures._cache is None and r._measures._ids is None  # counting built nothing
        assert r.measure("zg-02").id == "ＺＧ－０２"  # the id index, built on this first lookup
        assert r._measures._cache is None
        ms = r.measures()
        assert [m.id for m in ms] == [m.id for m in sorted(ms, key=lambda m: (m.problem, natural_key(m.id), m.id))]
        assert r.measure("zg-02") is ms[[m.id for m in ms].index("ＺＧ－０２")]  # from the decoded list now
    finally:
        r.close()


def test_writes_keep_the_decoded_list_in_ledger_order(repo: Repository) -> None:
    repo.put_measures([_measure(i, f"ZG-{i}") for i in range(1, 30)])
    before = repo.measures()
    repo.put_measure(_measure(0, "ZG-7a"))  # new: placed, not appended
    moved = dataclasses.replace(repo.measure("ZG-3"), problem=9)  # its problem changed: moves
    repo.put_measure(moved)
    repo.put_measure(dataclasses.replace(repo.measure("ZG-5"), note="n"))  # in place
    got = repo.measures()
    assert len(got) == len(before) + 1
    assert got == sorted(got, key=measure_sort_key)
    fresh = Repository.memory()
    fresh.put_measures(got)
    assert fresh.measures() == got  # what a decode from scratch gives
    assert repo.measure("ZG-3").problem == 9 and repo.measure("ZG-5").note == "n"
    assert repo.measure("zg-7A").id == "ZG-7a"


def test_a_rolled_back_batch_forgets_the_decoded_measures(repo: Repository) -> None:
    repo.put_measure(_measure(0, "P1-1"))
    repo.measures()
    with pytest.raises(RuntimeError), repo.batch():
        repo.put_measure(_measure(1, "P1-2"))
        raise RuntimeError("boom")
    assert [m.id for m in repo.measures()] == ["P1-1"]
    assert not repo.has_measure("P1-2")


def test_sent_keys_is_one_read_only_set_until_the_log_changes(repo: Repository) -> None:
    repo.put_measure(_measure(0, "P1-1"))
    first = repo.sent_keys()
    assert first is repo.sent_keys()  # not copied per call
    repo.record_sent("P1-1|green|2024-01-01|0", "P1-1", "green", AT)
    second = repo.sent_keys()
    assert "P1-1|green|2024-01-01|0" in second and "P1-1|green|2024-01-01|0" not in first  # a snapshot
    assert len(second) == 1 and list(second) == ["P1-1|green|2024-01-01|0"]
    assert repo.prune_sent(dt.date(2025, 1, 1), 30) == 1  # an old key for a date the measure does not have
    assert len(repo.sent_keys()) == 0 and len(second) == 1
