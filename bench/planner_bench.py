"""Planning one sweep over 10 000 and 100 000 measures, with a sent-log of 5 entries per measure.

Due dates are spread over two years around the sweep day (some long overdue, most ahead), as in
a large ledger. Prints time and peak memory (tracemalloc) of `plan`; the baseline in the same run
is a bare loop that only reads each measure's due date, to show the planner's own cost per measure.

The first sweep at 100 000 is timed five times, interleaved with the planner as it was before the
per-due-date planning (read from git at `OLD`), so the ratio holds on a busy shared machine; both
must plan the same reminders.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from types import ModuleType

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import Figure, save, spread
from ledger.models import Deadline, Measure
from ledger.planner import Directory, Reminder, keys_to_record, plan
from ledger.policy import Policy

P = Policy()
NOW = dt.datetime(2024, 6, 25, 9, 0, tzinfo=P.tz)
OLD = "83d59f3"  # the planner before the per-due-date planning (issue 20, second round)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def old_planner() -> ModuleType | None:
    """`ledger/planner.py` as of `OLD`, loaded beside today's; None without git history."""
    try:
        src = subprocess.run(
            ["git", "show", f"{OLD}:ledger/planner.py"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("bench_old_planner", loader=None)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    exec(compile(src, f"{OLD}:ledger/planner.py", "exec"), mod.__dict__)
    return mod


def timed(f: object, *args: object) -> float:
    t = time.perf_counter()
    f(*args)  # type: ignore[operator]
    return time.perf_counter() - t


def make(n: int) -> tuple[list[Measure], frozenset[str]]:
    rng = random.Random(n)
    ms, sent = [], set()
    for i in range(n):
        due = NOW.date() + dt.timedelta(days=rng.randint(-365, 365))
        kind = rng.random()
        d = Deadline("recurring", None, "monthly") if kind < 0.05 else Deadline("period_end", due)
        mid = f"P{i // 5 + 1}-{i % 5 + 1}"
        ms.append(
            Measure(
                id=mid,
                problem=i // 5 + 1,
                text="措施",
                unit=f"单位{i % 60}",
                deadline=d,
                status="done" if kind > 0.8 else "open",
            )
        )
        for k in range(5):
            sent.add(f"{mid}|green980|{due.isoformat()}|{k}")
    return ms, frozenset(sent)


def five_runs(ms: list[Measure], sent: frozenset[str], directory: Directory, out: list[Reminder]) -> list[Figure]:
    """The first sweep five times, each beside the old planner's; min/median/max and the ratio of minima."""
    old = old_planner()
    news, olds = [], []
    for _ in range(5):
        news.append(timed(plan, ms, sent, NOW, P, directory))
        if old is not None:
            olds.append(timed(old.plan, ms, sent, NOW, P, old.Directory(**vars(directory))))
    print(f"first sweep at 100 000, 5 runs (min/median/max): {spread(news)}")
    took = min(news)
    figures = [Figure("first sweep, 100 000 measures (min of 5)", f"{took:.3f} s", "< 0.5 s", took < 0.5)]
    figures.append(Figure("first sweep, 100 000, min/median/max of 5", spread(news)))
    if old is not None:
        before = old.plan(ms, sent, NOW, P, old.Directory(**vars(directory)))
        same = [tuple(r) for r in before] == [tuple(r) for r in out]
        ratio = min(olds) / took
        print(f"  planner at {OLD}, same runs: {spread(olds)}; ratio of minima {ratio:.2f}x; same plan: {same}")
        figures.append(Figure(f"first sweep, planner at {OLD} (same run)", spread(olds)))
        figures.append(Figure("speed-up over it (ratio of minima)", f"{ratio:.2f}x", "same plan", same))
    return figures


def main() -> None:
    directory = Directory(unit_chats={f"单位{u}": (1000 + u,) for u in range(60)}, admin_chats=(1,))
    print("planner benchmark: one sweep")
    print(
        f"{'measures':>9} {'plan s':>8} {'peak MB':>8} {'reminders':>10} {'baseline s':>11} {'us/measure':>11}"
        f" {'next sweep s':>13}"
    )
    figures: list[Figure] = []
    for n in (10_000, 100_000):
        ms, sent = make(n)
        plan(ms[:100], sent, NOW, P, directory)  # warm caches (working-day calendar)
        t = time.perf_counter()
        _ = [m.due for m in ms]
        base = time.perf_counter() - t
        tracemalloc.start()
        t = time.perf_counter()
        out = plan(ms, sent, NOW, P, directory)
        took = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        t = time.perf_counter()
        plan(ms, sent, NOW, P, directory)
        took = min(took, time.perf_counter() - t)  # without tracemalloc's overhead
        # The daily case: yesterday's reminders are in the sent-log.
        recorded = frozenset(sent | {k for r in out for k in keys_to_record(r, r.recipients)})
        t = time.perf_counter()
        again = plan(ms, recorded, NOW, P, directory)
        steady = time.perf_counter() - t
        print(
            f"{n:>9} {took:>8.3f} {peak:>8.1f} {len(out):>10} {base:>11.4f} {took / n * 1e6:>11.1f}"
            f" {steady:>13.3f}  ({len(again)} new)"
        )
        if n == 100_000:
            figures += five_runs(ms, sent, directory, out)
            figures.append(Figure("in-function peak (tracemalloc), 100 000", f"{peak:.1f} MB"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"whole-process peak RSS (ledger, sent-log and plans held): {rss:.0f} MB")
    figures.append(Figure("whole-process peak RSS, planner bench", f"{rss:.0f} MB", "< 300 MB", rss < 300))
    save("planner", figures)
    print("first sweep: nothing sent yet, half the ledger overdue (the catch-up worst case);")
    print("next sweep: the same moment with the first sweep's reminders recorded (the daily case).")
    print("target: 100 000 measures under 0.5 s and 300 MB, growing linearly")


if __name__ == "__main__":
    main()
