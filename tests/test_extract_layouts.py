"""More offices' layouts, each written in our own words and counted by hand: problems and measures
found, and for a few measures the unit (with where it came from), the deadline and the status."""

from __future__ import annotations

import datetime as dt
import os
import pathlib

import pytest

from ledger.errors import LedgerImportError
from ledger.extract import Draft, extract_text
from ledger.report_text import read_report
from tests.conftest import ROOT
from tests.test_extract_files import write_pdf

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
    "13_district_paren_items_units_at_end.txt": (
        [3, 2, 3, 2],
        {"P2-1", "P2-2", "P4-1"},
        {"P1-2": ("区住建局", "text", None), "P1-3": ("区财政局", "text", D(2024, 10, 31))}
        | {"P3-2": ("各街道", "text", D(2025, 6, 30)), "P4-2": ("局审计科", "text", D(2024, 12, 31))},
    ),
    "14_university_party_units.txt": (
        [3, 2, 2, 3, 1],
        {"P1-2", "P3-2", "P4-1", "P5-1"},
        {"P1-2": ("学生工作部", "text", None), "P2-1": ("发展规划处", "text", D(2024, 12, 31))}
        | {"P4-2": ("学校纪委", "text", D(2025, 3, 31))},
    ),
    "15_bureau_wenti_numbered_lists.txt": (
        [3, 2, 3, 2],
        {"P2-1", "P2-2", "P3-1", "P3-2", "P3-3", "P4-1", "P4-2"},
        {"P1-3": ("食品安全监管股", "text", D(2024, 12, 31)), "P4-2": ("办公室", "text", None)},
    ),
    "16_district_progress_words.txt": (
        [3, 3, 3],
        {"P1-1", "P1-3", "P2-1", "P3-1", "P3-2"},
        {"P1-1": ("区人民政府办公室", "issuer", None), "P2-3": ("区政府督查室", "text", D(2024, 12, 31))},
    ),
    "17_county_leader_and_unit_parens.txt": (
        [3, 2, 3],
        {"P3-1"},
        {"P1-2": ("县教育局", "text", D(2025, 8, 31)), "P2-2": ("县农业农村局", "text", D(2024, 12, 31))}
        | {"P3-3": ("县工信局", "text", None)},
    ),
    "18_soe_parts_with_annex_table.txt": (
        [2, 1, 1, 2],
        {"P1-1", "P3-1", "P4-1"},
        {"P1-2": ("战略投资部", "text", None), "P2-1": ("资产管理部", "text", D(2024, 12, 31))}
        | {"P4-2": ("审计部", "text", D(2024, 11, 30))},
    ),
    "19_pdf_export_hard_wraps.txt": (
        [3, 2, 2],
        {"P1-1", "P2-1", "P2-2"},
        {"P1-2": ("区养老服务指导中心", "text", None), "P2-1": ("区民政局", "issuer", None)}
        | {"P3-2": ("区社会组织管理局", "text", D(2025, 3, 31))},
    ),
    "20_gov_site_page.html": (
        [3, 2, 2],
        {"P1-2", "P2-1", "P3-1", "P3-2"},
        {"P1-1": ("基层卫生股", "text", D(2024, 12, 31)), "P2-1": ("县卫生健康综合监督执法大队", "text", None)},
    ),
    "22_district_units_in_headings.txt": (
        [2, 2, 1, 2, 2],
        {"P2-2"},
        {"P1-1": ("区教育局", "section", None), "P3-1": ("区卫健委", "section", D(2024, 12, 31))}
        | {"P5-1": ("区市场监管局", "section", None)},
    ),
    "23_street_annex_cells_with_numbered_measures.txt": (
        [3, 2, 2],
        {"P2-1", "P2-2", "P3-1", "P3-2"},
        {"P1-3": ("党建办", "text", D(2024, 12, 31)), "P2-2": ("平安办", "text", D(2024, 9, 30))},
    ),
    "24_company_bracket_wenti_first_second.txt": (
        [3, 2, 3],
        {"P2-1", "P2-2", "P3-1", "P3-2", "P3-3"},
        {"P1-2": ("供水管网分公司", "text", D(2024, 12, 31)), "P3-1": ("安全环保部", "text", D(2024, 10, 31))},
    ),
    "25_city_audit_prose_to_congress.txt": (
        [1, 1, 1, 1, 1],
        {"P1-1", "P2-1", "P3-1", "P5-1"},
        {"P1-1": ("市财政局", "text", None), "P3-1": ("", "none", None), "P4-1": ("市城管局", "text", D(2025, 3, 31))},
    ),
    "26_district_audit_cells_one_per_line.txt": (
        [1, 1, 1, 1],
        {"P1-1", "P2-1", "P3-1"},
        {"P1-1": ("区卫健委办公室", "text", D(2024, 6, 30)), "P4-1": ("区卫健委财务科", "text", D(2024, 12, 31))},
    ),
    # （责任单位：…；完成时限：已完成）: a status written where the deadline goes is the measure's status
    "27_university_labels_in_brackets_status_as_deadline.txt": (
        [2, 2, 2],
        {"P2-1"},
        {
            "P1-2": ("学生工作部", "text", D(2025, 9, 30)),
            "P2-1": ("实验室与设备管理处", "text", None),
            "P3-2": ("审计处", "text", None),
        },
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


def test_a_ledger_cell_holding_numbered_measures_gives_one_measure_each() -> None:
    m = {x.id: x for x in extract("23_street_annex_cells_with_numbered_measures.txt").measures}
    assert m["P1-2"].text == "2.建立新任社区书记“导师帮带”制度。"
    assert (m["P1-2"].leader, m["P1-2"].co_units, m["P3-2"].co_units) == ("王某", ["各社区"], ["财政所"])


def test_bracketed_problem_headings_and_first_second_measures_with_labels_on_one_line() -> None:
    m = {x.id: x for x in extract("24_company_bracket_wenti_first_second.txt").measures}
    assert m["P1-3"].co_units == ["工程建设部"] and m["P1-3"].note == "完成情况：正在推进"
    assert m["P3-3"].text == "第三，对排查发现的隐患实行闭环管理，逐项销号。"  # not the closing paragraph


def test_audit_findings_that_state_their_problem_then_the_rectification() -> None:
    draft = extract("25_city_audit_prose_to_congress.txt")
    assert draft.problems[3] == (4, "市城管局政府采购未执行预算", "部门预算执行审计查出问题")
    assert draft.measures[0].text == "市财政局已督促执收单位将1286万元缴入国库，并建立非税收入月度清缴机制。"
    assert "no_unit" in draft.measures[2].flags  # 相关部门 names no one
    assert not draft.warnings  # 5 problems stated, 5 found


def test_a_report_stating_more_than_was_found_says_so() -> None:
    draft = extract_text(
        "关于巡察整改情况的通报\n共梳理问题5个，制定整改措施12条。\n1.问题甲。\n一是整改措施甲；\n二是整改措施乙。",
        "x.txt",
    )
    assert any("报告称5个问题，提取到1个" in w for w in draft.warnings)
    assert any("报告称12条措施，提取到2条" in w for w in draft.warnings)


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


def test_items_numbered_inside_one_paragraph_take_their_bracketed_unit_and_deadline() -> None:
    draft = extract("13_district_paren_items_units_at_end.txt")
    m = {x.id: x for x in draft.measures}
    assert m["P1-1"].text == "（1）制定老旧小区改造三年行动计划，逐年明确改造清单和资金来源；"
    assert m["P1-2"].co_units == ["各街道"] and m["P1-2"].deadline.kind == "ongoing"
    assert (m["P4-1"].status, m["P4-2"].note) == ("done", "整改进展：正在推进")  # 第（1）项已完成，第（2）项正在推进
    assert len(draft.measures) == 10  # the closing 下一步… paragraph is not a measure


def test_leader_and_unit_in_brackets_after_each_measure() -> None:
    m = {x.id: x for x in extract("17_county_leader_and_unit_parens.txt").measures}
    assert (m["P1-2"].leader, m["P1-2"].unit, m["P1-2"].co_units) == ("张某某", "县教育局", ["县住建局"])
    assert m["P1-2"].text == "2.实施城区学校扩容工程，新建、改扩建学校3所，2025年8月底前投入使用。"
    assert m["P2-2"].co_units == ["各乡镇"] and m["P3-3"].deadline.kind == "ongoing"
    assert (m["P3-1"].status, m["P3-1"].flags, m["P3-3"].note) == (
        "done",
        [],
        "进展：长期坚持",
    )  # "…，已完成。" is stated


def test_departments_that_open_a_measure_are_its_units() -> None:
    m = {x.id: x for x in extract("14_university_party_units.txt").measures}
    assert (m["P4-1"].unit, m["P4-1"].co_units) == ("财务处", ["科学技术研究院"])
    assert (m["P4-3"].unit, m["P5-1"].co_units) == ("审计处", ["国有资产管理处"])


def test_closing_progress_words_set_the_status_and_a_body_reporting_on_itself_owns_the_rest() -> None:
    m = {x.id: x for x in extract("16_district_progress_words.txt").measures}
    assert (m["P1-2"].status, m["P1-2"].note) == ("open", "进展：正在推进")
    assert (m["P2-2"].status, m["P2-2"].note) == ("open", "进展：长期坚持")
    assert m["P1-3"].status == "done" and "status_from_text" not in m["P1-3"].flags  # stated, not guessed
    assert all("unit_from_issuer" in x.flags for x in m.values() if x.unit_source == "issuer")


def test_an_annexed_ledger_table_is_the_ledger_and_the_summary_says_so() -> None:
    draft = extract("18_soe_parts_with_annex_table.txt")
    assert [t for _, t, _ in draft.problems][1:] == ["低效资产处置迟缓", "对二级公司监督不到位", "招投标管理不规范"]
    assert any("附件台账" in w for w in draft.warnings)
    assert draft.measures[-1].co_units == ["集团纪委"]


def test_text_copied_out_of_a_pdf_loses_page_furniture_and_its_line_breaks() -> None:
    draft = extract("19_pdf_export_hard_wraps.txt")
    m = {x.id: x for x in draft.measures}
    assert draft.report.title == "某某区民政局关于区委巡察反馈问题整改进展情况的通报"
    assert m["P2-2"].text == "二是修订《区最低生活保障审核确认办法》，规范入户调查和民主评议程序，已印发实施。"
    assert m["P3-2"].text.endswith("2025年3月底前上线公示平台。")  # no "— 4 —"
    assert m["P2-1"].co_units == ["区医保局", "区人社局"]  # 会同…: the bureau itself leads


def test_the_same_pages_as_a_pdf_give_the_same_ledger(tmp_path: pathlib.Path) -> None:
    text = pathlib.Path(REPORTS, "19_pdf_export_hard_wraps.txt").read_text(encoding="utf-8")
    running = "某某区民政局关于区委巡察反馈问题整改进展情况的通报"
    rows = [r for r in text.splitlines() if not r.strip().startswith("—") and r.strip() != running]  # its own pages
    pages = []
    for n, start in enumerate(range(0, len(rows), 14), start=1):
        page = [(60.0, 800.0, running)] if n > 1 else []
        page += [(60.0, 760.0 - 22 * i, r.strip()) for i, r in enumerate(rows[start : start + 14]) if r.strip()]
        pages.append([*page, (280.0, 30.0, f"— {n} —")])
    write_pdf(pages, tmp_path / "report.pdf")
    got = extract_text(read_report(str(tmp_path / "report.pdf")), "report.pdf", default_ref=D(2024, 1, 1))
    want = extract("19_pdf_export_hard_wraps.txt")
    assert [(m.id, m.text, m.unit, m.deadline, m.status) for m in got.measures] == [
        (m.id, m.text, m.unit, m.deadline, m.status) for m in want.measures
    ]


def test_government_web_page_gives_the_article_not_the_site() -> None:
    draft = extract("20_gov_site_page.html")
    text = read_report(os.path.join(REPORTS, "20_gov_site_page.html"))
    assert draft.report.title == "某某县卫生健康局关于县委巡察反馈意见整改进展情况的通报"
    assert (draft.report.date, draft.measures[2].co_units) == (D(2024, 11, 5), ["县疾控中心"])
    assert not any(w in text for w in ("办事服务", "上一篇", "网站标识码", "打印本页", "当前位置"))


def test_audit_table_on_a_web_page_reads_like_the_pasted_one(tmp_path: pathlib.Path) -> None:
    text = pathlib.Path(REPORTS, "12_county_audit_table_tabs.txt").read_text(encoding="utf-8")
    html, in_table = [], False
    for line in text.splitlines():
        if "\t" in line:
            tag = "th" if line.startswith("序号") else "td"
            html.append(("" if in_table else "<table border='1'>") + "<tr>")
            html.append("".join(f"<{tag}><p>{c}</p></{tag}>" for c in line.split("\t")) + "</tr>")
            in_table = True
        else:
            html.append(("</table>" if in_table else "") + f"<p>{line}</p>")
            in_table = False
    page = "<html><body><div class='nav'><ul><li>首页<li>政务公开</ul></div>" + "".join(html) + "</body></html>"
    (tmp_path / "audit.html").write_text(page, encoding="utf-8")
    got = extract_text(read_report(str(tmp_path / "audit.html")), "audit.html", default_ref=D(2024, 1, 1))
    want = extract("12_county_audit_table_tabs.txt")
    assert [(m.id, m.text, m.unit, m.status) for m in got.measures] == [
        (m.id, m.text, m.unit, m.status) for m in want.measures
    ]


def test_a_site_laid_out_in_tables_still_gives_the_article_line_by_line(tmp_path: pathlib.Path) -> None:
    body = pathlib.Path(REPORTS, "15_bureau_wenti_numbered_lists.txt").read_text(encoding="utf-8").splitlines()
    article = "".join(f"<p>{line}" for line in body)  # paragraphs left unclosed, as old pages do
    page = (
        "<html><head><title>x</title><body><table><tr><td class='menu'><table><tr><td>首页<td>机构</table>"
        f"<tr><td><table><tr><td id='zoom'>{article}</td></tr></table></td></tr></table></body></html>"
    )
    (tmp_path / "old.htm").write_text(page, encoding="utf-8")
    got = extract_text(read_report(str(tmp_path / "old.htm")), "old.htm", default_ref=D(2024, 1, 1))
    want = extract("15_bureau_wenti_numbered_lists.txt")
    assert [(m.id, m.text, m.unit, m.status) for m in got.measures] == [
        (m.id, m.text, m.unit, m.status) for m in want.measures
    ]


# A Word report numbered with Word's own multilevel list (开始 → 编号): "一、" for problems and "1."
# for measures, restarting under each problem; none of the numbers is in the paragraphs' text.
WORD_LIST_REPORT = [
    ("", "某某区司法局关于区委巡察反馈问题整改情况的报告"),
    ("", "区委第五巡察组于2024年4月对区司法局党组开展了巡察。局党组对照反馈的3个问题，制定整改措施6条。"),
    (0, "关于“公共法律服务覆盖不均衡”的问题"),
    (1, "在各街道公共法律服务工作站配备专职人员，2024年12月底前实现全覆盖。"),
    ("", "责任单位：公共法律服务科"),
    (1, "建立村（社区）法律顾问履职考核制度，每季度考核一次。"),
    ("", "责任单位：公共法律服务科"),
    (0, "关于“行政执法监督不到位”的问题"),
    (1, "制定《区行政执法监督工作办法》，已于2024年8月印发。"),
    ("", "责任单位：行政执法监督科"),
    (1, "开展行政执法案卷评查，每半年评查一次。"),
    ("", "责任单位：行政执法监督科"),
    (1, "组织全区执法人员开展业务培训，2024年11月底前完成全员轮训。"),
    ("", "责任单位：政工科"),
    (0, "关于“社区矫正监管存在漏洞”的问题"),
    (1, "对全区社区矫正对象开展信息化核查，已完成。"),
    ("", "责任单位：社区矫正科"),
    ("", "中共某某区司法局党组"),
    ("", "2024年10月20日"),
]


def write_word_list_report(path: pathlib.Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            f'<w:abstractNum {w} w:abstractNumId="90">'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>'
            "</w:abstractNum>"
        ),
    )
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for level, text in WORD_LIST_REPORT:
        p = doc.add_paragraph(text)
        if level != "":
            p._p.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
            )
    doc.save(str(path))


def test_word_automatic_numbering_is_written_out_and_structures_the_report(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "numbered.docx"
    write_word_list_report(path)
    text = read_report(str(path))
    assert "二、关于“行政执法监督不到位”的问题" in text and "3.组织全区执法人员" in text and "1.对全区社区矫正" in text
    draft = extract_text(text, "numbered.docx", default_ref=D(2024, 1, 1))
    assert [sum(1 for m in draft.measures if m.problem == p) for p, _, _ in draft.problems] == [2, 3, 1]
    assert {m.id for m in draft.measures if m.status == "done"} == {"P2-1", "P3-1"}
    m = {x.id: x for x in draft.measures}
    assert (m["P1-1"].unit, m["P1-1"].deadline.due) == ("公共法律服务科", D(2024, 12, 31))
    assert (m["P2-3"].unit, m["P2-3"].deadline.due) == ("政工科", D(2024, 11, 30))
    assert m["P1-2"].deadline.recur == "quarterly"


def test_a_report_with_only_its_own_account_is_refused_with_what_was_found() -> None:
    text = "\n".join(
        ["某某局关于巡察整改情况的通报", "一、整改工作总体情况", "一是提高站位。", "二是压实责任。"]
        + ["二、下一步工作打算", "一是巩固成果。"]
    )
    with pytest.raises(LedgerImportError, match=r"没有识别出问题和整改措施的结构（全文\d+段，其中编号标题2个"):
        extract_text(text, "x.txt")


TEXT_LAYOUTS = sorted(n for n in LAYOUTS if n.endswith(".txt") and not n.startswith(("12", "18", "23")))


@pytest.mark.parametrize("name", TEXT_LAYOUTS, ids=lambda n: n[:2])
def test_the_same_report_as_word_or_web_page_gives_the_same_ledger(name: str, tmp_path: pathlib.Path) -> None:
    import html

    import docx

    lines = pathlib.Path(REPORTS, name).read_text(encoding="utf-8").splitlines()
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(tmp_path / "r.docx"))
    page = "".join(f"<p style='text-indent:2em'>{html.escape(line)}</p>" for line in lines)
    (tmp_path / "r.html").write_text(f"<html><body><div class='nav'>首页</div>{page}</body></html>", encoding="utf-8")
    want = [(m.id, m.text, m.unit, m.deadline, m.status) for m in extract(name).measures]
    for path in (tmp_path / "r.docx", tmp_path / "r.html"):
        got = extract_text(read_report(str(path)), path.name, default_ref=D(2024, 1, 1))
        assert [(m.id, m.text, m.unit, m.deadline, m.status) for m in got.measures] == want, path.name


@pytest.mark.parametrize(
    "progress,status",
    [
        ("已完成", "done"),
        ("完成80%，其余年底前完成", "open"),
        ("已完成方案制定，施工尚未开始", "open"),
        ("已整改，待复查", "open"),
        ("完成，但仍有3处未整改", "open"),
    ],
)
def test_a_progress_label_that_starts_with_done_but_says_otherwise_keeps_the_measure_open(
    progress: str, status: str
) -> None:
    text = (
        "某某局党组关于巡察反馈意见整改进展情况的通报\n\n"
        "1.背街小巷保洁不到位。\n\n"
        "①建立背街小巷保洁巡查机制，每周开展一次巡查。\n"
        "责任单位：市环境卫生服务中心；完成时限：2024年8月底\n"
        f"整改进展：{progress}\n\n"
        "②对保洁不达标的路段逐一整改。\n"
        "责任单位：市环境卫生服务中心；完成时限：2024年9月底\n"
        "整改进展：正在推进\n"
    )
    draft = extract_text(text, "progress.txt", default_ref=D(2024, 1, 1))
    assert [m.status for m in draft.measures] == [status, "open"]


def test_a_count_inside_a_measure_is_not_the_reports_stated_total() -> None:
    """ "确保2025年底前完成8个小区改造任务" counts residential blocks inside one measure: the report
    states no figures of its own, so nothing is compared against the 5 measures found."""
    draft = extract("28_county_labels_per_problem_counts_in_measures.txt")
    assert [sum(1 for m in draft.measures if m.problem == p) for p, _, _ in draft.problems] == [2, 1, 2]
    assert {m.id: m.unit for m in draft.measures}["P2-1"] == "县住建局城建股"
    assert "measures_done" not in draft.figures, draft.figures
