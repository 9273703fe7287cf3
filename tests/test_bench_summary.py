"""`make bench` ends with one table read from whatever figures the benches left."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.figures import Figure, save
from bench.summary import main


def test_the_summary_lists_every_bench_figure_with_its_target_and_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save("planner", [Figure("first sweep, 100 000", "0.41/0.43/0.47 s", "< 0.5 s", True)], folder=str(tmp_path))
    save("channels", [Figure("robots a minute", "19", "", None), Figure("429s", "3", "0", False)], folder=str(tmp_path))
    main(str(tmp_path))
    out = capsys.readouterr().out
    assert "first sweep, 100 000" in out and "pass" in out and "FAIL" in out
    assert "1 pass, 1 fail, 1 for context" in out


def test_every_bench_in_make_bench_saves_its_figures_for_the_summary() -> None:
    root = Path(__file__).resolve().parent.parent
    make = (root / "Makefile").read_text(encoding="utf-8")
    target = make[make.index("\nbench:") : make.index("bench.summary")]
    for bench in sorted((root / "bench").glob("*_bench.py")):
        assert f"bench.{bench.stem}" in target, f"{bench.name} is not run by `make bench`"
        assert "save(" in bench.read_text(encoding="utf-8"), f"{bench.name} leaves no figures for the summary"
