"""A corpus of ledgers in the shapes other offices send, written here so tests never copy a real one.

Each shape is a small file built from rows (openpyxl for XLSX, the csv module for CSV, python-docx for
Word): merged titles and group headers, headers with notes in brackets, problems merged over their
measures, section rows, several measures or units in a cell, Excel dates and serial numbers, offices'
own status words, footers, hidden columns, cover sheets, GBK and BOM CSVs with other separators.
The wording is ours; the shapes are the ones offices use.

`python -m tests.ledger_corpus DIR` writes every shape to DIR, to open them in a spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl

Rows = list[list[object]]
FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "ledgers"


@dataclass
class Tab:
    """One sheet: its rows, merged ranges ("A1:H1"), hidden column letters, number formats by cell,
    whether the sheet itself is hidden."""

    name: str
    rows: Rows
    merges: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)
    hidden_sheet: bool = False


def xlsx(path: pathlib.Path, *tabs: Tab) -> pathlib.Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in tabs:
        ws = wb.create_sheet(t.name)
        for r in t.rows:
            ws.append(r)
        for rng in t.merges:
            ws.merge_cells(rng)
        for col in t.hidden:
            ws.column_dimensions[col].hidden = True
        for ref, number_format in t.formats.items():
            ws[ref].number_format = number_format
        if t.hidden_sheet:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def csv_file(path: pathlib.Path, rows: Rows, *, encoding: str = "utf-8-sig", delimiter: str = ",") -> pathlib.Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if c is None else str(c) for c in r] for r in rows]
    )
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def docx_table(
    path: pathlib.Path, title: str, rows: Rows, vmerge: list[tuple[int, int, int]], *more: Rows
) -> pathlib.Path:
    """A Word document: a title paragraph and a table; `vmerge` (col, first row, last row) merged down;
    `more` tables follow it (a ledger broken across pages)."""
    import docx

    doc = docx.Document()
    doc.add_paragraph(title)
    for n, body in enumerate((rows, *more)):
        table = doc.add_table(rows=len(body), cols=len(body[0]))
        for i, r in enumerate(body):
            for j, v in enumerate(r):
                if v is not None:
                    table.cell(i, j).text = str(v)
        for col, r1, r2 in vmerge if n == 0 else ():
            table.cell(r1, col).merge(table.cell(r2, col))
        doc.add_paragraph("")
    doc.save(str(path))
    return path


# -- the shapes ---------------------------------------------------------------------------------
def titled_with_notes(d: pathlib.Path) -> pathlib.Path:
    """A merged title, a date line and a 填报单位 line above a header whose titles carry notes in brackets."""
    rows: Rows = [
        ["东湖区落实区委第二巡察组反馈意见整改台账", None, None, None, None, None, None],
        ["（截至2024年3月10日）", None, None, None, None, None, None],
        ["填报单位（盖章）：东湖区教育局", None, None, None, "填报时间：2024年3月12日", None, None],
        [
            "序  号",
            "存在的问题",
            "整改措施（具体举措）",
            "责任单位（部门）",
            "责任领导（签字）",
            "完成时限（年月）",
            "备注",
        ],
        ["1-1", "课后服务覆盖面不广", "扩大课后服务覆盖学校范围", "区教育局", "李某", "2024年6月", ""],
        ["1-2", None, "建立课后服务经费保障机制", "区教育局、区财政局", "李某", "2024年9月", "需财政配合"],
        ["2-1", "校园食堂监管有漏洞", "开展校园食堂食品安全专项检查", "区市场监管局", "王某", "2024年4月", ""],
    ]
    merges = ["A1:G1", "A2:G2", "A3:D3", "E3:G3", "B5:B6"]
    return xlsx(d / "titled_notes.xlsx", Tab("Sheet1", rows, merges))


def two_row_header(d: pathlib.Path) -> pathlib.Path:
    """A group label 整改责任 merged over 责任单位 | 责任人; 序号 and the rest merged down two rows."""
    rows: Rows = [
        ["序号", "巡察反馈问题", "整改措施", "整改责任", None, "整改时限", "整改状态"],
        [None, None, None, "责任单位", "责任人", None, None],
        [
            "1",
            "基层党组织换届不规范",
            "全面排查村（社区）党组织换届程序",
            "区委组织部",
            "赵某",
            dt.datetime(2024, 5, 31),
            "已完成",
        ],
        ["2", None, "对换届程序不规范的党组织逐一督促整改", "区委组织部", "赵某", dt.datetime(2024, 6, 30), "整改中"],
        ["3", None, "建立换届工作全程纪实制度", "区委组织部", "赵某", dt.datetime(2024, 12, 31), "未完成"],
        [
            "4",
            "党员发展把关不严",
            "开展近三年发展党员工作专项检查",
            "区委组织部",
            "钱某",
            dt.datetime(2024, 9, 30),
            "正在推进",
        ],
    ]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2", "G1:G2", "B3:B5"]
    return xlsx(d / "two_row_header.xlsx", Tab("台账", rows, merges))


def long_header_forms(d: pathlib.Path) -> pathlib.Path:
    """Longer titles (整改责任单位, 整改完成时限, 问题表现 …), a 措施编号 beside 序号, and 整改措施完成情况."""
    rows: Rows = [
        [
            "序号",
            "措施编号",
            "巡察反馈问题",
            "问题表现",
            "具体整改措施",
            "牵头责任单位",
            "整改责任人",
            "整改时限要求",
            "整改措施完成情况",
        ],
        [
            "1",
            "ZG2024-001",
            "落实意识形态工作责任制不到位",
            "专题研究次数偏少",
            "每季度专题研究意识形态工作",
            "区委宣传部",
            "孙某",
            "长期坚持",
            "已制定年度计划",
        ],
        [
            "2",
            "ZG2024-002",
            None,
            None,
            "修订意识形态工作责任制考核办法",
            "区委宣传部",
            "孙某",
            "2024年6月底前",
            "初稿已完成",
        ],
        [
            "3",
            "ZG2024-015",
            "财政资金使用绩效不高",
            "部分项目资金闲置",
            "清理盘活存量资金",
            "区财政局",
            "周某",
            "2024.6.30",
            "",
        ],
    ]
    return xlsx(d / "long_forms.xlsx", Tab("整改台账", rows, ["C2:C3", "D2:D3"]))


def section_rows(d: pathlib.Path) -> pathlib.Path:
    """Section rows (一、党的建设方面) merged across all columns between data rows; ids like （一）1."""
    rows: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限", "完成情况"],
        ["一、党的建设方面", None, None, None, None, None],
        ["（一）1", "理论学习不深入", "制定中心组年度学习计划", "区委办公室", "2024年3月底前", "已完成"],
        ["（一）2", None, "开展专题读书班", "区委办公室", "2024年6月底前", ""],
        ["二、全面从严治党方面", None, None, None, None, None],
        ["（二）1", "监督执纪不严", "开展作风问题专项整治", "区纪委监委", "2024年9月底前", ""],
        ["三、选人用人方面", None, None, None, None, None],
        ["（三）1", "干部交流不够", "制定干部交流轮岗计划", "区委组织部", "2024年底前", ""],
    ]
    merges = ["A2:F2", "B3:B4", "A5:F5", "A7:F7"]
    return xlsx(d / "sections.xlsx", Tab("Sheet1", rows, merges))


def several_measures_in_a_cell(d: pathlib.Path) -> pathlib.Path:
    """One cell holding 1.…；2.…, 一是…二是…, or （1）…（2）… on separate lines; a plain long cell too."""
    rows: Rows = [
        ["序号", "问题", "整改措施", "责任单位", "完成时限"],
        [
            "1",
            "老旧小区改造进度慢",
            "1.制定老旧小区改造年度计划；2.每月通报改造进度；3.完成年度改造任务",
            "区住建局",
            "2024年12月底前",
        ],
        [
            "2",
            "背街小巷环境差",
            "一是开展背街小巷环境整治；二是建立长效保洁机制",
            "区城管局",
            "1.2024年6月底前；2.长期坚持",
        ],
        ["3", "停车难", "（1）新增公共停车泊位\n（2）推进错时共享停车", "区交通局", "2024年10月"],
        [
            "4",
            "垃圾分类不到位",
            "完善垃圾分类设施，提升居民分类投放准确率，确保达到1.5倍以上的增长",
            "区城管局",
            "2024年9月",
        ],
    ]
    return xlsx(d / "multi_measures.xlsx", Tab("Sheet1", rows))


def several_units_in_a_cell(d: pathlib.Path) -> pathlib.Path:
    """Units written together: 、-lists, （牵头）, 牵头…配合, one space between, a separate 配合单位 column."""
    rows: Rows = [
        ["编号", "问题", "整改措施", "牵头责任单位", "配合单位", "完成时限"],
        ["A-1", "学校周边交通拥堵", "优化学校周边交通组织", "区教育局、区公安分局", "", "2024年9月1日前"],
        ["A-2", None, "增设护学岗", "区教育局（牵头），各街道", "", "2024年9月1日前"],
        ["A-3", None, "建设学校周边停车场", "区住建局牵头，区城管局配合", "区财政局", "2024年12月"],
        ["A-4", "河道管护不力", "落实河长制巡河制度", "区水务局", "各街道、区生态环境局", "长期坚持"],
        ["A-5", None, "清理河道沿线违章建筑", "区城管局 区水务局", "", "2024年10月"],
    ]
    return xlsx(d / "multi_units.xlsx", Tab("Sheet1", rows, ["B2:B4", "B5:B6"]))


def deadlines_and_statuses(d: pathlib.Path) -> pathlib.Path:
    """Deadlines as Excel dates, serial numbers and text; statuses in offices' words and ✓."""
    rows: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限", "整改状态"],
        ["D-1", "问题一", "措施一", "区教育局", dt.datetime(2024, 6, 30), "已完成"],
        ["D-2", None, "措施二", "区教育局", 45473, "完成"],
        ["D-3", None, "措施三", "区教育局", "2024.6.30", "已整改"],
        ["D-4", None, "措施四", "区教育局", "2024年6月底前", "整改中"],
        ["D-5", None, "措施五", "区教育局", "长期坚持", "正在推进"],
        ["D-6", None, "措施六", "区教育局", "2024年12月31日", "未完成"],
        ["D-7", None, "措施七", "区教育局", "持续推进", "持续推进"],
        ["D-8", None, "措施八", "区教育局", "长期坚持", "长期坚持"],
        ["D-9", None, "措施九", "区教育局", "2024年9月", "✓"],
        ["D-10", None, "措施十", "区教育局", "2024年9月", "已完成，5月已验收"],
        ["D-11", None, "措施十一", "区教育局", "2024年9月", "阶段性进展"],
        ["D-12", None, "措施十二", "区教育局", dt.datetime(2024, 10, 1), "整改中"],  # shown as 2024年10月
    ]
    month = {"E13": 'yyyy"年"m"月"'}
    return xlsx(d / "deadlines_statuses.xlsx", Tab("Sheet1", rows, ["B2:B13"], formats=month))


def footers_empty_rows_hidden_column(d: pathlib.Path) -> pathlib.Path:
    """Empty rows inside the table, a hidden column of last year's units, then 合计, 注：… and 填表人：…"""
    rows: Rows = [
        ["序号", "问题", "整改措施", "原责任单位", "责任单位", "完成时限", "整改情况"],
        ["1", "政务服务效率低", "推行一窗通办", "区行政审批局", "区政务服务中心", "2024年6月", ""],
        [None, None, None, None, None, None, None],
        ["2", None, "压缩审批时限", "区行政审批局", "区政务服务中心", "2024年8月", ""],
        ["3", "信访积案多", "开展积案化解专项行动", "区信访办", "区信访局", "2024年10月", ""],
        [None, None, None, None, None, None, None],
        ["合计", None, "共3项措施", None, None, None, "已完成0项"],
        ["注：1.完成时限为最迟时间；2.请于每月5日前报送进展。", None, None, None, None, None, None],
        ["填表人：", None, "审核人：", None, "联系电话：", None, None],
    ]
    return xlsx(d / "footers.xlsx", Tab("Sheet1", rows, ["B2:B4", "A7:B7", "A8:G8"], hidden=["D"]))


def cover_sheet_first(d: pathlib.Path) -> pathlib.Path:
    """A 说明 sheet first (prose naming the columns), the ledger on the second sheet, an old copy hidden."""
    cover: Rows = [
        ["填表说明"],
        ["1. 请在“整改措施”一栏逐条填写具体措施，“责任单位”填写牵头单位全称。"],
        ["2. “完成时限”请填写具体日期。"],
    ]
    ledger: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["C-1", "社区工作者队伍不稳定", "完善社区工作者薪酬体系", "区民政局", "2024年12月底前"],
        ["C-2", None, "开展社区工作者培训", "区民政局", "2024年8月底前"],
    ]
    old = Tab(
        "整改台账（旧）", [*ledger[:2], ["C-9", None, "已删去的措施", "区民政局", "2024年1月"]], hidden_sheet=True
    )
    return xlsx(d / "cover_first.xlsx", Tab("说明", cover), Tab("整改台账", ledger, ["B2:B3"]), old)


def sheet_per_aspect(d: pathlib.Path) -> pathlib.Path:
    """One sheet per 方面, each its own ledger, ids restarting on each sheet."""
    head = ["序号", "问题", "整改措施", "责任单位", "完成时限"]
    tabs = [
        Tab("党的建设", [head, ["1", "组织生活不规范", "规范三会一课", "区委组织部", "2024年6月"]]),
        Tab("全面从严治党", [head, ["1", "廉政风险防控弱", "梳理廉政风险点", "区纪委监委", "2024年7月"]]),
        Tab(
            "意识形态",
            [
                head,
                ["1", "阵地管理不严", "开展阵地排查", "区委宣传部", "2024年5月"],
                ["2", None, "建立阵地台账", "区委宣传部", "2024年6月"],
            ],
        ),
    ]
    return xlsx(d / "per_aspect.xlsx", *tabs)


CSV_ROWS: Rows = [
    ["东湖区审计整改台账", "", "", "", "", ""],
    ["序号", "审计发现问题", "整改措施", "责任单位", "完成时限", "整改状态"],
    ["1", "专项资金拨付滞后", "加快专项资金拨付进度", "区财政局", "45473", "整改中"],
    ["2", "", "建立资金拨付月报制度", "区财政局", "2024年6月底前", "已完成"],
    ["3", "政府采购程序不规范", "开展政府采购专项检查", "区财政局（牵头）、区审计局", "45565", "未完成"],
]


def csv_gbk_semicolon(d: pathlib.Path) -> pathlib.Path:
    """A CSV saved in GBK with ; between cells (an office's Excel set to a European list separator)."""
    return csv_file(d / "gbk_semicolon.csv", CSV_ROWS, encoding="gbk", delimiter=";")


def csv_bom_tab(d: pathlib.Path) -> pathlib.Path:
    """A UTF-8 CSV with a byte-order mark and tabs between cells."""
    return csv_file(d / "bom_tab.csv", CSV_ROWS, encoding="utf-8-sig", delimiter="\t")


def csv_gb18030_comma(d: pathlib.Path) -> pathlib.Path:
    """A GB18030 CSV, commas, the problem written only on its first row (merges lost in saving)."""
    return csv_file(d / "gb18030.csv", CSV_ROWS, encoding="gb18030")


def no_ids_at_all(d: pathlib.Path) -> pathlib.Path:
    """No id column: problem, measure, unit, deadline; the unit written once per problem group."""
    rows: Rows = [
        ["存在问题", "整改措施", "责任单位", "完成时限"],
        ["安全生产隐患排查不彻底", "开展安全生产大排查", "区应急管理局", "2024年5月底前"],
        [None, "建立隐患整改闭环台账", None, "2024年6月底前"],
        ["消防通道占用", "清理占用消防通道杂物", "区消防救援大队", "2024年4月"],
    ]
    return xlsx(d / "no_ids.xlsx", Tab("Sheet1", rows))


def office_ids(d: pathlib.Path) -> pathlib.Path:
    """Ids as offices write them: 一-1, 一-3 (gaps), ZG2024-015, （二）1 mixed in one ledger."""
    rows: Rows = [
        ["整改编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["一-1", "问题甲", "措施甲一", "区发改委", "2024年6月"],
        ["一-3", None, "措施甲三", "区发改委", "2024年7月"],
        ["ZG2024-015", "问题乙", "措施乙", "区商务局", "2024年8月"],
        ["（二）1", "问题丙", "措施丙", "区科技局", "2024年9月"],
    ]
    return xlsx(d / "office_ids.xlsx", Tab("Sheet1", rows, ["B2:B3"]))


def unit_missing(d: pathlib.Path) -> pathlib.Path:
    """A unit cell left empty where the measure names its owner, and one where it names none."""
    rows: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["U-1", "问题一", "由区卫健委牵头完善社区医疗服务网点", "", "2024年9月"],
        ["U-2", "问题二", "整治校园周边小餐饮", "区市场监管局", "2024年9月"],
        ["U-3", "问题三", "更新中小学校园安防设施", "", "2024年9月"],
    ]
    return xlsx(d / "unit_missing.xlsx", Tab("Sheet1", rows))


def word_table(d: pathlib.Path) -> pathlib.Path:
    """A Word document holding the ledger as a table, the problem merged down over its measures."""
    rows: Rows = [
        ["序号", "存在问题", "整改措施", "责任单位", "完成时限"],
        ["1", "基层减负不到位", "精简会议文件", "区委办公室", "2024年6月底前"],
        ["2", None, "规范督查检查考核", "区委办公室", "2024年9月底前"],
        ["3", "营商环境有短板", "开展涉企收费专项清理", "区发改委", "2024年8月"],
    ]
    return docx_table(d / "word_table.docx", "东湖区巡察整改台账", rows, [(1, 1, 2)])


def problems_as_heading_rows(d: pathlib.Path) -> pathlib.Path:
    """No problem column: 一、… rows for the aspect and （一）… rows for each problem, merged across."""
    rows: Rows = [
        ["序号", "整改措施", "责任单位", "完成时限", "备注"],
        ["一、全面从严治党方面", None, None, None, None],
        ["（一）主体责任压得不实", None, None, None, None],
        ["1", "制定落实全面从严治党主体责任清单", "区委办公室", "2024年4月底前", None],
        ["2", "每半年专题研究一次全面从严治党工作", "区委办公室", "长期坚持", None],
        ["（二）监督责任落实不到位", None, None, None, None],
        ["3", "完善派驻监督工作机制", "区纪委监委", "2024年6月底前", None],
    ]
    merges = ["A2:E2", "A3:E3", "A6:E6"]
    return xlsx(d / "problem_headings.xlsx", Tab("Sheet1", rows, merges))


def a_measure_over_several_unit_rows(d: pathlib.Path) -> pathlib.Path:
    """One measure merged down over three rows, one responsible unit per row (joint responsibility)."""
    rows: Rows = [
        ["编号", "问题", "整改措施", "责任单位", "完成时限"],
        ["J-1", "学生课业负担重", "开展作业管理专项督查", "区教育局", "2024年6月"],
        [None, None, None, "区教育督导室", "2024年6月"],
        [None, None, None, "各中小学校", "2024年6月"],
        ["J-2", None, "规范校外培训机构", "区教育局", "2024年9月"],
    ]
    return xlsx(d / "joint_units.xlsx", Tab("Sheet1", rows, ["A2:A4", "B2:B5", "C2:C4"]))


def lead_and_responsible_columns_and_a_summary_sheet(d: pathlib.Path) -> pathlib.Path:
    """牵头单位 beside 责任单位 (lead and doers), then a 汇总 sheet counting measures per unit."""
    rows: Rows = [
        ["序号", "问题", "整改措施", "牵头单位", "责任单位", "完成时限"],
        ["1", "农村人居环境短板", "开展村庄清洁行动", "区农业农村局", "各街道", "2024年10月"],
        ["2", None, "推进农村厕所改造", "区农业农村局", "区卫健委、各街道", "2024年12月"],
    ]
    tally: Rows = [["责任单位", "整改措施数", "已完成数", "完成率"], ["区农业农村局", 2, 0, "0%"]]
    return xlsx(d / "lead_and_doers.xlsx", Tab("台账", rows, ["B2:B3"]), Tab("汇总", tally))


def word_table_across_pages(d: pathlib.Path) -> pathlib.Path:
    """A Word ledger in two tables (pasted page by page), the header repeated on the second."""
    head: list[object] = ["序号", "存在问题", "整改措施", "责任单位", "完成时限"]
    first: Rows = [
        head,
        ["1", "文件要求落实不细", "按照《实施办法》第（1）项、第（2）项要求逐条整改", "区司法局", "2024年6月"],
    ]
    second: Rows = [head, ["2", "执法监督薄弱", "建立执法监督月报制度", "区司法局", "2024年7月"]]
    return docx_table(d / "word_pages.docx", "整改台账", first, [], second)


def a_sample_sheet_and_template_rows(d: pathlib.Path) -> pathlib.Path:
    """A 填报示例 sheet with an example filled in, then the ledger with its template's numbered empty rows."""
    head: list[object] = ["编号", "问题", "整改措施", "责任单位", "完成时限"]
    sample: Rows = [head, ["例-1", "示例问题", "示例：开展某项专项检查", "区某局", "2024年1月"]]
    rows: Rows = [head, ["1", "会议文件过多", "精简各类会议", "区委办公室", "2024年5月"]]
    rows += [[str(n), None, None, None, None] for n in range(2, 12)] + [["示例：1.会议精简30%"]]
    return xlsx(d / "with_sample.xlsx", Tab("填报示例", sample), Tab("台账", rows))


def csv_with_a_separator_line(d: pathlib.Path) -> pathlib.Path:
    """A CSV whose first line is Excel's `sep=;`, naming the separator."""
    path = csv_file(d / "sep_line.csv", CSV_ROWS[1:], encoding="utf-8", delimiter=";")
    path.write_bytes(b"sep=;\r\n" + path.read_bytes())
    return path


def a_margin_column_and_problem_numbers_merged(d: pathlib.Path) -> pathlib.Path:
    """The table starts in column B; 序号 numbers problems, merged down over their measures; 是否完成 是/否."""
    rows: Rows = [
        [None, "东湖区巡察整改台账", None, None, None, None, None],
        [None, "序号", "问题", "整改措施", "责任单位", "完成时限", "是否完成"],
        [None, "1", "政务公开不及时", "建立政务公开季度检查制度", "区政府办", "2024年6月", "是"],
        [None, None, None, "按时更新政府信息公开年报", "区政府办", "2024年1月底前", "否"],
        [None, "2", "档案管理不规范", "开展档案规范化整理", "区档案馆", "2024年9月", "否"],
    ]
    return xlsx(d / "margin.xlsx", Tab("Sheet1", rows, ["B1:G1", "B3:B4", "C3:C4"]))


def a_unit_s_own_ledger(d: pathlib.Path) -> pathlib.Path:
    """One unit's own ledger: no 责任单位 column, the unit named in the 填报单位 line above the header."""
    rows: Rows = [
        ["区卫健委巡察反馈问题整改台账", None, None, None],
        ["填报单位（盖章）：区卫健委", None, "填报日期：2024年3月8日", None],
        ["序号", "存在问题", "整改措施", "整改时限"],
        ["1", "基层医疗机构药品管理不规范", "开展药品管理专项检查", "2024年5月底前"],
        ["2", None, "建立药品出入库台账", "2024年6月底前"],
    ]
    return xlsx(d / "own_ledger.xlsx", Tab("Sheet1", rows, ["A1:D1", "A2:B2", "C2:D2", "B4:B5"]))


def column_numbers_under_the_header(d: pathlib.Path) -> pathlib.Path:
    """A row numbering the columns (1 | 2 | 3 …) under the header, as printed forms have."""
    rows: Rows = [
        ["序号", "问题", "整改措施", "责任单位", "完成时限", "备注"],
        [1, 2, 3, 4, 5, 6],
        [1, "征地拆迁补偿不到位", "全面核查补偿资金发放情况", "区住建局", "2024年7月", None],
        [2, None, "建立补偿资金公示制度", "区住建局", "2024年8月", None],
    ]
    return xlsx(d / "column_numbers.xlsx", Tab("Sheet1", rows, ["B3:B4"]))


SHAPES: dict[str, Callable[[pathlib.Path], pathlib.Path]] = {
    f.__name__: f
    for f in (
        titled_with_notes,
        two_row_header,
        long_header_forms,
        section_rows,
        several_measures_in_a_cell,
        several_units_in_a_cell,
        deadlines_and_statuses,
        footers_empty_rows_hidden_column,
        cover_sheet_first,
        sheet_per_aspect,
        csv_gbk_semicolon,
        csv_bom_tab,
        csv_gb18030_comma,
        no_ids_at_all,
        office_ids,
        unit_missing,
        word_table,
        problems_as_heading_rows,
        a_measure_over_several_unit_rows,
        lead_and_responsible_columns_and_a_summary_sheet,
        word_table_across_pages,
        a_sample_sheet_and_template_rows,
        csv_with_a_separator_line,
        a_margin_column_and_problem_numbers_merged,
        a_unit_s_own_ledger,
        column_numbers_under_the_header,
    )
}
# `serial_dates.xls`: a legacy Excel file (numeric serial deadlines, a merged problem), made once from
# `serial_dates.xlsx` with gnumeric's ssconvert (no maintained Python library writes .xls); see README.
XLS_FIXTURE = FIXTURES / "serial_dates.xls"


def legacy_xls_source(d: pathlib.Path) -> pathlib.Path:
    """The source of `serial_dates.xls`: serial numbers as deadlines, a problem merged over two rows,
    a date shown as a month (2024年11月, holding 2024-11-01)."""
    rows: Rows = [
        ["东湖区整改台账", None, None, None, None],
        ["序号", "存在问题", "整改措施", "责任单位", "完成时限"],
        ["1", "执法不规范", "开展执法案卷评查", "区司法局", 45473],
        ["2", None, "组织执法人员培训", "区司法局", 45565],
        ["3", "公共法律服务不足", "建设社区法律服务站", "区司法局", "2024年底前"],
        ["4", None, "开展法律援助进社区活动", "区司法局", dt.datetime(2024, 11, 1)],
    ]
    month = {"E6": 'yyyy"年"m"月"'}
    return xlsx(d / "serial_dates.xlsx", Tab("Sheet1", rows, ["A1:E1", "B3:B4", "B5:B6"], formats=month))


if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "ledger-corpus")
    out.mkdir(parents=True, exist_ok=True)
    for make in (*SHAPES.values(), legacy_xls_source):
        print(make(out))
