"""Report extraction time: the seed report, and the same report concatenated 50 times.

The 50x input has 1 500 problems and 4 750 measures; growth should be linear. The baseline in the
same run is reading and splitting the text into lines alone.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ledger.extract import _lines, extract_text

SEED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "xuanwu-2024-report.txt")


def timed(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    text = open(SEED, encoding="utf-8").read()
    body = text[text.index("二、整改进展情况及成效") : text.index("三、下一步工作打算")]
    big = text.replace(body, body * 50)
    print("extraction benchmark (best of runs)")
    for label, t, reps in (("seed report", text, 5), ("seed x50", big, 2)):
        d = extract_text(t)
        took = timed(lambda t=t: extract_text(t), reps)
        base = timed(lambda t=t: _lines(t), reps)
        print(
            f"  {label:<12} {len(t) / 1000:7.0f}k chars  {len(d.problems):5} problems {len(d.measures):5} measures  "
            f"{took * 1e3:8.1f} ms  ({took / max(base, 1e-9):.0f}x line splitting)"
        )


if __name__ == "__main__":
    main()
