"""ledger/filer.py named_unit: a sheet name that is a status/filter word ending in a body suffix
(全部 'all', 待办/在办/已办/督办/交办 'to do/in progress/done/supervised', 巡察办 the inspecting body)
is taken as the responsible unit of every measure on that sheet, instead of the ledger being refused
for lacking a 责任单位 column. The title path refuses 巡察办 (_INSPECTOR), the sheet-name path does not."""

from __future__ import annotations

import pathlib

import pytest

from ledger.errors import LedgerImportError
from ledger.ledgerfile import read_ledger
from tests.test_ledger_shapes import book


@pytest.mark.parametrize("sheet", ["全部", "待办", "已办", "督办", "交办", "区委巡察办", "巡察办"])
def test_a_status_or_inspector_sheet_name_is_not_a_unit(tmp_path: pathlib.Path, sheet: str) -> None:
    rows = [["巡察反馈问题整改台账"], ["序号", "问题", "整改措施", "完成时限"], [1, "问题甲", "措施甲", "6月底前"]]
    path = book(tmp_path / "t.xlsx", (sheet, rows, []))
    try:
        units = [m.unit for m in read_ledger(path).measures]
    except LedgerImportError:
        return  # refused, as a ledger with no unit named anywhere should be
    assert units != [sheet], f"sheet {sheet!r} taken as the responsible unit"


@pytest.mark.parametrize("sheet", ["交通局", "区交通运输局", "新闻办", "督查室"])
def test_a_unit_whose_name_opens_like_a_status_word_is_still_a_unit(tmp_path: pathlib.Path, sheet: str) -> None:
    rows = [["巡察反馈问题整改台账"], ["序号", "问题", "整改措施", "完成时限"], [1, "问题甲", "措施甲", "6月底前"]]
    path = book(tmp_path / "t.xlsx", (sheet, rows, []))
    assert [m.unit for m in read_ledger(path).measures] == [sheet]
