"""Deadline parsing: throughput and accuracy of Duban's grammar vs dateparser, same phrases, same run.

Phrases: the parser test table (one row per DEADLINES.md rule, real report phrasing).
Accuracy: a phrase is right when the due date is right (for kinds with a due date) or, for
recurring/ongoing/none phrases, when no due date is claimed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
warnings.filterwarnings("ignore")

from ledger.deadlines import parse_deadline
from tests.test_deadlines import TABLE


def duban(text: str, ref: dt.date) -> dt.date | None:
    return parse_deadline(text, ref).due


def dateparser_due(text: str, ref: dt.date) -> dt.date | None:
    from dateparser.search import search_dates

    base = dt.datetime.combine(ref, dt.time(12))
    try:
        found = search_dates(
            text, languages=["zh", "en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
        )
    except Exception:
        return None
    return found[-1][1].date() if found else None


def accuracy(fn, rows) -> float:  # type: ignore[no-untyped-def]
    ok = 0
    for _, text, ref, kind, expect in rows:
        want = expect if kind in ("date", "period_end", "immediate") else None
        ok += fn(text, ref) == want
    return ok / len(rows)


def throughput(fn, rows, seconds: float) -> float:  # type: ignore[no-untyped-def]
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _, text, ref, *_ in rows:
            fn(text, ref)
        n += len(rows)
    return n / (time.perf_counter() - t0)


def main() -> None:
    rows = [r for r in TABLE if not r[0].startswith("chat-")]  # chat rows are dateparser's own fallback
    dateparser_due("预热", dt.date(2024, 1, 1))  # import and warm up outside the timing
    a_ours, a_dp = accuracy(duban, rows), accuracy(dateparser_due, rows)
    t_ours, t_dp = throughput(duban, rows, 2.0), throughput(dateparser_due, rows, 4.0)
    print(f"deadline phrases: {len(rows)} (one per DEADLINES.md rule, report phrasing)")
    print(f"{'parser':<28} {'phrases/s':>10} {'accuracy':>9}")
    print(f"{'duban grammar':<28} {t_ours:>10.0f} {a_ours:>8.1%}")
    print(f"{'dateparser.search_dates':<28} {t_dp:>10.0f} {a_dp:>8.1%}")
    print(f"throughput ratio: {t_ours / t_dp:.0f}x (target >= 50x)")


if __name__ == "__main__":
    main()
