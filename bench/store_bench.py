"""Store benchmark: one realistic update (a progress note on a measure with history, plus its
audit event) at 10 000 and 50 000 measures, and the time to load the store.

Documents are realistic: each measure carries 2-6 history events, the events table holds
them all, and the sent-log has three keys per measure. Three storages do the same update
in the same run:

- journal: Duban's journaled storage (appends the changed documents, one fsync);
- rewrite: Duban's previous storage (whole file to a temp file, fsync, rename);
- stock:   TinyDB's own JSONStorage (rewrites the file in place, fsync), made not to
           re-read the file on every query (the fair version: stock re-reads everything).

Stock TinyDB has no batches, so its update is two writes (the measure, then the event).
Target: journal update < 10 ms median at 50 000 measures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from bench.figures import Figure, save
from ledger.models import Deadline, Evidence, Measure
from ledger.status import add_note, approve_extension, request_extension, send_back, submit
from store import Repository
from store.journal import COMPACT_BYTES

TEXT = (
    "二是充分发挥区市场主体培育工作调度小组作用，加大市场主体培育力度。推进商事制度改革，大力推动电子营业执照下载率。"
    * 2
)
AT = dt.datetime(2024, 4, 1, 9)


def make(n: int) -> list[Measure]:
    """Measures as an office's ledger has them after a few months: notes, an extension, a send-back."""
    out = []
    for i in range(n):
        m = Measure(
            id=f"P{i // 5 + 1}-{i % 5 + 1}",
            problem=i // 5 + 1,
            text=TEXT,
            unit=f"单位{i % 40}",
            deadline_text="计划2024年一季度开工实施",
            deadline=Deadline("period_end", None),
        )
        m = add_note(m, "已召开专题会议，制定工作方案。", "tg:1001", AT)
        m = add_note(m, "完成招标，施工单位进场。", "tg:1001", AT + dt.timedelta(days=14))
        if i % 5 >= 2:
            m = request_extension(m, dt.date(2024, 12, 31), "资金未到位", "tg:1001", AT + dt.timedelta(days=20))
            m = approve_extension(m, "tg:1", AT + dt.timedelta(days=21))
        if i % 5 == 4:
            m = submit(m, Evidence(note="验收报告", files=("f1",)), "tg:1001", AT + dt.timedelta(days=30))
            m = send_back(m, "tg:1", AT + dt.timedelta(days=31), "缺少照片")
        out.append(m)
    return out


def build(n: int, path: str) -> None:
    repo = Repository.open(path, fsync=False)
    ms = make(n)
    repo.put_measures(ms)
    with repo.batch():
        for m in ms:
            for k, tier in enumerate(("green", "yellow", "red")):
                repo.record_sent(f"{m.id}|{tier}|2024-08-31|{k}", m.id, tier, AT, 1000 + k)
    repo.close()


class CachedJSONStorage(JSONStorage):
    """Stock TinyDB JSONStorage (in-place rewrite + fsync), but reading the file only once."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self._cached = super().read()

    def read(self) -> dict[str, dict[str, Any]] | None:
        return self._cached

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._cached = data
        super().write(data)


def _ids(n: int, k: int) -> list[str]:
    return [f"P{i // 5 + 1}-{i % 5 + 1}" for i in range(0, n, max(1, n // k))][:k]


def time_repo(path: str, n: int, k: int, *, journal: bool) -> list[float]:
    repo = Repository.open(path, journal=journal)
    times = []
    for j, mid in enumerate(_ids(n, k)):
        m = repo.measure(mid)
        t = time.perf_counter()
        repo.put_measure(add_note(m, f"进展 {j}", "tg:1001", AT + dt.timedelta(days=40)))
        times.append(time.perf_counter() - t)
    if journal:
        storage: Any = repo._db.storage
        times.append(-storage._size / k)  # bytes per record (negative marks it)
        t = time.perf_counter()
        storage.compact()
        times.append(-(time.perf_counter() - t))  # one compaction, reported apart
    repo.close()
    return times


def time_stock(path: str, n: int, k: int) -> list[float]:
    db = TinyDB(path, storage=CachedJSONStorage)
    measures, events = db.table("measures"), db.table("events")
    by_id = {doc["id"]: doc.doc_id for doc in measures.all()}
    times = []
    for j, mid in enumerate(_ids(n, k)):
        doc = measures.get(doc_id=by_id[mid])
        assert doc is not None
        ev = {"at": AT.isoformat(), "actor": "tg:1001", "action": "note", "note": f"进展 {j}", "measure": mid}
        new = dict(doc, history=[*doc["history"], ev])
        t = time.perf_counter()
        measures.update(new, doc_ids=[doc.doc_id])
        events.insert(ev)
        times.append(time.perf_counter() - t)
    db.close()
    return times


def load_in_fresh_process(path: str, gc_paused: bool) -> float:
    """Open the store and decode every measure, as `run` and the CLI do at start."""
    code = (
        "import contextlib, sys, time; sys.path.insert(0, sys.argv[1]); import store.repository as r\n"
        "if sys.argv[3] == 'on': r.paused_gc = contextlib.nullcontext; r.gc.freeze = lambda: None\n"
        "t = time.perf_counter(); repo = r.Repository.open(sys.argv[2]); repo.measures()\n"
        "print(time.perf_counter() - t); repo._db.storage._size = 0"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    args = [sys.executable, "-c", code, root, path, "off" if gc_paused else "on"]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return float(out.stdout)


def stats(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return statistics.median(xs), xs[min(len(xs) - 1, int(len(xs) * 0.9))]


def bench(n: int, folder: str) -> dict[str, float]:
    path = os.path.join(folder, f"s{n}.json")
    build(n, path)
    size = os.path.getsize(path)
    for name in ("rewrite", "stock"):
        shutil.copy(path, os.path.join(folder, f"{name}{n}.json"))
    journal = time_repo(path, n, 30, journal=True)
    compact, record = -journal.pop(), -journal.pop()
    every = max(COMPACT_BYTES, size // 4) / record  # updates between two compactions
    rewrite = time_repo(os.path.join(folder, f"rewrite{n}.json"), n, 10, journal=False)
    stock = time_stock(os.path.join(folder, f"stock{n}.json"), n, 10 if n <= 10_000 else 5)
    loads_off = [load_in_fresh_process(path, True) for _ in range(3)]
    loads_on = [load_in_fresh_process(path, False) for _ in range(3)]
    r: dict[str, float] = {"n": n, "mb": size / 1e6, "compact": compact, "amortized": compact / every}
    for name, xs in (("journal", journal), ("rewrite", rewrite), ("stock", stock)):
        r[name], r[name + "_p90"] = stats(xs)
    r["load_gc_paused"], r["load_gc_on"] = statistics.median(loads_off), statistics.median(loads_on)
    return r


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 50_000]
    print("store benchmark: one progress note + its audit event, realistic ledger (history, events, sent-log)")
    head = (
        f"{'measures':>8} {'MB':>6} | {'journal ms':>10} {'p90':>6} | {'rewrite ms':>10} {'p90':>6} | "
        f"{'stock ms':>8} {'p90':>6} | {'j/rewrite':>9} {'j/stock':>7} | {'compact ms':>10} {'per update':>10} | "
        f"{'load s gc off':>13} {'gc on':>6}"
    )
    print(head)
    rows = []
    with tempfile.TemporaryDirectory() as folder, contextlib.suppress(KeyboardInterrupt):
        for n in sizes:
            r = bench(n, folder)
            rows.append(r)
            print(
                f"{r['n']:>8} {r['mb']:>6.1f} | {r['journal'] * 1e3:>10.2f} {r['journal_p90'] * 1e3:>6.2f} | "
                f"{r['rewrite'] * 1e3:>10.1f} {r['rewrite_p90'] * 1e3:>6.1f} | "
                f"{r['stock'] * 1e3:>8.1f} {r['stock_p90'] * 1e3:>6.1f} | "
                f"{r['journal'] / r['rewrite']:>9.4f} {r['journal'] / r['stock']:>7.5f} | "
                f"{r['compact'] * 1e3:>10.0f} {r['amortized'] * 1e3:>10.3f} | "
                f"{r['load_gc_paused']:>13.2f} {r['load_gc_on']:>6.2f}",
                flush=True,
            )
    print("median/p90 of 30 journal updates, 10 rewrite, 10 stock (5 at 50 000); ratios < 1: the journal is faster.")
    print("compact: one compaction (when the journal passes max(16 MiB, snapshot/4), at open and at close);")
    print("per update: its cost spread over the updates between two compactions (not in the journal median).")
    print("load: open + decode every measure in a fresh process, median of 3, GC paused+frozen vs GC on.")
    figures = []
    for r in rows:
        n = f"{r['n']:,}".replace(",", " ")
        ok = r["journal"] < 0.010 if r["n"] == 50_000 else None
        if r["n"] == 50_000:
            print(f"target: update < 10 ms median at 50 000: {r['journal'] * 1e3:.2f} ms {'PASS' if ok else 'FAIL'}")
        figures.append(
            Figure(
                f"update, median, {n} measures", f"{r['journal'] * 1e3:.2f} ms", "< 10 ms" if ok is not None else "", ok
            )
        )
        figures.append(
            Figure(
                f"update vs stock TinyDB, {n} (same run)",
                f"{r['journal'] / r['stock']:.4f}x ({r['stock'] * 1e3:.0f} ms)",
            )
        )
        figures.append(Figure(f"load (open + decode), {n}", f"{r['load_gc_paused']:.2f} s"))
    save("store", figures)


if __name__ == "__main__":
    main()
