"""Where each bench leaves its figures for `bench/summary.py`: one JSON file per bench in var/bench/.

A figure is what was measured, its target as the issue set it, and whether it met it; `ok` is
None for a figure shown for context (a baseline, a ratio with no target).
"""

from __future__ import annotations

import json
import os
import platform
import time
from typing import Any, NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "var", "bench")


class Figure(NamedTuple):
    what: str
    figure: str
    target: str = ""
    ok: bool | None = None


def spread(xs: list[float], scale: float = 1.0, unit: str = "s", digits: int = 3) -> str:
    """min/median/max of runs, as the house reports noisy figures."""
    ys = sorted(x * scale for x in xs)
    mid = ys[len(ys) // 2] if len(ys) % 2 else (ys[len(ys) // 2 - 1] + ys[len(ys) // 2]) / 2
    return f"{ys[0]:.{digits}f}/{mid:.{digits}f}/{ys[-1]:.{digits}f} {unit}"


def save(bench: str, figures: list[Figure], folder: str = FOLDER, **extra: Any) -> str:
    """Write `var/bench/<bench>.json` (replacing the last run's) and return its path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{bench}.json")
    doc = {
        "bench": bench,
        "at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime()),
        "machine": f"{platform.node()} {os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f}",
        "figures": [f._asdict() for f in figures],
        **extra,
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    return path
