"""Reports as Word tables and PDFs give the same ledger as their text; a scan is refused clearly."""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import zlib

import pytest

from ledger.errors import LedgerImportError
from ledger.extract import Draft, extract_text
from ledger.report_text import read_report
from tests.conftest import ROOT

REPORTS = os.path.join(ROOT, "tests", "fixtures", "reports")


def extract(path: str) -> Draft:
    return extract_text(read_report(path), os.path.basename(path), default_ref=dt.date(2024, 1, 1))


def ledger_of(draft: Draft) -> list[tuple[object, ...]]:
    return [
        (m.id, m.problem_title, m.text, m.unit, m.co_units, m.deadline, m.status, m.note, m.unit_source)
        for m in draft.measures
    ]


def test_word_annex_with_a_ledger_table_and_merged_cells_gives_the_text_ledger(tmp_path: pathlib.Path) -> None:
    import docx

    rows = [
        ("1", "耕地保护监管责任落实不到位", "对2021年以来新增违法占用耕地问题开展全面排查，建立问题清单。")
        + ("县自然资源局耕地保护股", "2024年3月31日前", "已完成"),
        ("1", "耕地保护监管责任落实不到位", "与各乡镇签订耕地保护目标责任书，将耕地保护纳入年度考核。")
        + ("县自然资源局、各乡镇人民政府", "长期坚持", "持续推进"),
        ("2", "不动产登记办理时限过长", "推行不动产登记“一窗受理、并行办理”，一般登记办理时间压缩至3个工作日。")
        + ("县不动产登记中心", "2024年6月30日前", "正在整改"),
        ("3", "矿产资源执法检查频次不够", "制定矿山执法检查年度计划，每半年开展一次全覆盖检查。")
        + ("县自然资源局执法大队", "2024年12月31日前", "已完成"),
    ]
    doc = docx.Document()
    doc.add_paragraph("某某县自然资源局关于县委巡察反馈问题整改情况的报告")
    doc.add_paragraph("附件：巡察反馈问题整改台账")
    table = doc.add_table(rows=1 + len(rows), cols=6)
    for j, h in enumerate(("序号", "问题", "整改措施", "责任单位", "完成时限", "整改进展")):
        table.cell(0, j).text = h
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            if i == 2 and j < 2:
                continue  # merged below
            table.cell(i, j).text = value
    for j in (0, 1):
        table.cell(1, j).merge(table.cell(2, j))
    path = tmp_path / "annex.docx"
    doc.save(str(path))
    want = extract(os.path.join(REPORTS, "10_county_annex_ledger_labels.txt"))
    got = extract(str(path))
    assert len(got.problems) == 3 and ledger_of(got) == ledger_of(want)


# -- a small PDF writer: Chinese text in the standard STSong-Light font (no embedding), as Word
# and WPS write it, so pdfminer reads it through its bundled Adobe-GB1 maps.
def write_pdf(pages: list[list[tuple[float, float, str]]], path: pathlib.Path) -> None:
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # pages, below
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        (
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R >>"
        ),
        (
            b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900]"
            b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
        ),
    ]
    kids = []
    for lines in pages:
        ops = b"".join(
            b"BT /F1 10 Tf %.1f %.1f Td <%s> Tj ET\n" % (x, y, text.encode("utf-16-be").hex().encode())
            for x, y, text in lines
        )
        body = zlib.compress(ops)
        objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(body), body))
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % len(objs)
        )
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))


def layout(text: str, width: int = 38, per_page: int = 30) -> list[list[tuple[float, float, str]]]:
    """Text set as a printed page would be: wrapped at `width` characters, a running header and a
    page number on each page."""
    rows: list[tuple[bool, str]] = []
    for para in text.splitlines():
        for k in range(0, len(para), width):
            rows.append((k == 0, para[k : k + width]))
    pages = []
    for n, start in enumerate(range(0, len(rows), per_page), start=1):
        page = [(60.0, 800.0, "某某区人社局巡察整改情况通报")]
        for i, (first, line) in enumerate(rows[start : start + per_page]):
            page.append((80.0 if first else 60.0, 760.0 - 22 * i, line))
        page.append((290.0, 30.0, f"- {n} -"))
        pages.append(page)
    return pages


def test_pdf_with_a_text_layer_gives_the_text_ledger(tmp_path: pathlib.Path) -> None:
    name = os.path.join(REPORTS, "01_district_bureau_flat_labels.txt")
    text = pathlib.Path(name).read_text(encoding="utf-8")
    path = tmp_path / "report.pdf"
    write_pdf(layout(text), path)
    assert len(layout(text)) >= 2
    got, want = extract(str(path)), extract(name)
    assert "某某区人社局巡察整改情况通报" not in read_report(str(path))  # the running header is gone
    assert ledger_of(got) == ledger_of(want) and got.figures == want.figures


def test_scanned_pdf_without_text_asks_for_ocr(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "scan.pdf"
    write_pdf([[]], path)
    with pytest.raises(LedgerImportError, match="PDF 无文字层，请先 OCR"):
        extract(str(path))
