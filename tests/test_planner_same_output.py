"""The planner's speed-ups change nothing it plans: four weeks of sweeps over a realistic ledger.

The ledger mixes what an office has after a few months: dated measures from a year late to a year
ahead, weekly/monthly/quarterly duties, approved extensions, measures awaiting sign-off, done
ones, lead officials, a unit nobody is bound to, and a sent-log that grows as the sweeps record
what Telegram accepted. Every sweep's output is folded into one digest, taken from the planner
before the per-sweep caches, the keys built once and the paused GC (issue 20).

If you change the reminder policy on purpose, the digest changes with it: check the new plan is
what you meant, then run this file with `DUBAN_PRINT_DIGEST=1` and paste the printed digest.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import random
from zoneinfo import ZoneInfo

from ledger import status as st
from ledger.models import Deadline, Evidence, Measure
from ledger.planner import Directory, keys_to_record, plan
from ledger.policy import Policy

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2024, 9, 2, 9, 0, tzinfo=TZ)
UNITS = [f"单位{u}" for u in range(12)]
DIR = Directory(
    unit_chats={u: (100 + i,) if i % 4 else (100 + i, 500 + i) for i, u in enumerate(UNITS[:-1])},  # 单位11 unbound
    leader_chats={"张副区长": (301,), "李副区长": ("wecom:7",)},
    admin_chats=(900, 901),
)
# With the held-back overdue repeats of issue 19 (the speed-ups alone left it unchanged).
DIGEST = "7423b902e87eb416767eb2fb7267a529b73ee1e77b7595550dc74b407b00519c"


def ledger(n: int = 1000) -> list[Measure]:
    rng = random.Random(20)
    at = START - dt.timedelta(days=60)
    out = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.08:
            d = Deadline("recurring", None, rng.choice(["weekly", "monthly", "quarterly"]))
        else:
            d = Deadline("period_end", START.date() + dt.timedelta(days=rng.randint(-370, 370)))
        m = Measure(
            id=f"P{i // 4 + 1}-{i % 4 + 1}",
            problem=i // 4 + 1,
            text="措施",
            unit=UNITS[i % len(UNITS)],
            leader=rng.choice(["", "张副区长", "李副区长"]),
            deadline=d,
        )
        kind = rng.random()
        if kind < 0.06 and d.due:
            m = st.request_extension(m, d.due + dt.timedelta(days=40), "资金", "tg:1", at)
            m = st.approve_extension(m, "tg:9", at)
        elif kind < 0.12:
            m = st.submit(m, Evidence(note="报告"), "tg:1", at + dt.timedelta(days=rng.randint(0, 70)))
        elif kind < 0.2:
            m = st.approve_signoff(st.submit(m, Evidence(note="报告"), "tg:1", at), "tg:9", at)
        out.append(m)
    return out


def month_of_sweeps(policy: Policy) -> list[str]:
    """Twenty days of 09:00 sweeps (and one at 08:00, before send_at), recording all but every 7th chat."""
    ms, sent, lines = ledger(), set[str](), list[str]()
    for day in range(20):
        for now in (START + dt.timedelta(days=day), START + dt.timedelta(days=day, hours=-1)):
            for r in plan(ms, frozenset(sent), now, policy, DIR, ledger_start=dt.date(2024, 1, 1)):
                lines.append(f"{now.isoformat()} {r!r}")
                ok = [c for k, c in enumerate(r.recipients) if (day + k + len(lines)) % 7]
                sent.update(keys_to_record(r, ok))
    return lines


def digest() -> str:
    h = hashlib.sha256()
    for policy in (Policy(), Policy(workdays_only=False, overdue_every_days=2, escalate_after_days=4)):
        for line in month_of_sweeps(policy):
            h.update(line.encode())
    return h.hexdigest()


def test_four_weeks_of_sweeps_plan_exactly_what_the_planner_planned_before_the_speed_ups() -> None:
    got = digest()
    if os.environ.get("DUBAN_PRINT_DIGEST"):
        print(got)
    assert got == DIGEST


def test_planning_leaves_the_garbage_collector_as_it_found_it() -> None:
    ms = ledger(50)
    assert gc.isenabled()
    plan(ms, frozenset(), START, Policy(), DIR)
    assert gc.isenabled()
    gc.disable()
    try:
        plan(ms, frozenset(), START, Policy(), DIR)
        assert not gc.isenabled()
    finally:
        gc.enable()
