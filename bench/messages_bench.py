"""Messages per sweep per chat over four weeks of daily sweeps: before and after issue 12.

Before: the old rule, one message per reminder per recipient chat (each period of a recurring
duty its own message, every office copy its own message). After: one message per measure per
chat, a bundle above `bundle_above`, one office bundle per sweep, plus the new progress requests
(定期调度) for undated measures, which before got no message at all. Both are computed in the same
run from the same plans, so "nothing lost" is checked: every (measure, chat) notice of the old
rule is inside some message of the new one. On the shipped ledger and a 10 000-measure ledger,
two thirds of the units bound (one chat each), the rest unbound, one admin chat.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import Figure, save
from bench.planner_bench import make
from ledger.bundles import by_chat
from ledger.models import Measure
from ledger.planner import Directory, keys_to_record, plan
from ledger.policy import Policy
from ledger.progress_requests import late_progress, plan_progress

P = Policy()
OFFICE = 1


def directory_for(ms: list[Measure]) -> Directory:
    units = sorted({m.unit for m in ms})
    bound = {u: (1000 + i,) for i, u in enumerate(units) if i % 3}  # every third unit unbound
    return Directory(unit_chats=bound, admin_chats=(OFFICE,))


def simulate(ms: list[Measure], start: dt.datetime, days: int = 28) -> dict[str, float]:
    d = directory_for(ms)
    sent: set[str] = set()
    before: list[int] = []  # messages per chat per sweep (chats that got any)
    after: list[int] = []
    office_before: list[int] = []
    office_after: list[int] = []
    lost = 0
    sweeps = 0
    progress_msgs = 0
    for i in range(days):
        now = start + dt.timedelta(days=i)
        reminders = plan(ms, frozenset(sent), now, P, d)
        requests = plan_progress(ms, frozenset(sent), now, P, d)
        late_key, late_units = late_progress(ms, frozenset(sent), now, P)
        if not reminders and not requests:
            continue
        sweeps += 1
        old: Counter[int] = Counter()
        old_items: set[tuple[str, int]] = set()
        for r in reminders:
            for c in r.recipients:
                old[c] += 1 + sum(c in x.recipients for x in r.also)  # each period its own message
                old_items.add((r.measure_id, c))
        split = by_chat(reminders, d)
        new: Counter[int] = Counter()
        new_items: set[tuple[str, int]] = set()
        for c, items in split.chats.items():
            new[c] += 1 if len(items) > P.bundle_above else len(items)
            new_items |= {(r.measure_id, c) for r in items}
        for c, items in split.office.items():
            new[c] += 1
            new_items |= {(r.measure_id, c) for r in items}
        if late_key and f"{late_key}@{OFFICE}" not in sent and late_units:
            new[OFFICE] = 1
            sent.add(f"{late_key}@{OFFICE}")
        for q in requests:
            for c in q.recipients:
                new[c] += 1
                progress_msgs += 1
                sent.add(q.chat_key(c))
        lost += len(old_items - new_items)
        before += [n for c, n in old.items() if c != OFFICE]
        after += [n for c, n in new.items() if c != OFFICE]
        office_before.append(old[OFFICE])
        office_after.append(new[OFFICE])
        for r in reminders:
            sent.update(keys_to_record(r, r.recipients))
    return {
        "sweeps": sweeps,
        "unit_mean_before": statistics.fmean(before or [0]),
        "unit_mean_after": statistics.fmean(after or [0]),
        "unit_max_before": max(before or [0]),
        "unit_max_after": max(after or [0]),
        "office_max_before": max(office_before or [0]),
        "office_max_after": max(office_after or [0]),
        "total_before": sum(before) + sum(office_before),
        "total_after": sum(after) + sum(office_after),
        "progress": progress_msgs,
        "lost": lost,
    }


def shipped() -> list[Measure]:
    from ledger.service import import_file
    from store import Repository

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    repo = Repository.memory()
    import_file(repo, os.path.join(here, "data", "xuanwu-2024.toml"), dt.datetime(2024, 3, 15, tzinfo=P.tz), "bench")
    return repo.measures()


def large() -> list[Measure]:
    """The planner bench's 10 000 measures, one in eight without a date (as in real ledgers)."""
    from dataclasses import replace

    from ledger.models import Deadline

    return [replace(m, deadline=Deadline("none")) if i % 8 == 0 else m for i, m in enumerate(make(10_000)[0])]


def main() -> None:
    rows = [
        ("shipped ledger (95)", shipped(), dt.datetime(2024, 12, 2, 9, 0, tzinfo=P.tz)),
        ("10 000 measures", large(), dt.datetime(2024, 6, 24, 9, 0, tzinfo=P.tz)),
    ]
    print("messages per sweep per chat, four weeks of daily sweeps (before → after)")
    head = ("ledger", "sweeps", "unit mean", "unit max", "office max", "reminder msgs", "+progress", "lost")
    print("{:<20} {:>6} {:>14} {:>12} {:>12} {:>15} {:>9} {:>5}".format(*head))
    figures: list[Figure] = []
    for name, ms, start in rows:
        r = simulate(ms, start)
        print(
            f"{name:<20} {r['sweeps']:>6} {r['unit_mean_before']:>6.2f} → {r['unit_mean_after']:<5.2f}"
            f" {r['unit_max_before']:>5} → {r['unit_max_after']:<4}"
            f" {r['office_max_before']:>5} → {r['office_max_after']:<4}"
            f" {r['total_before']:>6} → {r['total_after'] - r['progress']:<6} {r['progress']:>9} {r['lost']:>5}"
        )
        mean = f"{r['unit_mean_before']:.2f} → {r['unit_mean_after']:.2f}"
        before_after = f"{mean} (max {r['unit_max_before']} → {r['unit_max_after']})"
        figures.append(Figure(f"msgs per unit chat per sweep, {name}", before_after))
        figures.append(
            Figure(f"office msgs per sweep (max), {name}", f"{r['office_max_before']} → {r['office_max_after']}")
        )
        figures.append(Figure(f"notices lost, {name}", str(r["lost"]), "0", r["lost"] == 0))
    save("messages", figures)
    print("unit: messages to one unit chat in one sweep; office: to the admin chat (before: one per copy);")
    print("after includes the progress requests, which chase undated measures that before got nothing;")
    print("lost: (measure, chat) notices of the old rule missing from the new messages (must be 0).")


if __name__ == "__main__":
    main()
