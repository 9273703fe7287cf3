"""Retention: the sent-log and the audit log stay proportional to the open ledger, and pruning
never makes a sweep send anything again."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ledger.models import Deadline, Event, Evidence, Measure
from ledger.planner import plan
from ledger.policy import Policy
from ledger.status import approve_signoff, submit
from store import Repository
from tests.conftest import load_seed

TODAY = dt.date(2024, 9, 2)


def _m(mid: str, due: dt.date | None = None, **kw: object) -> Measure:
    return Measure(id=mid, problem=1, text="x", unit="区教育局", deadline=Deadline("date", due), **kw)  # type: ignore[arg-type]


def test_sent_keys_nobody_can_ask_about_again_are_dropped(repo: Repository) -> None:
    at = dt.datetime(2024, 3, 1, 9)
    overdue = _m("P1-1", dt.date(2024, 3, 31))
    extended = _m("P1-2", dt.date(2024, 3, 31), due_override=dt.date(2024, 12, 31))
    done = approve_signoff(submit(_m("P1-3", dt.date(2024, 3, 31)), Evidence(note="验收报告"), "tg:5", at), "tg:1", at)
    waiting = submit(_m("P1-4", dt.date(2024, 3, 31)), Evidence(note="验收报告"), "tg:5", dt.datetime(2024, 4, 2, 9))
    monthly = Measure(id="P1-5", problem=1, text="每月", deadline=Deadline("recurring", None, recur="monthly"))
    for m in (overdue, extended, done, waiting, monthly):
        repo.put_measure(m)
    keys = {
        "P1-1|escalation0|2024-03-31|0": False,  # still overdue on this date: the planner still asks
        "P1-2|overdue0|2024-03-31|0": True,  # superseded by the extension
        "P1-2|green1000|2024-12-11|0": False,  # the current due date
        "P1-3|due1000|2024-03-31|0@77": True,  # done
        "P1-4|signoff|2024-04-02|0": False,  # still awaiting sign-off since that day
        "P1-4|signoff|2024-03-01|0": True,  # an earlier submission
        "P1-5|due1000|2024-07-31|2024-07": True,  # two periods ago
        "P1-5|due1000|2024-08-31|2024-08": False,  # the previous period (sweeps still look at it)
        "P9-9|due1000|2024-08-20|0": False,  # unknown measure, but within the margin
        "P9-9|due1000|2024-01-31|0": True,
        "not-a-key": False,
    }
    for key in keys:
        repo.record_sent(key, key.split("|")[0], "x", at)
    assert repo.prune_sent(TODAY, margin_days=30) == sum(keys.values())
    assert repo.sent_keys() == {k for k, dead in keys.items() if not dead}


def test_pruning_every_month_never_changes_what_a_sweep_sends(repo: Repository) -> None:
    load_seed(repo)
    policy, measures = Policy(), repo.measures()
    everything: set[str] = set()
    day = dt.date(2024, 3, 15)
    while day < dt.date(2025, 6, 1):
        now = dt.datetime.combine(day, dt.time(10), tzinfo=policy.tz)
        pruned = plan(measures, repo.sent_keys(), now, policy)
        assert pruned == plan(measures, frozenset(everything), now, policy), day
        for r in pruned:
            repo.record_sent(r.key, r.measure_id, r.tier, now)
            everything.add(r.key)
        if day.day == 1:
            repo.prune_sent(day)
        day += dt.timedelta(days=1)
    assert len(repo.sent_keys()) < len(everything)  # it did drop something


def test_old_events_move_to_a_yearly_file_once(tmp_path) -> None:
    path = tmp_path / "duban.json"
    repo = Repository.open(str(path))
    for i, at in enumerate(
        [dt.datetime(2022, 5, 1), dt.datetime(2023, 2, 1), dt.datetime(2023, 9, 1), dt.datetime(2024, 8, 1)]
    ):
        repo.append_event(Event(at=at, actor="tg:5", action="note", note=f"n{i}", measure_id="P1-1"))
    now = dt.datetime(2024, 9, 1)
    assert repo.archive_events(now, keep_days=365) == 3
    assert [e.note for e in repo.events()] == ["n3"]
    assert repo.archive_events(now, keep_days=365) == 0
    repo.close()
    lines = (tmp_path / "duban.events-2023.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["note"] for x in lines] == ["n1", "n2"]
    assert (tmp_path / "duban.events-2022.jsonl").exists()


def test_the_newest_event_stays_so_archived_ids_are_never_reused(tmp_path) -> None:
    repo = Repository.open(str(tmp_path / "duban.json"))
    for i in range(3):
        repo.append_event(Event(at=dt.datetime(2020, 1, 1), actor="tg:5", action="note", note=f"n{i}"))
    assert repo.archive_events(dt.datetime(2024, 9, 1)) == 2
    repo.append_event(Event(at=dt.datetime(2020, 1, 2), actor="tg:5", action="note", note="n3"))
    assert repo.archive_events(dt.datetime(2024, 9, 1)) == 1  # n2; n3 stays as the newest
    lines = (tmp_path / "duban.events-2020.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["note"] for x in lines] == ["n0", "n1", "n2"]
    repo.close()


def test_archiving_a_memory_store_needs_a_folder(tmp_path) -> None:
    from ledger.errors import StoreError

    repo = Repository.memory()
    repo.append_event(Event(at=dt.datetime(2020, 1, 1), actor="a", action="note"))
    repo.append_event(Event(at=dt.datetime(2024, 1, 1), actor="a", action="note"))
    with pytest.raises(StoreError):
        repo.archive_events(dt.datetime(2024, 9, 1))
    assert repo.archive_events(dt.datetime(2024, 9, 1), folder=str(tmp_path)) == 1
