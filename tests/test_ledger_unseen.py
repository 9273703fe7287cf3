"""Ledgers in shapes the shipped corpus does not have: a hospital's 责任科室, a county bureau's
责任股室, an English-numbered audit sheet (No.), a 序号 that numbers problems rather than measures.

Each file is written here in the shape real offices use, in our own words.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from ledger.columns import header_key
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
