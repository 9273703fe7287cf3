"""Report extraction time: the seed report, and its body repeated up to 100 times.

The x100 input has 3 000 problems and 9 500 measures; growth should be linear, so microseconds
per character should stay flat. The baseline in the same run is splitting the text into
paragraphs alone.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import Figure, save
from ledger.extract import extract_text
from ledger.extract_blocks import lines

SEED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "xuanwu-2024-report.txt")


ROUNDS = 3


def main() -> None:
    with open(SEED, encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("二、整改进展情况及成效") : text.index("三、下一步工作打算")]
    print(f"extraction benchmark (best of {ROUNDS} rounds, every size timed once a round)")
    sizes = (1, 10, 50, 100)
    inputs = {times: text.replace(body, body * times) for times in sizes}
    done = {times: extract_text(t) for times, t in inputs.items()}  # also warms up
    # Every size gets the same number of runs, interleaved: with one run of x100 against the best of
    # five of x1, a burst of load from other processes during the long run counted as growth.
    took = dict.fromkeys(sizes, float("inf"))
    base = dict.fromkeys(sizes, float("inf"))
    for _ in range(ROUNDS):
        for times, t in inputs.items():
            t0 = time.perf_counter()
            extract_text(t)
            took[times] = min(took[times], time.perf_counter() - t0)
            t0 = time.perf_counter()
            lines(t)
            base[times] = min(base[times], time.perf_counter() - t0)
    per_char: list[tuple[int, float]] = []
    figures: list[Figure] = []
    for times, t in inputs.items():
        d, sec = done[times], took[times]
        print(
            f"  seed x{times:<4} {len(t) / 1000:7.0f}k chars  {len(d.problems):5} problems {len(d.measures):5} measures"
            f"  {sec * 1e3:8.1f} ms  {sec * 1e6 / len(t):6.2f} µs/char"
            f"  ({sec / max(base[times], 1e-9):.0f}x line splitting)"
        )
        per_char.append((times, sec * 1e6 / len(t)))
        figures.append(
            Figure(
                f"seed x{times} ({len(t) / 1000:.0f}k chars, {len(d.measures)} measures)",
                f"{sec * 1e6 / len(t):.2f} µs/char, {sec:.2f} s",
            )
        )
    growth = per_char[-1][1] / per_char[0][1]
    linear = growth < 1.3
    verdict = "linear" if linear else "not linear"
    print(f"  largest/smallest µs per character: {growth:.2f} ({verdict}: linear means < 1.3)")
    figures.insert(
        0, Figure("µs/char, largest/smallest (linear if < 1.3)", f"{growth:.2f} ({verdict})", "linear (< 1.3)", linear)
    )
    save("extract", figures)


if __name__ == "__main__":
    main()
