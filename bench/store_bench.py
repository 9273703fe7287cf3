"""Store benchmark: load, query and single-measure update at 150, 10 000 and 50 000 measures.

Prints figures; the baseline in the same run is TinyDB's own JSONStorage doing the same update
(ratio < 1 means Duban's crash-safe store is faster than stock TinyDB, which re-reads the file).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dataclasses import replace

from tinydb import TinyDB

from ledger.models import Deadline, Measure
from store import Repository
from store.codec import measure_to_doc

TEXT = (
    "二是充分发挥区市场主体培育工作调度小组作用，加大市场主体培育力度。推进商事制度改革，大力推动电子营业执照下载率。"
    * 2
)


def make(n: int) -> list[Measure]:
    return [
        Measure(
            id=f"P{i // 5 + 1}-{i % 5 + 1}",
            problem=i // 5 + 1,
            text=TEXT,
            unit=f"单位{i % 40}",
            deadline_text="计划2024年一季度开工实施",
            deadline=Deadline("period_end", None),
        )
        for i in range(n)
    ]


def bench(n: int, folder: str) -> dict[str, float]:
    path = os.path.join(folder, f"s{n}.json")
    repo = Repository.open(path)
    repo.put_measures(make(n))
    repo.close()
    size = os.path.getsize(path)
    t = time.perf_counter()
    repo = Repository.open(path)
    ms = repo.measures()
    load = time.perf_counter() - t
    t = time.perf_counter()
    mine = [m for m in ms if m.unit == "单位7"]
    query = time.perf_counter() - t
    assert mine
    times = []
    ids = [m.id for m in ms[:: max(1, n // 20)]][:20]
    for mid in ids:
        m = repo.measure(mid)
        t = time.perf_counter()
        repo.put_measure(replace(m, note="已完成招标"))
        times.append(time.perf_counter() - t)
    repo.close()
    # Baseline: stock TinyDB JSONStorage, same documents, same update.
    base_path = os.path.join(folder, f"b{n}.json")
    db = TinyDB(base_path)
    db.table("measures").insert_multiple(measure_to_doc(m) for m in make(n))
    base = []
    for k in range(5):
        t = time.perf_counter()
        db.table("measures").update({"note": f"x{k}"}, doc_ids=[k + 1])
        base.append(time.perf_counter() - t)
    db.close()
    return {
        "n": n,
        "mb": size / 1e6,
        "load": load,
        "query": query,
        "update": statistics.median(times),
        "update_p90": sorted(times)[int(len(times) * 0.9) - 1],
        "tinydb": statistics.median(base),
    }


def main() -> None:
    print("store benchmark (crash-safe: temp file + fsync + rename per write)")
    print(
        f"{'measures':>9} {'file MB':>8} {'load s':>8} {'query ms':>9} {'update ms':>10} {'p90 ms':>8} "
        f"{'tinydb ms':>10} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for n in (150, 10_000, 50_000):
            r = bench(n, folder)
            print(
                f"{r['n']:>9} {r['mb']:>8.2f} {r['load']:>8.3f} {r['query'] * 1e3:>9.2f} "
                f"{r['update'] * 1e3:>10.2f} {r['update_p90'] * 1e3:>8.2f} {r['tinydb'] * 1e3:>10.2f} "
                f"{r['update'] / r['tinydb']:>6.2f}"
            )
    print("update = one status/note change of one measure, median of 20; it rewrites the whole file,")
    print("so it grows linearly with the ledger. Target: < 50 ms median at 10 000 measures.")


if __name__ == "__main__":
    main()
