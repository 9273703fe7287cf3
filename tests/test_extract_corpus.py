"""Reports of other bodies, in other layouts: each fixture's problem and measure counts, statuses
and the units its text names were counted by hand from the text."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from ledger.extract import Draft, draft_json, extract_text
from tests.conftest import ROOT

REPORTS = os.path.join(ROOT, "tests", "fixtures", "reports")


def extract(name: str) -> Draft:
    with open(os.path.join(REPORTS, name), encoding="utf-8") as f:
        return extract_text(f.read(), name, default_ref=dt.date(2024, 1, 1))


# name: (measures per problem, ids of done measures, {id: (unit, unit_source)})
CORPUS = {
    "01_district_bureau_flat_labels.txt": (
        [2, 3, 3, 1],
        {"P1-1", "P1-2", "P2-1", "P2-2", "P2-3"},
        {"P3-1": ("区就业管理中心", "text"), "P4-1": ("区社保中心", "text")},
    ),
    "02_county_towns_sections.txt": (
        [1, 1, 1, 2, 1],
        {"P1-1", "P3-1", "P4-1", "P4-2"},
        {"P1-1": ("青石镇", "section"), "P2-1": ("青石镇", "section"), "P3-1": ("白沙乡", "section")}
        | {"P4-2": ("白沙乡", "section"), "P5-1": ("东湖街道", "section")},
    ),
    "03_township_wenti_arabic.txt": ([2, 3, 1], {"P1-1", "P1-2", "P3-1"}, {"P2-1": ("镇农经站", "text")}),
    "04_university_colleges.txt": (
        [1, 2, 1, 2],
        {"P1-1", "P3-1"},
        {"P1-1": ("机械工程学院", "section"), "P2-2": ("机械工程学院", "section")}
        | {"P3-1": ("外国语学院", "section"), "P4-1": ("图书馆", "section")},
    ),
    "05_enterprise_three_levels.txt": ([2, 2, 1, 2], set(), {"P2-2": ("科技创新部", "text")}),
    "06_central_feedback_ministry.txt": ([3, 2, 2, 1], set(), {"P2-1": ("规划司", "text")}),
    "07_district_housing_truncated.txt": ([2, 2, 2], {"P1-2"}, {"P2-1": ("局建筑市场监管科", "text")}),
    "08_county_bureau_paren_problems.txt": ([2, 2, 1], {"P1-1", "P3-1"}, {"P1-2": ("局规划建设股", "text")}),
    "09_district_departments_inline.txt": (
        [1, 2, 1, 1],
        {"P1-1"},
        {"P1-1": ("区教育局", "section"), "P2-2": ("区教育局", "section")}
        | {"P3-1": ("区卫健委", "section"), "P4-1": ("区城市管理局", "section")},
    ),
    "10_county_annex_ledger_labels.txt": (
        [2, 1, 1],
        {"P1-1", "P3-1"},
        {"P1-1": ("县自然资源局耕地保护股", "text"), "P1-2": ("县自然资源局", "text")}
        | {"P2-1": ("县不动产登记中心", "text"), "P3-1": ("县自然资源局执法大队", "text")},
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS), ids=lambda n: n[:2])
def test_report_of_another_body_extracts_its_hand_counted_ledger(name: str) -> None:
    per_problem, done, units = CORPUS[name]
    draft = extract(name)
    assert [sum(1 for m in draft.measures if m.problem == p) for p, _, _ in draft.problems] == per_problem
    assert {m.id for m in draft.measures if m.status == "done"} == done
    got = {m.id: (m.unit, m.unit_source) for m in draft.measures}
    assert {k: got[k] for k in units} == units
    assert all("unit_from_section" in m.flags for m in draft.measures if m.unit_source == "section")


def test_flat_problems_take_status_from_the_completion_label_and_keep_it_as_a_note() -> None:
    m = {x.id: x for x in extract("01_district_bureau_flat_labels.txt").measures}
    assert (m["P3-2"].status, m["P3-2"].note, m["P3-2"].deadline.due) == (
        "open",
        "完成情况：正在整改",
        dt.date(2023, 9, 30),
    )
    assert m["P4-1"].note == "完成情况：持续推进" and m["P4-1"].deadline.recur == "monthly"
    assert (
        m["P2-2"].text == "二是对下属事业单位开展廉政谈话，已覆盖全部中层干部；"
    )  # split at 二是 inside one paragraph


def test_preamble_figures_in_several_phrasings_go_into_the_summary() -> None:
    f1 = extract("01_district_bureau_flat_labels.txt")
    assert (f1.report.problems_total, f1.report.problems_done) == (18, 15)
    assert f1.figures["problems_open"] == 3 and f1.figures["completion_rate"] == 83.3
    f3 = extract("03_township_wenti_arabic.txt").figures
    assert (f3["problems_total"], f3["measures_total"], f3["measures_done"], f3["measures_open"]) == (9, 21, 17, 4)
    f5 = extract("05_enterprise_three_levels.txt").figures
    assert (f5["problems_total"], f5["problems_done"], f5["problems_open"]) == (11, 8, 3)
    assert str(f5["as_of"]).startswith("截至2023年12月底")
    f8 = extract("08_county_bureau_paren_problems.txt").report
    assert (f8.problems_total, f8.problems_done, f8.measures_total, f8.measures_done) == (10, 7, 24, 19)


def test_three_levels_make_the_deepest_numbered_heading_the_problem() -> None:
    draft = extract("05_enterprise_three_levels.txt")
    assert [t for _, t, _ in draft.problems] == [
        "非主业投资占比偏高",
        "科技创新投入不足",
        "应收账款清收不力",
        "下属企业违规发放津补贴",
    ]
    assert draft.problems[2][2] == "在“贯彻落实新发展理念不够到位”方面 / 关于“重大风险防控有短板”问题的整改"


def test_truncated_page_gives_what_is_there_and_says_so() -> None:
    draft = extract("07_district_housing_truncated.txt")
    assert len(draft.measures) == 6 and "truncated" in draft.measures[-1].flags
    assert draft.warnings and "截断" in draft.warnings[0]
    report = draft_json(draft)[-1]
    assert "截断" in report and '"unit_source"' in draft_json(draft)[0]
