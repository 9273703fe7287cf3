"""Export benchmark: XLSX and CSV of 1 000, 10 000 and 50 000 measures, and how the time grows.

Linear means the time per measure stays flat as the ledger grows (the old writer, addressing
cells by index, took 37 s for 5 000 measures). Target: 10 000 measures to XLSX in under 5 s.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import Figure, save
from ledger.ledgerwrite import TIER_LABELS, export_rows, write_csv, write_xlsx
from ledger.models import Deadline, Measure, Problem

TEXT = (
    "二是充分发挥区市场主体培育工作调度小组作用，加大市场主体培育力度。推进商事制度改革，大力推动电子营业执照下载率。"
)
TIERS = ("green", "yellow", "red", "done")


def make(n: int) -> tuple[list[Problem], list[Measure]]:
    problems = [Problem(id=p, title=f"问题{p}", section="（一）") for p in range(1, n // 5 + 2)]
    measures = [
        Measure(
            id=f"ZG-{i:05d}",
            problem=i // 5 + 1,
            text=TEXT,
            unit=f"区单位{i % 40}局",
            deadline_text="2024年6月底前",
            deadline=Deadline("period_end", dt.date(2024, 6, 30)),
            extra=(("整改进展", "已完成招标"), ("佐证材料", "会议纪要")),
        )
        for i in range(n)
    ]
    return problems, measures


def run(n: int) -> tuple[float, float]:
    problems, measures = make(n)
    tiers = {m.id: TIERS[i % 4] for i, m in enumerate(measures)}
    t0 = time.perf_counter()
    rows = export_rows(problems, measures, {k: TIER_LABELS[v] for k, v in tiers.items()})
    overdue = [rows[0]] + [r for r, m in zip(rows[1:], measures) if tiers[m.id] == "red"]
    write_xlsx(rows, [tiers[m.id] for m in measures], overdue)
    t1 = time.perf_counter()
    write_csv(rows)
    return t1 - t0, time.perf_counter() - t1


def main() -> None:
    sizes = [int(x) for x in sys.argv[1:]] or [1_000, 10_000, 50_000]
    base = None
    figures: list[Figure] = []
    print(f"{'measures':>9} {'xlsx s':>8} {'ms/1000':>8} {'growth':>7} {'csv s':>7}")
    for n in sizes:
        xlsx, csv_s = run(n)
        per = xlsx / n * 1000
        base = base or per
        print(f"{n:>9} {xlsx:>8.2f} {per * 1000:>8.0f} {per / base:>6.2f}x {csv_s:>7.2f}")
        label = f"{n:,}".replace(",", " ")
        target = "< 5 s" if n == 10_000 else ""
        ok = xlsx < 5 if n == 10_000 else None
        figures.append(
            Figure(f"XLSX, {label} measures", f"{xlsx:.2f} s (growth/measure {per / base:.2f}x)", target, ok)
        )
        figures.append(Figure(f"CSV, {label} measures", f"{csv_s:.2f} s"))
    save("export", figures)


if __name__ == "__main__":
    main()
