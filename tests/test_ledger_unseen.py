"""Ledgers in shapes the shipped corpus does not have: a hospital's 责任科室, a county bureau's
责任股室, an English-numbered audit sheet (No.), a 序号 that numbers problems rather than measures.

Each file is written here in the shape real offices use, in our own words.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from ledger.columns import header_key
from ledger.errors import LedgerImportError
from ledger.ledgerfile import read_ledger
from tests.test_ledger_shapes import book

TITLE = "某县卫生健康局巡察反馈问题整改台账"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("责任科室", "unit"),
        ("承办科室", "unit"),
        ("责任股室", "unit"),
        ("牵头处室", "unit"),
        ("责任院系", "unit"),
        ("配合科室", "co_units"),
        ("科室负责人", "leader"),
        ("单位负责人", "leader"),
        ("部门主要负责人", "leader"),
        ("责任单位及责任人", "unit"),  # one column naming the body and its person: the body
        ("No.", "id"),
        ("NO", "id"),
        ("#", "id"),
        ("问题序号", "problem"),
    ],
)
def test_headers_other_kinds_of_office_write(header: str, key: str) -> None:
    assert header_key(header) == key


def test_a_hospital_ledger_with_a_department_column_and_no_id_column(tmp_path: pathlib.Path) -> None:
    rows: list[list[object]] = [
        [TITLE],
        ["问题序号", "问题描述", "整改措施", "责任科室", "责任人", "完成时间"],
        [1, "公务用车使用登记不全", "加装车辆定位系统", "办公室", "赵某", "2025年6月底前完成，并长期坚持"],
        [1, "公务用车使用登记不全", "每月通报用车情况", "办公室", "赵某", "每月"],
        [2, "经费报销票据不规范", "开展票据自查", "财务科", "钱某", dt.datetime(2025, 5, 20)],
    ]
    parsed = read_ledger(book(tmp_path / "医院.xlsx", ("Sheet1", rows, ["A1:F1"])))
    got = [(m.id, m.unit, m.deadline_text) for m in parsed.measures]
    assert got == [
        ("P1-1", "办公室", "2025年6月底前完成，并长期坚持"),
        ("P1-2", "办公室", "每月"),
        ("P2-1", "财务科", "2025-05-20"),
    ]
    assert [m.leader for m in parsed.measures] == ["赵某", "赵某", "钱某"]


def test_an_audit_sheet_numbered_in_english_keeps_its_ids(tmp_path: pathlib.Path) -> None:
    rows: list[list[object]] = [
        ["No.", "Issue 问题", "Measure 措施", "Owner 责任单位", "Deadline 时限"],
        ["A-01", "档案不全", "补齐档案", "档案馆", "2025-06-30"],
        ["A-02", "档案不全", "建立归档制度", "档案馆", "2025/12/31"],
    ]
    parsed = read_ledger(book(tmp_path / "audit.xlsx", ("Sheet1", rows, [])))
    assert [m.id for m in parsed.measures] == ["A-01", "A-02"]


def county_sheet(merged_ids: bool) -> tuple[str, list[list[object]], list[str]]:
    """A county bureau's form: title, 填报单位 line, a two-row header, section rows, and a 序号 that
    numbers problems (merged down over their measures, or written on the first row only)."""
    rows: list[list[object]] = [
        ["中共某县委第三巡察组反馈意见整改落实台账"],
        ["填报单位：县教育局（盖章）", None, None, None, None, None, "填报时间：2025年4月10日"],
        ["序号", "反馈问题", "整改措施", "责任领导", "责任股室", "整改情况", None, "备注"],
        [None, None, None, None, None, "完成时限", "进展情况", None],
        ["一、党的领导弱化方面"],
        [1, "理论学习不深入", "修订中心组学习制度，每月集中学习", "张某", "办公室", "2025年6月底前", "初稿", None],
        [None, None, "将学习情况纳入年度考核", "张某", "人事股", "长期坚持", "推进中", None],
        [2, "食堂管理存在漏洞", "对全县中小学食堂开展排查", "李某", "安全股", dt.datetime(2025, 5, 31), "", None],
        [None, None, "建立食材采购公开招标制度", "李某", "计财股", "2025年秋季学期开学前", "", None],
        ["二、全面从严治党不到位方面"],
        [3, "公务用车管理不规范", "1.清理用车登记；2.安装北斗定位", "王某", "办公室", "2025.9.30", None, None],
        ["合计", "3个问题", "6条措施"],
        ["注：整改时限以县委巡察办审定为准。"],
    ]
    merges = ["A1:H1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:G3", "H3:H4", "A5:H5", "A10:H10"]
    if merged_ids:
        merges += ["A6:A7", "B6:B7", "A8:A9", "B8:B9"]
    return "巡察整改台账", rows, merges


@pytest.mark.parametrize("merged_ids", [True, False], ids=["merged", "first-row-only"])
def test_a_serial_number_that_counts_problems_gives_each_measure_its_own_id(
    tmp_path: pathlib.Path, merged_ids: bool
) -> None:
    parsed = read_ledger(book(tmp_path / "county.xlsx", county_sheet(merged_ids)))
    got = [(m.id, m.problem, m.unit, m.deadline_text) for m in parsed.measures]
    assert got == [
        ("P1-1", 1, "办公室", "2025年6月底前"),
        ("P1-2", 1, "人事股", "长期坚持"),
        ("P2-1", 2, "安全股", "2025-05-31"),
        ("P2-2", 2, "计财股", "2025年秋季学期开学前"),
        ("P3-1", 3, "办公室", "2025.9.30"),
        ("P3-2", 3, "办公室", "2025.9.30"),
    ]
    assert [p.section for p in parsed.problems] == ["党的领导弱化方面", "党的领导弱化方面", "全面从严治党不到位方面"]


def unit_sheet(name: str, title: str, rows: list[list[object]]) -> tuple[str, list[list[object]], list[str]]:
    return name, [[title], ["序号", "问题", "整改措施", "完成时限"], *rows], []


def test_one_sheet_per_unit_takes_the_unit_from_the_sheet_name_and_says_it_guessed(tmp_path: pathlib.Path) -> None:
    path = book(
        tmp_path / "分单位.xlsx",
        unit_sheet("区教育局", "巡察反馈问题整改台账", [[1, "校舍维修滞后", "完成屋面防水维修", "2025年8月底前"]]),
        unit_sheet("区卫健委", "巡察反馈问题整改台账", [[1, "药品管理混乱", "开展药品专项检查", "2025年二季度"]]),
    )
    parsed = read_ledger(path)
    assert [(m.unit, m.text) for m in parsed.measures] == [
        ("区教育局", "完成屋面防水维修"),
        ("区卫健委", "开展药品专项检查"),
    ]
    assert sorted(parsed.guesses["unit_sheet"]) == sorted(m.id for m in parsed.measures)


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("区城管局巡察整改台账", "区城管局"),
        ("市第一人民医院关于巡视反馈问题的整改台账", "市第一人民医院"),
        ("城南街道整改落实台账", "城南街道"),
    ],
)
def test_a_title_opening_with_a_unit_names_the_unit_of_a_sheet_without_a_unit_column(
    tmp_path: pathlib.Path, title: str, unit: str
) -> None:
    path = book(tmp_path / "t.xlsx", unit_sheet("Sheet1", title, [[1, "问题甲", "措施甲", "2025年6月底前"]]))
    assert [m.unit for m in read_ledger(path).measures] == [unit]


@pytest.mark.parametrize(
    "title",
    [
        "中共某县委第三巡察组反馈意见整改落实台账",  # the inspecting body, not a unit
        "区委巡察办反馈问题整改台账",
        "XX局巡察整改台账",  # a template's placeholder
        "巡察反馈问题整改台账",
    ],
)
def test_no_unit_column_and_no_unit_named_anywhere_is_refused_saying_what_was_looked_for(
    tmp_path: pathlib.Path, title: str
) -> None:
    path = book(tmp_path / "t.xlsx", unit_sheet("Sheet1", title, [[1, "问题甲", "措施甲", "2025年6月底前"]]))
    with pytest.raises(LedgerImportError, match=r"缺少“责任单位”列.*工作表名和标题也不是单位名"):
        read_ledger(path)


def test_labels_written_in_the_measure_cell_give_its_unit_deadline_and_lead(tmp_path: pathlib.Path) -> None:
    """Empty unit and deadline cells, and each numbered item saying its own in brackets: those are read,
    not inferred (and said in the summary); a filled cell still wins over the label."""
    cell = (
        "1.开展软弱涣散党组织整顿（责任单位：组织部，完成时限：2025年6月底）\n"
        "2.选派第一书记驻村（牵头领导：王某；责任单位：组织部、农业农村局；完成时限：长期坚持）"
    )
    rows: list[list[object]] = [
        ["序号", "反馈问题", "整改措施", "责任单位", "完成时限"],
        [1, "基层组织建设薄弱", cell, None, None],
        [2, "耕地保护不力", "清理违法占用耕地（责任单位：水利局）", "自然资源局", "2025年12月31日前"],
    ]
    parsed = read_ledger(book(tmp_path / "labels.xlsx", ("Sheet1", rows, [])))
    got = [(m.id, m.unit, m.co_units, m.deadline_text, m.leader) for m in parsed.measures]
    assert got == [
        ("1-1", "组织部", (), "2025年6月底", ""),
        ("1-2", "组织部", ("农业农村局",), "长期坚持", "王某"),
        ("2", "自然资源局", (), "2025年12月31日前", ""),
    ]
    assert sorted(parsed.guesses["deadline_from_text"]) == ["1-1", "1-2"]
    assert "unit_inferred" not in parsed.guesses


def test_dates_exported_as_text_are_deadlines(tmp_path: pathlib.Path) -> None:
    """A ledger exported from a database or saved from Excel as CSV writes dates with a time, or as eight
    digits; each is the date. Something that only looks like one (2025/2/30) is kept as written."""
    sheet = tmp_path / "导出.csv"
    sheet.write_text(
        "编号,问题,整改措施,责任单位,完成时限\n"
        "A1,问题甲,措施一,区民政局,2025/6/30 0:00:00\n"
        "A2,问题甲,措施二,区民政局,2025-09-30 00:00:00\n"
        "A3,问题乙,措施三,区民政局,20251231\n"
        "A4,问题乙,措施四,区民政局,2025/06/30 17:30\n"
        "A5,问题乙,措施五,区民政局,2025/2/30 0:00:00\n"
        "A6,问题乙,措施六,区民政局,2025.9.30\n",
        encoding="utf-8",
    )
    got = {m.id: m.deadline_text for m in read_ledger(str(sheet)).measures}
    assert got == {"A1": "2025-06-30", "A2": "2025-09-30", "A3": "2025-12-31", "A4": "2025-06-30"} | {
        "A5": "2025/2/30 0:00:00",
        "A6": "2025.9.30",
    }
