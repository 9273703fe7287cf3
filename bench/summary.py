"""One table at the end of `make bench`: every figure a bench left in var/bench/, its target, pass/fail.

Reads whatever JSON files are there (a bench added later only has to call `bench.figures.save`);
a figure without a target is shown for context.
"""

from __future__ import annotations

import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import FOLDER


def rows(folder: str = FOLDER) -> list[tuple[str, str, str, str, str]]:
    """(bench, what, figure, target, verdict) from every bench's last run, benches by name."""
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for fig in doc.get("figures", []):
            ok = fig.get("ok")
            verdict = "" if ok is None else ("pass" if ok else "FAIL")
            out.append(
                (doc.get("bench", os.path.basename(path)), fig["what"], fig["figure"], fig.get("target", ""), verdict)
            )
    return out


def main(folder: str = FOLDER) -> int:
    table = rows(folder)
    if not table:
        print(f"no bench figures in {folder}: run the benches first")
        return 0
    w = [max(len(r[i]) for r in table) for i in range(4)]
    print(f"\n{'bench':{w[0]}}  {'figure':{w[1]}}  {'measured':{w[2]}}  {'target':{w[3]}}  result")
    for bench, what, figure, target, verdict in table:
        print(f"{bench:{w[0]}}  {what:{w[1]}}  {figure:{w[2]}}  {target:{w[3]}}  {verdict}")
    failed = sum(r[4] == "FAIL" for r in table)
    print(f"{sum(r[4] == 'pass' for r in table)} pass, {failed} fail, {sum(not r[4] for r in table)} for context")
    return 0


if __name__ == "__main__":
    sys.exit(main())
