"""More offices' layouts, each written in our own words and counted by hand: problems and measures
found, and for a few measures the unit (with where it came from), the deadline and the status."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from ledger.extract import Draft, extract_text
from ledger.report_text import read_report
from tests.conftest import ROOT

REPORTS = os.path.join(ROOT, "tests", "fixtures", "reports")
D = dt.date


def extract(name: str) -> Draft:
    path = os.path.join(REPORTS, name)
    return extract_text(read_report(path), name, default_ref=D(2024, 1, 1))


# name: (measures per problem, ids of done measures, {id: (unit, unit_source, due)})
LAYOUTS = {
    "11_city_bureau_circled_label_lines.txt": (
        [2, 3, 2, 2],
        {"P1-1", "P2-1", "P2-3", "P3-2", "P4-1", "P4-2"},
        {
            "P1-1": ("市容环境卫生管理处", "text", D(2024, 8, 31)),
            "P2-2": ("市城市管理综合执法支队", "text", D(2024, 12, 31)),
        }
        | {"P3-1": ("局办公室", "text", D(2024, 12, 31)), "P4-2": ("计划财务处", "text", D(2024, 10, 31))},
    ),
    "12_county_audit_table_tabs.txt": (
        [1, 1, 1, 1, 1],
        {"P1-1", "P3-1", "P5-1"},
        {"P1-1": ("县财政局", "text", D(2024, 6, 30)), "P2-1": ("县财政局", "text", D(2025, 3, 31))}
        | {"P4-1": ("县医疗保障局", "text", D(2024, 12, 31))},
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS), ids=lambda n: n[:2])
def test_layout_extracts_its_hand_counted_ledger(name: str) -> None:
    per_problem, done, spots = LAYOUTS[name]
    draft = extract(name)
    assert [sum(1 for m in draft.measures if m.problem == p) for p, _, _ in draft.problems] == per_problem
    assert {m.id for m in draft.measures if m.status == "done"} == done
    got = {m.id: (m.unit, m.unit_source, m.deadline.due) for m in draft.measures}
    assert {k: got[k] for k in spots} == spots


def test_labels_under_each_circled_item_belong_to_that_item() -> None:
    m = {x.id: x for x in extract("11_city_bureau_circled_label_lines.txt").measures}
    assert (m["P2-2"].co_units, m["P2-2"].note) == (["各区城市管理局"], "整改进展：正在推进")
    assert m["P1-2"].deadline.kind == "ongoing" and m["P1-2"].status == "open"


def test_audit_table_pasted_as_text_keeps_the_progress_as_a_note() -> None:
    draft = extract("12_county_audit_table_tabs.txt")
    m = {x.id: x for x in draft.measures}
    assert m["P4-1"].note.startswith("整改进展：部分整改")
    assert [s for _, _, s in draft.problems] == ["县级预算执行和决算草案审计方面"] * 2 + ["重点专项资金审计方面"] * 3
    assert draft.figures["problems_total"] == 5
