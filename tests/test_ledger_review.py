"""Ledgers a reviewer found misread: each imported the way an office would, and what it must come out as."""

from __future__ import annotations

import pathlib
from collections.abc import Sequence

import openpyxl
import pytest

from ledger.errors import LedgerImportError
from ledger.models import Measure
from ledger.service import import_file
from store import Repository
from tests.conftest import NOW

MEASURE = "建立食堂日查制度"


def xlsx(tmp_path: pathlib.Path, rows: Sequence[Sequence[object]], merges: Sequence[str] = ()) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    return str(path)


def imported(path: str) -> tuple[dict[str, Measure], str]:
    repo = Repository.memory()
    plan = import_file(repo, path, NOW, "test")
    return {m.id: m for m in repo.measures()}, plan.summary()


@pytest.mark.parametrize(
    "other",
    ["交办单位", "反馈部门", "填报单位", "督办单位", "监督部门"],
)
@pytest.mark.parametrize("before", [True, False], ids=["before", "after"])
def test_an_assigning_or_reporting_body_column_is_not_the_responsible_unit(tmp_path, other: str, before: bool) -> None:
    unit = ["责任单位", "区教育局"]
    body = [other, "区委巡察办"]
    cols = [body, unit] if before else [unit, body]
    header = ["序号", "整改措施", *(c[0] for c in cols), "完成时限"]
    row = ["1", MEASURE, *(c[1] for c in cols), "2024年12月底前"]
    m, summary = imported(xlsx(tmp_path, [header, row]))
    assert (m["1"].unit, m["1"].co_units) == ("区教育局", ())
    assert (other, "区委巡察办") in m["1"].extra  # kept as the office's column
    assert "区委巡察办" not in summary


def test_a_column_saying_lead_still_makes_the_other_unit_column_the_helpers(tmp_path) -> None:
    header = ["序号", "整改措施", "责任单位", "牵头单位", "完成时限"]
    m, _ = imported(xlsx(tmp_path, [header, ["1", MEASURE, "区市场监管局", "区教育局", "2024年12月底前"]]))
    assert (m["1"].unit, m["1"].co_units) == ("区教育局", ("区市场监管局",))


@pytest.mark.parametrize(
    ("first", "second"),
    [("交办时间", "整改完成时间"), ("开始时间", "结束时间"), ("发现时间", "完成时间"), ("填报日期", "截止日期")],
)
def test_the_deadline_is_the_completion_date_not_when_the_task_was_assigned_or_started(
    tmp_path, first: str, second: str
) -> None:
    header = ["序号", "整改措施", "责任单位", first, second]
    m, _ = imported(xlsx(tmp_path, [header, ["1", MEASURE, "区教育局", "2024年3月1日", "2024年12月31日"]]))
    assert m["1"].deadline_text == "2024年12月31日"
    assert (first, "2024年3月1日") in m["1"].extra


def test_of_two_dates_read_by_meaning_the_one_saying_completion_is_the_deadline(tmp_path) -> None:
    header = ["序号", "整改措施", "责任单位", "计划时间", "计划完成时间"]
    m, _ = imported(xlsx(tmp_path, [header, ["1", MEASURE, "区教育局", "2024年3月1日", "2024年12月31日"]]))
    assert m["1"].deadline_text == "2024年12月31日"


HEDGED = ["完成（80%）", "完成，但仍有3处未整改", "完成:否", "已整改，待复查", "已完成（方案），施工未开始"]
HEDGED += ["完成。未验收"]


def test_a_status_that_starts_with_done_and_takes_it_back_imports_open_and_listed(tmp_path) -> None:
    words = ["已完成", "整改中", *HEDGED, "已完成，5月已验收"]
    header = ["序号", "整改措施", "责任单位", "完成时限", "状态"]
    rows = [[str(i), f"{MEASURE}第{i}条", "区教育局", "2024年12月底前", w] for i, w in enumerate(words, 1)]
    m, summary = imported(xlsx(tmp_path, [header, *rows]))
    assert [m[str(i)].status for i in range(1, len(words) + 1)] == ["done", "open", *["open"] * len(HEDGED), "done"]
    assert all(m[str(i)].note == f"文件中状态为“{w}”" for i, w in enumerate(words, 1) if w in HEDGED)
    assert f"状态无法识别，按“推进中”导入 {len(HEDGED)} 条" in summary


def test_hedged_done_words_do_not_make_a_progress_column_the_status(tmp_path) -> None:
    words = ["已完成", "已完成", *HEDGED[:3]]  # 2 of 5 plain status words: prose, not a status column
    header = ["序号", "整改措施", "责任单位", "完成时限", "完成情况"]
    rows = [[str(i), f"{MEASURE}第{i}条", "区教育局", "2024年12月底前", w] for i, w in enumerate(words, 1)]
    m, summary = imported(xlsx(tmp_path, [header, *rows]))
    assert {mm.status for mm in m.values()} == {"open"}
    assert "完成情况→状态" not in summary


def test_a_blank_unit_is_not_copied_from_the_row_above_without_a_problem_grouping(tmp_path) -> None:
    header = ["序号", "整改措施", "责任单位", "完成时限"]
    rows = [["1", "更换老旧课桌椅", "区教育局", "2024年12月底前"]]
    rows += [["2", "整治珠江路沿线占道经营", "", "2024年12月底前"]]
    m, summary = imported(xlsx(tmp_path, [header, *rows]))
    assert m["2"].unit != "区教育局" and m["2"].unit_inferred  # the usual handling of a missing unit
    assert "沿用同一问题上一行的单位" not in summary


def test_a_blank_unit_is_copied_within_its_problem(tmp_path) -> None:
    header = ["序号", "存在问题", "整改措施", "责任单位", "完成时限"]
    rows = [
        ["1", "民生短板", "更换老旧课桌椅", "区教育局", "2024年12月底前"],
        ["2", "民生短板", "整治珠江路沿线占道经营", "", "2024年12月底前"],
        ["3", "营商环境", "建立社区养老服务站", "", "2024年12月底前"],
    ]
    m, summary = imported(xlsx(tmp_path, [header, *rows]))
    assert (m["2"].unit, m["3"].unit) == ("区教育局", "区民政局")
    assert "责任单位未填，沿用同一问题上一行的单位 1 条：2" in summary


def test_a_measure_merged_over_two_units_with_their_own_deadlines_is_refused_naming_the_rows(tmp_path) -> None:
    header = ["序号", "整改措施", "责任单位", "完成时限", "状态"]
    rows = [
        ["1", MEASURE, "区教育局", "2024年6月底", "已完成"],
        [None, None, "区市场监管局", "2024年12月底", "推进中"],
        ["2", "开展校车专项检查", "区交通局", "2024年6月底", "推进中"],
    ]
    with pytest.raises(LedgerImportError) as e:
        imported(xlsx(tmp_path, [header, *rows], merges=["A2:A3", "B2:B3"]))
    assert "第 2 行" in str(e.value) and "第 3 行" in str(e.value) and "2024年12月底" in str(e.value)
    assert e.value.row == 3


def test_a_measure_merged_over_two_units_sharing_deadline_and_status_is_one_joint_measure(tmp_path) -> None:
    header = ["序号", "整改措施", "责任单位", "完成时限", "状态"]
    rows = [["1", MEASURE, "区教育局", "2024年6月底", "推进中"], [None, None, "区市场监管局", "", "推进中"]]
    m, _ = imported(xlsx(tmp_path, [header, *rows], merges=["A2:A3", "B2:B3"]))
    assert (m["1"].unit, m["1"].co_units, m["1"].deadline_text) == ("区教育局", ("区市场监管局",), "2024年6月底")


SIGNATURE = [["填表人", "张三", "审核人", "李四"], ["联系电话", "12345678", "填报日期", "2024年5月6日"]]


def test_a_signature_table_under_a_word_ledger_is_not_read_as_measures(tmp_path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("区教育局巡察整改台账")
    ledger = [["序号", "整改措施", "责任单位", "完成时限"], ["1", MEASURE, "区教育局", "2024年12月底前"]]
    for table in (ledger, SIGNATURE):
        t = d.add_table(rows=len(table), cols=4)
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                t.cell(i, j).text = v
        d.add_paragraph("")
    d.save(tmp_path / "台账.docx")
    m, _ = imported(str(tmp_path / "台账.docx"))
    assert list(m) == ["1"]


def test_a_word_ledger_broken_across_pages_is_still_one_ledger(tmp_path) -> None:
    import docx

    d = docx.Document()
    parts = [[["序号", "整改措施", "责任单位", "完成时限"], ["1", MEASURE, "区教育局", "2024年12月底前"]]]
    parts += [[["2", "开展校车专项检查", "区交通局", "2024年6月底前"]]]
    for table in parts:
        t = d.add_table(rows=len(table), cols=4)
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                t.cell(i, j).text = v
    d.save(tmp_path / "台账.docx")
    m, _ = imported(str(tmp_path / "台账.docx"))
    assert (list(m), m["2"].unit) == (["1", "2"], "区交通局")


def test_footer_labels_without_a_colon_are_not_measures(tmp_path) -> None:
    header = ["序号", "整改措施", "责任单位", "完成时限"]
    rows = [header, ["1", MEASURE, "区教育局", "2024年12月底前"], [], *SIGNATURE, ["合计", "1项", None, None]]
    m, summary = imported(xlsx(tmp_path, rows))
    assert list(m) == ["1"]
    assert "脚注 3 行" in summary


@pytest.mark.parametrize(
    "title",
    [
        "填报单位：填报日期：2024年5月6日",
        "填报单位（盖章）：          填报时间：2024年5月",
        "填报单位：________   填报日期：",
        "填报单位：（盖章）",
        "填报单位：XX局（盖章）",
        "责任单位：各相关单位",
    ],
)
def test_a_blank_template_filer_line_is_not_a_unit(tmp_path, title: str) -> None:
    rows = [[title], ["序号", "整改措施", "完成时限"], ["1", "更换老旧课桌椅", "2024年12月底前"]]
    with pytest.raises(LedgerImportError, match="缺少“责任单位”列"):
        imported(xlsx(tmp_path, rows))


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("填报单位：区教育局    填报日期：2024年5月6日", "区教育局"),
        ("填报单位: 区教育局（盖章）  联系人：张三", "区教育局"),
    ],
)
def test_a_filled_in_filer_line_gives_the_unit(tmp_path, title: str, unit: str) -> None:
    rows = [[title], ["序号", "整改措施", "完成时限"], ["1", "更换老旧课桌椅", "2024年12月底前"]]
    m, _ = imported(xlsx(tmp_path, rows))
    assert m["1"].unit == unit


@pytest.mark.parametrize(
    ("cell", "split"),
    [
        ("区委 宣传部", ("区委宣传部", ())),
        ("市委 组织部", ("市委组织部", ())),
        ("玄武区委 办公室", ("玄武区委办公室", ())),
        ("区教育局 区财政局", ("区教育局", ("区财政局",))),
        ("区住建局 新街口街道", ("区住建局", ("新街口街道",))),
    ],
)
def test_one_space_splits_units_only_between_two_whole_names(cell: str, split: tuple[str, tuple[str, ...]]) -> None:
    from ledger.units import split_units

    assert split_units(cell) == split
