"""Other offices' ledgers, in the shapes they keep them, through the real import (`import_file`, as
`run_bot.py import` does): what an office checks after importing its own 台账: how many problems
and measures, a few measures' unit, deadline and status, and what the summary says it guessed."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from ledger.errors import LedgerImportError
from ledger.models import Measure, Problem
from ledger.service import ImportPlan, import_file
from store import Repository
from tests import ledger_corpus as corpus
from tests.conftest import NOW


class Imported:
    """A shape imported into an empty store: its plan (summary), measures by id, problems by id."""

    def __init__(self, path: pathlib.Path) -> None:
        self.repo = Repository.memory()
        self.plan: ImportPlan = import_file(self.repo, str(path), NOW, "test")
        self.summary = self.plan.summary()
        self.m: dict[str, Measure] = {m.id: m for m in self.repo.measures()}
        self.p: dict[int, Problem] = {p.id: p for p in self.repo.problems()}

    def problem_of(self, mid: str) -> Problem:
        return self.p[self.m[mid].problem]

    def row(self, mid: str) -> tuple[str, tuple[str, ...], dt.date | None, str]:
        m = self.m[mid]
        return m.unit, m.co_units, m.due, m.status


def imported(tmp_path: pathlib.Path, make) -> Imported:  # type: ignore[no-untyped-def]
    return Imported(make(tmp_path))


def test_a_title_date_line_and_bracketed_header_notes(tmp_path) -> None:
    got = imported(tmp_path, corpus.titled_with_notes)
    assert (len(got.p), list(got.m)) == (2, ["1-1", "1-2", "2-1"])
    assert got.row("1-2") == ("区教育局", ("区财政局",), dt.date(2024, 9, 30), "open")
    assert got.m["1-1"].leader == "李某" and got.m["1-2"].note == "需财政配合"
    assert got.problem_of("1-2").title == "课后服务覆盖面不广"  # merged over its two measures
    assert "跳过：标题 3 行（第 1、2、3 行）" in got.summary
    assert "表头按含义识别：存在的问题→问题，整改措施（具体举措）→整改措施，责任单位（部门）→责任单位" in got.summary


def test_a_two_row_header_with_a_group_label_over_unit_and_leader(tmp_path) -> None:
    got = imported(tmp_path, corpus.two_row_header)
    assert (len(got.p), len(got.m)) == (2, 4)
    assert got.row("1") == ("区委组织部", (), dt.date(2024, 5, 31), "done")
    assert got.row("4") == ("区委组织部", (), dt.date(2024, 9, 30), "open") and got.m["4"].leader == "钱某"
    assert got.problem_of("3").title == "基层党组织换届不规范"
    assert "完成时限：日期 4 条" in got.summary


def test_longer_header_forms_and_a_progress_column_that_is_not_the_measure(tmp_path) -> None:
    got = imported(tmp_path, corpus.long_header_forms)
    assert list(got.m) == ["ZG2024-001", "ZG2024-002", "ZG2024-015"]  # 措施编号, not 序号
    assert got.m["ZG2024-001"].text == "每季度专题研究意识形态工作"
    assert dict(got.m["ZG2024-002"].extra)["整改措施完成情况"] == "初稿已完成"  # prose: not the status
    assert dict(got.m["ZG2024-001"].extra)["问题表现"] == "专题研究次数偏少"
    assert got.row("ZG2024-015") == ("区财政局", (), dt.date(2024, 6, 30), "open")
    assert got.m["ZG2024-002"].leader == "孙某" and got.m["ZG2024-001"].deadline.kind == "ongoing"
    assert "牵头责任单位→责任单位，整改责任人→责任领导，整改时限要求→完成时限" in got.summary


def test_section_rows_between_groups_become_sections(tmp_path) -> None:
    got = imported(tmp_path, corpus.section_rows)
    assert len(got.m) == 4
    assert [got.problem_of(i).section for i in ("（一）1", "（一）2", "（二）1", "（三）1")] == [
        "党的建设方面",
        "党的建设方面",
        "全面从严治党方面",
        "选人用人方面",
    ]
    assert got.row("（二）1") == ("区纪委监委", (), dt.date(2024, 9, 30), "open")
    assert got.m["（一）1"].status == "done"  # a 完成情况 column of status words is the status
    assert "分类行 3 行（第 2、5、7 行）" in got.summary and "表头按含义识别：完成情况→状态" in got.summary


def test_several_measures_in_one_cell_are_split_and_the_summary_says_so(tmp_path) -> None:
    got = imported(tmp_path, corpus.several_measures_in_a_cell)
    assert list(got.m) == ["1-1", "1-2", "1-3", "2-1", "2-2", "3-1", "3-2", "4"]
    assert [got.m[i].text for i in ("1-1", "1-3")] == ["制定老旧小区改造年度计划", "完成年度改造任务"]
    assert got.row("1-2") == ("区住建局", (), dt.date(2024, 12, 31), "open")
    assert got.row("2-1")[2] == dt.date(2024, 6, 30) and got.m["2-2"].deadline.kind == "ongoing"  # paired
    assert got.m["3-2"].text == "推进错时共享停车" and got.m["4"].text.endswith("1.5倍以上的增长")
    assert "已拆为单独措施 3 格（各沿用该行的责任单位和时限；" in got.summary
    assert "）：第 2 行→1-1、1-2、1-3；第 3 行→2-1、2-2" in got.summary


def test_an_office_that_keeps_numbered_measures_together_imports_with_no_split(tmp_path) -> None:
    from bot.imports import import_options

    assert import_options("不拆分")["split"] is False and import_options("--no-split")["split"] is False
    repo = Repository.memory()
    plan = import_file(repo, str(corpus.several_measures_in_a_cell(tmp_path)), NOW, "t", split=False)
    assert [m.id for m in repo.measures()] == ["1", "2", "3", "4"] and "拆" not in plan.summary()
    assert repo.measure("2").text == "一是开展背街小巷环境整治；二是建立长效保洁机制"


def test_several_units_in_one_cell_give_a_lead_and_co_units(tmp_path) -> None:
    got = imported(tmp_path, corpus.several_units_in_a_cell)
    assert got.row("A-1")[:2] == ("区教育局", ("区公安分局",))
    assert got.row("A-2")[:2] == ("区教育局", ("各街道",))
    assert got.row("A-3")[:2] == ("区住建局", ("区城管局", "区财政局"))
    assert got.row("A-4")[:2] == ("区水务局", ("各街道", "区生态环境局"))
    assert got.row("A-5")[:2] == ("区城管局", ("区水务局",))  # one space between two names
    assert got.problem_of("A-3").title == "学校周边交通拥堵"


def test_deadlines_as_dates_serials_and_text_and_statuses_in_offices_words(tmp_path) -> None:
    got = imported(tmp_path, corpus.deadlines_and_statuses)
    due = {i: got.m[i].due for i in ("D-1", "D-2", "D-3", "D-4", "D-6")}
    assert set(due.values()) == {dt.date(2024, 6, 30), dt.date(2024, 12, 31)} and due["D-2"] == dt.date(2024, 6, 30)
    assert got.m["D-5"].deadline.kind == got.m["D-8"].deadline.kind == "ongoing"
    assert got.m["D-12"].due == dt.date(2024, 10, 31)  # a date shown as 2024年10月 is the month, not its 1st
    statuses = [got.m[f"D-{n}"].status for n in range(1, 12)]
    assert statuses == ["done"] * 3 + ["open"] * 5 + ["done", "done", "open"]
    assert got.m["D-11"].note == "文件中状态为“阶段性进展”"
    assert "状态按开头的词读取 1 条：D-10（已完成，5月已验收）" in got.summary
    assert "状态无法识别，按“推进中”导入 1 条（原文记入备注）：D-11（阶段性进展）" in got.summary


def test_totals_footnotes_empty_rows_and_a_hidden_column_are_not_measures(tmp_path) -> None:
    got = imported(tmp_path, corpus.footers_empty_rows_hidden_column)
    assert (len(got.p), list(got.m)) == (2, ["1", "2", "3"])
    assert got.row("2")[:2] == ("区政务服务中心", ())  # the visible 责任单位, not the hidden 原责任单位
    assert dict(got.m["1"].extra)["原责任单位"] == "区行政审批局"
    assert "空行 1 行（第 6 行），脚注 3 行（第 7、8、9 行）" in got.summary
    assert "隐藏列（已读取，同名的可见列优先）：原责任单位" in got.summary


def test_a_cover_sheet_first_and_the_ledger_on_the_second(tmp_path) -> None:
    got = imported(tmp_path, corpus.cover_sheet_first)
    assert list(got.m) == ["C-1", "C-2"] and got.plan.read.sheets == ["整改台账"]
    assert "隐藏的工作表未读取：整改台账（旧）" in got.summary
    assert got.row("C-2") == ("区民政局", (), dt.date(2024, 8, 31), "open")


def test_one_sheet_per_aspect_becomes_sections(tmp_path) -> None:
    got = imported(tmp_path, corpus.sheet_per_aspect)
    assert len(got.m) == 4 and {p.section for p in got.p.values()} == {"党的建设", "全面从严治党", "意识形态"}
    assert got.plan.read.ids_synthesized and "已按问题顺序生成编号" in got.summary  # 序号 1 on every sheet
    assert got.row("P3-2") == ("区委宣传部", (), dt.date(2024, 6, 30), "open")


@pytest.mark.parametrize("make", [corpus.csv_gbk_semicolon, corpus.csv_bom_tab, corpus.csv_gb18030_comma])
def test_csv_in_gbk_or_bom_utf8_with_commas_semicolons_or_tabs(tmp_path, make) -> None:  # type: ignore[no-untyped-def]
    got = imported(tmp_path, make)
    assert (len(got.p), list(got.m)) == (2, ["1", "2", "3"])
    assert got.row("1") == ("区财政局", (), dt.date(2024, 6, 30), "open")  # serial 45473
    assert got.row("3") == ("区财政局", ("区审计局",), dt.date(2024, 9, 30), "open")
    assert got.m["2"].status == "done" and got.problem_of("2").title == "专项资金拨付滞后"
    assert "完成时限：日期 2 条，文字 1 条" in got.summary and "标题 1 行" in got.summary


def test_no_id_column_and_a_unit_written_once_per_problem(tmp_path) -> None:
    got = imported(tmp_path, corpus.no_ids_at_all)
    assert list(got.m) == ["P1-1", "P1-2", "P2-1"]
    assert got.row("P1-2") == ("区应急管理局", (), dt.date(2024, 6, 30), "open")
    assert "责任单位未填，沿用同一问题上一行的单位 1 条：P1-2" in got.summary


def test_office_ids_are_kept_as_written(tmp_path) -> None:
    got = imported(tmp_path, corpus.office_ids)
    assert list(got.m) == ["一-1", "一-3", "ZG2024-015", "（二）1"] and "沿用文件中的编号" in got.summary
    assert got.m["一-1"].problem == got.m["一-3"].problem != got.m["ZG2024-015"].problem


def test_an_empty_unit_is_taken_from_the_text_or_inferred_and_flagged(tmp_path) -> None:
    got = imported(tmp_path, corpus.unit_missing)
    assert (got.m["U-1"].unit, got.m["U-1"].unit_inferred) == ("区卫健委", False)
    assert (got.m["U-3"].unit, got.m["U-3"].unit_inferred) == ("区教育局", True)
    assert "取自措施内容所写的单位 1 条：U-1" in got.summary and "按措施内容推定 1 条（请核对）：U-3" in got.summary


def test_a_word_table_with_a_problem_merged_down(tmp_path) -> None:
    got = imported(tmp_path, corpus.word_table)
    assert list(got.m) == ["1", "2", "3"] and len(got.p) == 2
    assert got.problem_of("2").title == "基层减负不到位"
    assert got.row("3") == ("区发改委", (), dt.date(2024, 8, 31), "open")


def test_a_legacy_xls_with_serial_number_deadlines() -> None:
    got = Imported(corpus.XLS_FIXTURE)
    assert list(got.m) == ["1", "2", "3", "4"] and len(got.p) == 2
    assert got.row("2") == ("区司法局", (), dt.date(2024, 9, 30), "open")
    assert got.m["4"].due == dt.date(2024, 11, 30)  # shown as 2024年11月
    assert "日期 2 条，文字 2 条" in got.summary


def test_reimporting_a_shape_changes_nothing(tmp_path) -> None:
    path = corpus.several_measures_in_a_cell(tmp_path)
    repo = Repository.memory()
    import_file(repo, str(path), NOW, "t")
    again = import_file(repo, str(path), NOW, "t")
    assert (len(again.new), len(again.updated), again.unchanged) == (0, 0, 8)


# -- files Duban cannot read: refused, naming sheet, row and column; the store unchanged -------------
def _second_sheet_without_unit(d: pathlib.Path) -> pathlib.Path:
    head = ["编号", "问题", "整改措施", "责任单位", "完成时限"]
    good = corpus.Tab("巡察", [head, ["X-1", "问题", "措施", "区教育局", "2024年6月"]])
    bad = corpus.Tab("审计", [["编号", "问题", "整改措施", "完成时限"], ["S-1", "问题", "措施", "2024年6月"]])
    return corpus.xlsx(d / "no_unit.xlsx", good, bad)


def _measure_missing_under_a_section(d: pathlib.Path) -> pathlib.Path:
    rows: corpus.Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["一、党的建设方面", None, None, None, None],
        ["1", "问题甲", "措施甲", "区教育局", "2024年6月"],
        ["2", "问题乙", None, "区教育局", "2024年7月"],
    ]
    return corpus.xlsx(d / "empty_measure.xlsx", corpus.Tab("台账", rows, ["A2:E2"]), corpus.Tab("说明", [["x"]]))


def _duplicate_ids_across_sheets(d: pathlib.Path) -> pathlib.Path:
    head = ["编号", "问题", "整改措施", "责任单位"]
    return corpus.xlsx(
        d / "dup.xlsx",
        corpus.Tab("甲", [head, ["ZG-01", "问题", "措施甲", "区教育局"]]),
        corpus.Tab("乙", [head, ["zg-01", "问题", "措施乙", "区教育局"]]),
    )


def _word_without_a_table(d: pathlib.Path) -> pathlib.Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("关于巡察反馈问题整改情况的报告")
    doc.save(str(d / "report.docx"))
    return d / "report.docx"


def _cover_sheet_only(d: pathlib.Path) -> pathlib.Path:
    return corpus.xlsx(
        d / "cover.xlsx", corpus.Tab("说明", [["填表说明"], ["请填写整改措施"]]), corpus.Tab("汇总", [["合计", 3]])
    )


REFUSED = {
    "a ledger sheet without a unit column": (_second_sheet_without_unit, "no_unit.xlsx [审计], row 1, column 责任单位"),
    "a measure row without its measure": (_measure_missing_under_a_section, "[台账], row 4, column 整改措施"),
    "the same id on two sheets": (_duplicate_ids_across_sheets, "[乙], row 2, column 编号"),
    "a Word file with no table": (_word_without_a_table, "没有表格"),
    "no sheet with a ledger header": (_cover_sheet_only, "工作表 “说明”、“汇总” 前 10 行中找不到表头"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_file_duban_cannot_read_is_refused_and_the_store_is_unchanged(case: str, tmp_path, file_repo) -> None:
    make, where = REFUSED[case]
    import_file(file_repo, str(corpus.titled_with_notes(tmp_path)), NOW, "t")
    before = (tmp_path / "s.json").read_bytes()
    with pytest.raises(LedgerImportError) as refused:
        import_file(file_repo, str(make(tmp_path)), NOW, "t")
    assert where in str(refused.value)
    assert (tmp_path / "s.json").read_bytes() == before


def test_every_shape_in_the_corpus_imports(tmp_path) -> None:
    """A guard for shapes added later: each imports, with at least one measure and no empty unit."""
    for name, make in corpus.SHAPES.items():
        got = imported(tmp_path / name if (tmp_path / name).mkdir() is None else tmp_path, make)
        assert got.m and all(m.unit and m.text for m in got.m.values()), name


def test_problems_written_as_heading_rows_under_an_aspect_row(tmp_path) -> None:
    got = imported(tmp_path, corpus.problems_as_heading_rows)
    assert (len(got.p), list(got.m)) == (2, ["1", "2", "3"])
    assert (got.problem_of("2").title, got.problem_of("2").section) == ("主体责任压得不实", "全面从严治党方面")
    assert got.problem_of("3").title == "监督责任落实不到位"
    assert "分类行 1 行（第 2 行），问题行 2 行（第 3、6 行）" in got.summary


def test_a_measure_merged_over_one_row_per_unit_is_one_measure_with_co_units(tmp_path) -> None:
    got = imported(tmp_path, corpus.a_measure_over_several_unit_rows)
    assert list(got.m) == ["J-1", "J-2"]
    assert got.row("J-1") == ("区教育局", ("区教育督导室", "各中小学校"), dt.date(2024, 6, 30), "open")
    assert "续行 2 行（第 3、4 行）" in got.summary


def test_a_lead_column_beside_a_responsible_column_and_a_tally_sheet(tmp_path) -> None:
    got = imported(tmp_path, corpus.lead_and_responsible_columns_and_a_summary_sheet)
    assert got.plan.read.sheets == ["台账"]  # 汇总 counts measures (整改措施数) and is not a ledger
    assert got.row("2")[:2] == ("区农业农村局", ("区卫健委", "各街道"))
    assert "表头按含义识别：责任单位→配合单位" in got.summary


def test_duban_s_own_export_is_never_split_so_a_round_trip_keeps_each_measure(tmp_path) -> None:
    from ledger.ledgerwrite import export_rows, write_xlsx

    first = Imported(corpus.several_units_in_a_cell(tmp_path))
    one = Measure("K-1", 1, "1.制定计划；2.每月通报", unit="区教育局")
    first.repo.put_measures([one])
    rows = export_rows(first.repo.problems(), first.repo.measures(), {})
    (tmp_path / "out.xlsx").write_bytes(write_xlsx(rows, [""] * (len(rows) - 1), rows[:1]))
    again = import_file(first.repo, str(tmp_path / "out.xlsx"), NOW, "t")
    assert (len(again.new), again.unchanged) == (0, 6) and "拆分" not in again.summary()


def test_a_word_ledger_across_two_tables_with_the_header_repeated(tmp_path) -> None:
    got = imported(tmp_path, corpus.word_table_across_pages)
    assert list(got.m) == ["1", "2"] and "重复表头 1 行（第 3 行）" in got.summary
    assert got.m["1"].text == "按照《实施办法》第（1）项、第（2）项要求逐条整改"  # not numbered items
    assert got.row("2") == ("区司法局", (), dt.date(2024, 7, 31), "open")


def test_a_sample_sheet_and_numbered_empty_rows_are_passed_over(tmp_path) -> None:
    got = imported(tmp_path, corpus.a_sample_sheet_and_template_rows)
    assert got.plan.read.sheets == ["台账"] and list(got.m) == ["1"]
    assert "空行 10 行" in got.summary and "脚注 1 行（第 13 行）" in got.summary


def test_a_csv_naming_its_separator_on_the_first_line(tmp_path) -> None:
    got = imported(tmp_path, corpus.csv_with_a_separator_line)
    assert list(got.m) == ["1", "2", "3"] and got.row("3")[:2] == ("区财政局", ("区审计局",))


def test_a_table_starting_in_column_b_with_problem_numbers_merged_down(tmp_path) -> None:
    got = imported(tmp_path, corpus.a_margin_column_and_problem_numbers_merged)
    assert list(got.m) == ["P1-1", "P1-2", "P2-1"] and got.plan.read.ids_synthesized
    assert got.row("P1-1") == ("区政府办", (), dt.date(2024, 6, 30), "done")  # 是否完成：是
    assert got.row("P1-2")[3] == "open" and got.problem_of("P1-2").title == "政务公开不及时"


def test_problem_numbers_written_as_labels_group_without_refusing(tmp_path) -> None:
    rows: corpus.Rows = [
        ["问题序号", "问题", "整改措施", "责任单位"],
        ["（一）", "问题甲", "措施一", "区教育局"],
        ["（一）", "问题甲", "措施二", "区教育局"],
        ["（二）", None, "措施三", "区财政局"],
    ]
    got = Imported(corpus.xlsx(tmp_path / "labels.xlsx", corpus.Tab("Sheet1", rows)))
    assert [got.problem_of(i).title for i in ("P1-1", "P1-2", "P2-1")] == ["问题甲", "问题甲", "问题（二）"]


def test_a_refusal_names_the_column_as_the_office_titled_it(tmp_path) -> None:
    rows: corpus.Rows = [
        ["措施编号", "具体整改措施", "整改责任单位"],
        ["Z-1", "措施", "区教育局"],
        ["Z-2", None, "区教育局"],
    ]
    with pytest.raises(LedgerImportError, match=r"row 3, column 具体整改措施（B 列）: 整改措施为空"):
        Imported(corpus.xlsx(tmp_path / "gap.xlsx", corpus.Tab("Sheet1", rows)))


def test_a_numbered_measure_alone_on_its_row_is_a_measure_not_a_heading(tmp_path) -> None:
    rows: corpus.Rows = [
        ["问题", "整改措施", "责任单位", "完成时限"],
        ["制度不健全", "一、修订议事规则", "区委办公室", "2024年6月"],
        [None, "二、完善督办制度", None, None],
    ]
    got = Imported(corpus.csv_file(tmp_path / "alone.csv", rows))
    assert [m.text for m in got.m.values()] == ["一、修订议事规则", "二、完善督办制度"]
    assert got.m["P1-2"].unit == "区委办公室" and "沿用同一问题上一行的单位 1 条：P1-2" in got.summary


def test_a_unit_s_own_ledger_takes_its_unit_from_the_filer_line(tmp_path) -> None:
    got = imported(tmp_path, corpus.a_unit_s_own_ledger)
    assert got.row("2") == ("区卫健委", (), dt.date(2024, 6, 30), "open") and got.m["1"].unit == "区卫健委"
    assert "没有责任单位列，单位取自表头上方的“填报单位” 2 条：1、2" in got.summary


async def test_an_admin_sends_a_word_ledger_in_chat(bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.harness import ADMIN

    answer = await bot.say(ADMIN, "", document=("整改台账.docx", corpus.word_table(tmp_path).read_bytes()))
    assert "导入完成" in answer.text and "新增 3 条" in answer.text and "工作表：表1" in answer.text


async def test_an_admin_writes_no_split_with_the_file(bot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.harness import ADMIN

    raw = corpus.several_measures_in_a_cell(tmp_path).read_bytes()
    answer = await bot.say(ADMIN, "不拆分", document=("措施.xlsx", raw))
    assert "新增 4 条" in answer.text and "拆" not in answer.text


def test_a_row_numbering_the_columns_is_not_a_measure(tmp_path) -> None:
    got = imported(tmp_path, corpus.column_numbers_under_the_header)
    assert list(got.m) == ["1", "2"] and got.m["1"].text == "全面核查补偿资金发放情况"
    assert "列号行 1 行（第 2 行）" in got.summary
