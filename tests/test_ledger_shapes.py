"""Ledgers in the shapes district offices keep: titles, merged cells, two-row headers, footnotes,
several sheets, multi-unit cells, extra columns, Excel dates. Each is built here with openpyxl."""

from __future__ import annotations

import datetime as dt
import pathlib

import openpyxl
import pytest

from ledger.errors import LedgerImportError
from ledger.ledgerfile import read_ledger, read_ledger_bytes
from ledger.ledgerwrite import export_rows, write_xlsx
from ledger.service import import_file
from store import Repository
from tests.conftest import NOW

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "ledgers"
Rows = list[list[object]]


def book(path: pathlib.Path, *sheets: tuple[str, Rows, list[str]]) -> str:
    """An XLSX with the given sheets: (name, rows, merged ranges like "A1:F1")."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for rng in merges:
            ws.merge_cells(rng)
    wb.save(path)
    return str(path)


TITLED: Rows = [
    ["玄武区巡察反馈问题整改台账（2024年）", None, None, None, None, None, None],
    ["填报单位：区委巡察办", None, None, "填报日期：2024年3月15日", None, None, None],
    ["编号", "反馈问题", "整改措施", "责任\n单位", "完成 时限", "整改进展", "佐证材料"],
    [
        "ZG-01",
        "教育资源投入不足",
        "更换全区中小学老旧课桌椅",
        "区教育局（牵头）、区财政局",
        "2024年8月底前",
        "已招标",
        "",
    ],
    ["ZG-02", None, "完成区属学校屋面防水维修", "区教育局", "6月底", "", "验收单"],
    [None, None, None, None, None, None, None],
    ["ZG-03", "养老服务短板", "新建两处社区居家养老服务站", "区民政局/区卫健委", "长期坚持", "", ""],
    ["注：本表由各责任单位每月5日前更新。", None, None, None, None, None, None],
    ["填表人：张三", None, None, None, None, None, None],
    ["区委巡察办（盖章）", None, None, None, None, None, None],
]


def test_title_rows_merged_problems_and_footnotes_are_read_as_the_office_wrote_them(tmp_path) -> None:
    path = book(tmp_path / "台账.xlsx", ("Sheet1", TITLED, ["A1:G1", "A2:C2", "B4:B5"]))
    parsed = read_ledger(path)
    ms = {m.id: m for m in parsed.measures}
    assert list(ms) == ["ZG-01", "ZG-02", "ZG-03"] and not parsed.ids_synthesized
    assert ms["ZG-01"].problem == ms["ZG-02"].problem != ms["ZG-03"].problem  # merged over its measures
    assert (ms["ZG-01"].unit, ms["ZG-01"].co_units) == ("区教育局", ("区财政局",))
    assert (ms["ZG-03"].unit, ms["ZG-03"].co_units) == ("区民政局", ("区卫健委",))
    assert ms["ZG-01"].extra == (("整改进展", "已招标"),) and ms["ZG-02"].extra == (("佐证材料", "验收单"),)
    assert sorted((s.row, s.why) for s in parsed.skipped) == [
        (1, "标题"),
        (2, "标题"),
        (6, "空行"),
        (8, "脚注"),
        (9, "脚注"),
        (10, "脚注"),
    ]


def test_a_problem_written_once_above_its_group_is_carried_down_but_text_and_ids_never(tmp_path) -> None:
    rows: Rows = [
        ["序号", "存在问题", "整改任务", "责任单位", "整改时限"],
        ["1", "停车难", "新增公共停车泊位300个", "区城管局", "2024年底"],
        ["2", None, "规范非机动车停放", "区城管局", "2024年6月"],
        ["3", "油烟扰民", "餐饮油烟专项整治", "区城管局", "2024年5月"],
    ]
    ms = read_ledger(book(tmp_path / "a.xlsx", ("整改", rows, []))).measures
    assert [m.problem for m in ms] == [1, 1, 2] and [m.id for m in ms] == ["1", "2", "3"]


def test_two_row_header_is_read_as_its_lower_row(tmp_path) -> None:
    rows: Rows = [
        ["序号", "问题", "整改任务", None, "责任单位", "整改情况"],
        [None, None, "整改措施", "完成时限", None, "完成情况"],
        ["A-1", "作风问题", "开展作风建设专项整治", "2024年6月30日", "区纪委监委", "基本完成"],
    ]
    merges = ["A1:A2", "B1:B2", "C1:D1", "E1:E2"]
    (m,) = read_ledger(book(tmp_path / "b.xlsx", ("Sheet1", rows, merges))).measures
    assert (m.id, m.unit, m.deadline_text) == ("A-1", "区纪委监委", "2024年6月30日")
    assert m.extra == (("完成情况", "基本完成"),)


def test_deadlines_from_excel_dates_serials_and_text_dates(tmp_path, repo: Repository) -> None:
    rows: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["1.1", "p", "一", "区教育局", dt.datetime(2024, 6, 30)],
        ["1.2", "p", "二", "区教育局", 46203],
        ["1.3", "p", "三", "区教育局", "46203"],
        ["1.4", "p", "四", "区教育局", "2024/6/30"],
        ["1.5", "p", "五", "区教育局", "2024.6.30"],
        ["1.6", "p", "六", "区教育局", "每季度"],
        ["1.7", "p", "七", "区教育局", "尽快吧"],
    ]
    path = book(tmp_path / "d.xlsx", ("Sheet1", rows, []))
    wb = openpyxl.load_workbook(path)
    wb.active["E3"].number_format = "yyyy/m/d"  # a date-formatted number
    wb.save(path)
    plan = import_file(repo, path, NOW, "t")
    due = {m.id: m.due for m in repo.measures()}
    assert due["1.1"] == due["1.4"] == due["1.5"] == dt.date(2024, 6, 30)
    assert due["1.2"] == due["1.3"] == dt.date(2026, 6, 30)  # serial 46203
    assert sorted(plan.deadlines["date"]) == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert plan.deadlines["unreadable"] == ["1.7"] and "无法识别 1 条（1.7）" in plan.summary()


def test_several_ledger_sheets_become_sections_and_sheet_picks_one(tmp_path) -> None:
    head = ["编号", "问题", "整改措施", "责任单位", "完成时限"]
    path = book(
        tmp_path / "multi.xlsx",
        ("填表说明", [["请按以下格式填报"], ["每月更新"]], []),
        ("巡察反馈", [head, ["X-1", "问题甲", "措施甲", "区教育局", "6月底"]], []),
        ("审计整改", [head, ["S-1", "问题乙", "措施乙", "区财政局", "9月底"]], []),
    )
    both = read_ledger(path)
    assert both.sheets == ["巡察反馈", "审计整改"]
    assert {p.title: p.section for p in both.problems} == {"问题甲": "巡察反馈", "问题乙": "审计整改"}
    one = read_ledger(path, sheet="审计整改")
    assert [m.id for m in one.measures] == ["S-1"]
    with pytest.raises(LedgerImportError, match="填表说明"):
        read_ledger(path, sheet="没有这张表")


def test_lead_and_cooperating_unit_columns(tmp_path) -> None:
    rows: Rows = [
        ["编号", "问题", "整改措施", "牵头单位", "配合单位", "责任人"],
        ["1", "p", "m", "区住建局", "区城管局、区水务局", "王局长"],
    ]
    (m,) = read_ledger(book(tmp_path / "u.xlsx", ("Sheet1", rows, []))).measures
    assert (m.unit, m.co_units, m.leader) == ("区住建局", ("区城管局", "区水务局"), "王局长")


def _export(repo: Repository) -> list[list[str]]:
    rows = export_rows(repo.problems(), repo.measures(), {})
    return rows


def test_export_import_export_keeps_ids_groups_dates_and_extra_columns(tmp_path) -> None:
    first, second = Repository.memory(), Repository.memory()
    import_file(first, book(tmp_path / "t.xlsx", ("Sheet1", TITLED, ["A1:G1", "B4:B5"])), NOW, "t")
    out = tmp_path / "out.xlsx"
    rows = _export(first)
    out.write_bytes(write_xlsx(rows, [""] * (len(rows) - 1), rows[:1]))
    import_file(second, str(out), NOW, "t")
    assert _export(second) == rows
    assert rows[0][-2:] == ["整改进展", "佐证材料"] and [r[0] for r in rows[1:]] == ["ZG-01", "ZG-02", "ZG-03"]


def test_a_workbook_not_written_by_openpyxl_reads_the_same(tmp_path) -> None:
    """Inline strings and no shared-strings part, as some producers (WPS among them) write."""
    from ledger.xlsxwrite import SheetSpec, write_workbook

    rows = [[str(c) if c is not None else "" for c in r] for r in TITLED]
    raw = write_workbook([SheetSpec("Sheet1", rows)])
    assert [m.id for m in read_ledger_bytes(raw, "wps.xlsx", ".xlsx").measures] == ["ZG-01", "ZG-02", "ZG-03"]


def test_legacy_xls_with_a_title_and_merged_problem_cells() -> None:
    parsed = read_ledger(str(FIXTURES / "titled.xls"))
    ms = {m.id: m for m in parsed.measures}
    assert list(ms) == ["ZG-01", "ZG-02", "ZG-03"]
    assert ms["ZG-01"].problem == ms["ZG-02"].problem and ms["ZG-01"].co_units == ("区财政局",)


BAD = {
    "toml-float-id": (".toml", b'[[measures]]\nid = 1.5\nproblem = 1\ntext = "x"\nunit = "u"\n', "column id"),
    "toml-table-text": (".toml", b'[[measures]]\nid = "A"\nproblem = 1\ntext = {a = 1}\nunit = "u"\n', "column text"),
    "same-id-full-width": (
        ".csv",
        "编号,整改措施,责任单位\nZG-01,a,u\nＺＧ－０１,b,u\n".encode("utf-8-sig"),
        "row 3, column 编号",
    ),
    "unbalanced-quote": (".csv", '编号,整改措施,责任单位\nA,"b,u\nC,d,u\n'.encode(), "row 2, column B"),
    "no-header": (".csv", b"a,b\n1,2\n", "first 10 rows"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_malformed_ledgers_are_refused_with_where(case: str) -> None:
    ext, raw, where = BAD[case]
    with pytest.raises(LedgerImportError, match=where):
        read_ledger_bytes(raw, f"bad{ext}", ext)


def test_a_small_xlsx_inflating_to_100000_rows_is_refused_before_loading(tmp_path) -> None:
    from ledger.xlsxwrite import SheetSpec, write_workbook

    rows = [["编号", "整改措施", "责任单位"]] + [[str(i), "x", "u"] for i in range(100_001)]
    (tmp_path / "big.xlsx").write_bytes(write_workbook([SheetSpec("Sheet1", rows)]))
    assert (tmp_path / "big.xlsx").stat().st_size < 2_000_000
    with pytest.raises(LedgerImportError, match="100000"):
        read_ledger(str(tmp_path / "big.xlsx"))


def test_a_new_unit_is_named_with_its_closest_known_unit_and_strict_units_refuses(file_repo, tmp_path) -> None:
    from ledger.models import Unit

    for name in ("区教育局", "区环境集团"):
        file_repo.put_unit(Unit(name))
    head = ["编号", "问题", "整改措施", "责任单位"]
    rows: Rows = [
        head,
        ["1", "p", "a", "玄武区教育局"],
        ["2", "p", "b", "区环境集团有限公司"],
        ["3", "p", "c", "区教育督导室"],
        ["4", "p", "d", "环境公司"],
    ]
    path = book(tmp_path / "u.xlsx", ("Sheet1", rows, []), ("别名", [["别名", "单位"], ["环境公司", "区环境集团"]], []))
    before = (tmp_path / "s.json").read_bytes()
    with pytest.raises(LedgerImportError, match="区教育督导室（最接近：区教育局）"):
        import_file(file_repo, path, NOW, "t", strict_units=True)
    assert (tmp_path / "s.json").read_bytes() == before
    plan = import_file(file_repo, path, NOW, "t")
    assert [m.unit for m in file_repo.measures()] == ["区教育局", "区环境集团", "区教育督导室", "区环境集团"]
    assert "新单位（单位目录中没有）：区教育督导室（最接近：区教育局）" in plan.summary()


def test_an_alias_joins_a_written_name_to_a_known_unit() -> None:
    from ledger.errors import DubanError
    from ledger.models import Unit
    from ledger.units import add_alias

    units = [Unit("区环境集团"), Unit("区教育局", ("教育局",))]
    assert add_alias(units, "区环境集团有限公司", "环境集团") == Unit("区环境集团", ("区环境集团有限公司",))
    with pytest.raises(DubanError, match="已指向"):
        add_alias(units, "教育局", "区环境集团")
    with pytest.raises(DubanError, match="没有"):
        add_alias(units, "x", "区体育局")


def test_the_summary_names_rows_skips_ids_sheets_and_deadlines(repo: Repository, tmp_path) -> None:
    plan = import_file(repo, book(tmp_path / "t.xlsx", ("巡察", TITLED, ["A1:G1", "B4:B5"])), NOW, "t", dry_run=True)
    text = plan.summary()
    assert "t.xlsx：读取 9 行（工作表：巡察），新增 3 条，更新 0 条，未变 0 条。" in text
    assert "跳过：标题 2 行（第 1、2 行），空行 1 行（第 6 行），脚注 3 行（第 8、9、10 行）" in text
    assert "编号：沿用文件中的编号" in text and "完成时限：日期 0 条，文字 3 条，无法识别 0 条" in text
    assert repo.measures() == []


def test_toml_export_keeps_the_extra_columns(repo: Repository, tmp_path) -> None:
    from ledger.ledgerwrite import write_toml

    import_file(repo, book(tmp_path / "t.xlsx", ("Sheet1", TITLED, ["B4:B5"])), NOW, "t")
    toml = write_toml(repo.report(), repo.problems(), repo.measures(), repo.units())
    again = read_ledger_bytes(toml.encode(), "t.toml", ".toml")
    assert [m.extra for m in again.measures] == [m.extra for m in repo.measures()]
    assert again.measures[0].extra == (("整改进展", "已招标"),)


def test_a_formula_deadline_is_read_from_its_cached_result(tmp_path) -> None:
    """Excel stores a formula's last result; openpyxl (data_only) reads that, as Duban does."""
    import zipfile

    rows: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["F-1", "p", "m", "区教育局", "=DATE(2024,6,30)"],
    ]
    src = book(tmp_path / "f.xlsx", ("Sheet1", rows, []))
    out = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>DATE(2024,6,30)</f><v></v>", b"<f>DATE(2024,6,30)</f><v>45473</v>")
                data = data.replace(b"<f>DATE(2024,6,30)</f><v/>", b"<f>DATE(2024,6,30)</f><v>45473</v>")
                assert b"<v>45473</v>" in data
            zout.writestr(item, data)
    (m,) = read_ledger(str(out)).measures
    assert m.deadline_text == "2024-06-30"


def test_status_words_offices_use_mean_one_thing_for_import_and_for_list() -> None:
    from ledger.status import status_from_word

    assert status_from_word("已完成整改") == status_from_word("已办结") == ("done", "")
    assert status_from_word("正在整改") == ("open", "") and status_from_word("基本完成")[0] == "open"
    assert status_from_word("已 完成") == ("done", "") and status_from_word("Done") == ("done", "")
    assert status_from_word("差不多了") is None


def test_a_row_number_restarting_under_each_problem_gives_made_up_ids_and_says_so(repo, tmp_path) -> None:
    rows: Rows = [
        ["序号", "问题", "整改措施", "责任单位"],
        [1, "问题甲", "a", "区教育局"],
        [2, None, "b", "区教育局"],
        [1, "问题乙", "c", "区教育局"],
    ]
    plan = import_file(repo, book(tmp_path / "n.xlsx", ("Sheet1", rows, [])), NOW, "t")
    assert [m.id for m in repo.measures()] == ["P1-1", "P1-2", "P2-1"]
    assert "未找到唯一的编号列，已按问题顺序生成编号 P1-1…" in plan.summary()
