"""Deadline reading: Duban's grammar against dateparser (Chinese only), on the same phrases, in one run.

Prints three figures:
- throughput on the parser table (tests/test_deadlines.py) and the recall table
  (tests/test_deadline_recall.py), Duban vs `dateparser.search.search_dates(languages=["zh"])`;
- accuracy per class of the recall table, and on the precision table (must read none):
  right means kind, due date and recurrence all right for Duban; dateparser has no kinds,
  so it is right when its due date is (none where no due date is expected);
- linearity: µs per character of `find_deadlines` on reports from 1k to 100k characters.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
warnings.filterwarnings("ignore")

from bench.figures import Figure, save
from ledger.deadlines import find_deadlines, parse_deadline
from tests.test_deadline_recall import PRECISION, RECALL, REF
from tests.test_deadlines import TABLE

# (text, ref, kind, due or recurrence)
Row = tuple[str, dt.date, str, object]
Reader = Callable[[str, dt.date], tuple[str, object]]


def duban(text: str, ref: dt.date) -> tuple[str, object]:
    d = parse_deadline(text, ref)
    return d.kind, d.recur if d.kind == "recurring" else d.due


def dateparser_zh(text: str, ref: dt.date) -> tuple[str, object]:
    from dateparser.search import search_dates

    base = dt.datetime.combine(ref, dt.time(12))
    try:
        found = search_dates(text, languages=["zh"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"})
    except Exception:
        found = None
    return ("date", found[-1][1].date()) if found else ("none", None)


def right(reader: Reader, row: Row, kinds: bool) -> bool:
    text, ref, kind, expect = row
    got_kind, got = reader(text, ref)
    if kinds:
        return (got_kind, got) == (kind, expect)
    has_due = kind in ("date", "period_end", "immediate")
    return got == (expect if has_due else None) if has_due or got_kind != "recurring" else got is None


def classes() -> dict[str, list[Row]]:
    out = {cls: [(t, ref or REF, k, e) for _, t, k, e, ref in rows] for cls, rows in RECALL.items()}
    out["precision (none)"] = [(t, REF, "none", None) for _, t in PRECISION]
    return out


def throughput(reader: Reader, rows: Sequence[Row], seconds: float) -> float:
    """Phrases a second in the fastest pass over `rows`: other load on the machine only slows a pass."""
    best, t_end = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < t_end or best == float("inf"):
        t0 = time.perf_counter()
        for text, ref, *_ in rows:
            reader(text, ref)
        best = min(best, time.perf_counter() - t0)
    return len(rows) / best


def linearity() -> list[tuple[int, float]]:
    clause = "截至5月20日，已完成排查12处；各单位于6月底前完成整改，每月报送进展。"
    out = []
    for size in (1_000, 10_000, 100_000):
        text = (clause * (size // len(clause) + 1))[:size]
        best = float("inf")
        for _ in range(3):  # the fastest of three readings
            t0 = time.perf_counter()
            find_deadlines(text, REF)
            best = min(best, time.perf_counter() - t0)
        out.append((size, best / size * 1e6))
    return out


def main() -> None:
    table = [(t, ref, k, e) for rid, t, ref, k, e in TABLE if not rid.startswith("chat-")]
    by_class = classes()
    every = table + [row for rows in by_class.values() for row in rows]
    dateparser_zh("预热", REF)  # import and warm up outside the timing

    print("accuracy per class (kind, due and recurrence all right; dateparser: due only, languages=['zh'])")
    print(f"{'class':<22} {'rows':>5} {'duban':>7} {'dateparser':>11}")
    total = 0
    figures: list[Figure] = []
    for cls, rows in by_class.items():
        ours = sum(right(duban, r, True) for r in rows)
        theirs = sum(right(dateparser_zh, r, False) for r in rows)
        total += ours
        print(f"{cls:<22} {len(rows):>5} {ours / len(rows):>7.1%} {theirs / len(rows):>11.1%}")
    n = sum(len(rows) for rows in by_class.values())
    print(f"{'all classes':<22} {n:>5} {total / n:>7.1%}")
    figures.append(Figure(f"accuracy, recall+precision tables ({n})", f"{total / n:.1%}"))
    ours = sum(right(duban, r, True) for r in table)
    print(f"{'parser table':<22} {len(table):>5} {ours / len(table):>7.1%}")
    figures.append(Figure(f"accuracy, parser table ({len(table)})", f"{ours / len(table):.1%}"))

    print()
    speed: list[Figure] = []
    for name, rows in (("parser table", table), ("all tables", every)):
        t_ours, t_dp = throughput(duban, rows, 2.0), throughput(dateparser_zh, rows, 4.0)
        print(f"throughput on the {name} ({len(rows)} phrases), fastest pass: ", end="")
        print(f"duban {t_ours:,.0f}/s, dateparser {t_dp:,.0f}/s, ratio {t_ours / t_dp:.0f}x (target >= 50x)")
        ratio = t_ours / t_dp
        speed.append(
            Figure(
                f"phrases/s vs dateparser zh, {name} (same run)",
                f"{ratio:.1f}x ({t_ours:,.0f} vs {t_dp:,.0f}/s)",
                ">= 50x",
                ratio >= 50,
            ),
        )

    print("\nlinearity of find_deadlines (µs per character)")
    lin = linearity()
    for size, us in lin:
        print(f"{size:>8,} chars  {us:6.2f} µs/char")
    growth = lin[-1][1] / lin[0][1]
    per = ", ".join(f"{us:.2f}" for _, us in lin)
    figures.append(Figure("find_deadlines µs/char at 1k/10k/100k", f"{per} (100k/1k {growth:.2f})"))
    save("deadline", speed + figures)


if __name__ == "__main__":
    main()
