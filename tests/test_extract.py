"""From a published report to a draft ledger: the seed report, three other shapes of the genre,
and files that are not reports at all."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import openpyxl
import pytest

from ledger.errors import LedgerImportError
from ledger.extract import extract_text
from ledger.ledgerfile import read_ledger
from ledger.report_text import read_report
from tests.conftest import REPORT_TXT, ROOT, SEED

DATA = os.path.join(ROOT, "tests", "data")
D = dt.date


def extract(path: str):  # type: ignore[no-untyped-def]
    return extract_text(read_report(path), os.path.basename(path), default_ref=D(2024, 1, 1))


def test_seed_report_matches_the_hand_made_ledger() -> None:
    draft = extract(REPORT_TXT)
    ledger = {m.id: m for m in read_ledger(SEED).measures}
    assert len(draft.problems) == 30 and len(draft.measures) == 95
    assert [m.id for m in draft.measures] == list(ledger)
    sections = [s for _, _, s in draft.problems]
    assert sections[:11] == ["集中整改期内已完成的整改事项"] * 11
    assert sections[11:] == ["按计划持续推进的整改事项"] * 19
    for m in draft.measures:
        want = ledger[m.id]
        assert (m.text, m.deadline_text, m.status) == (want.text, want.deadline_text, want.status), m.id
    same = [m for m in draft.measures if m.unit == ledger[m.id].unit]
    assert len(same) / len(draft.measures) >= 0.9
    assert all(m.flags for m in draft.measures if m.unit != ledger[m.id].unit)  # the rest are flagged
    r = draft.report
    assert (r.date, r.feedback_date, r.issuer) == (D(2024, 3, 15), D(2023, 10, 9), "中共南京市玄武区委员会")
    assert (r.problems_total, r.problems_done, r.measures_total, r.measures_done) == (37, 14, 146, 77)


def test_county_report_in_gb18030_with_status_sections() -> None:
    draft = extract(os.path.join(DATA, "county_report.gb18030.txt"))
    assert [(n, s) for n, _, s in draft.problems] == [
        (1, "已完成整改的问题"),
        (2, "已完成整改的问题"),
        (3, "正在推进的问题"),
        (4, "正在推进的问题"),
        (5, "需长期坚持的问题"),
    ]
    assert [len([m for m in draft.measures if m.problem == p]) for p in range(1, 6)] == [2, 2, 3, 2, 2]
    m = {x.id: x for x in draft.measures}
    assert m["P2-2"].text == "二是完善校园安全管理制度，配齐专职保安人员86名。"  # a line break inside
    assert [x.status for x in draft.measures].count("done") == 4
    assert (m["P3-1"].unit, m["P3-1"].co_units, m["P3-1"].deadline.due) == (
        "县市场监管局",
        ["县教育体育局"],
        D(2024, 6, 30),
    )
    assert (m["P3-2"].deadline.due, m["P3-3"].deadline.recur) == (D(2024, 8, 31), "quarterly")
    assert (m["P4-1"].unit, m["P4-1"].deadline.due) == ("县教育体育局", D(2024, 8, 31))
    assert m["P4-2"].deadline.kind == "ongoing" and m["P5-1"].deadline.recur == "monthly"
    assert m["P3-2"].unit.startswith("县") and "unit_inferred" in m["P3-2"].flags
    r = draft.report
    assert (r.date, r.published, r.feedback_date) == (D(2024, 5, 8), D(2024, 5, 10), D(2023, 12, 15))
    assert (r.problems_total, r.problems_done, r.measures_total, r.measures_done) == (12, 8, 31, 22)


def test_university_report_as_html_with_circled_numbers() -> None:
    draft = extract(os.path.join(DATA, "university_report.html"))
    assert [title for _, title, _ in draft.problems] == [
        "思想政治工作体系不够健全",
        "科研诚信管理不严",
        "二级党组织主体责任落实不到位",
    ]
    assert len(draft.measures) == 8
    m = {x.id: x for x in draft.measures}
    assert (m["P1-2"].unit, m["P1-2"].deadline.due) == ("学生工作部", D(2024, 3, 31))
    assert (m["P2-1"].unit, m["P2-1"].deadline.due) == ("科学技术处", D(2024, 6, 30))
    assert (m["P2-2"].unit, m["P2-2"].deadline.due) == ("审计处", D(2024, 12, 31))
    assert m["P1-1"].status == "done" and m["P3-1"].status == "done"  # 已于10月印发实施 / 已完成
    assert m["P3-3"].deadline.kind == "immediate" and m["P1-3"].deadline.recur == "weekly"
    assert m["P1-3"].unit == "" and "no_unit" in m["P1-3"].flags  # no district body is invented for a university
    assert draft.report.published == D(2023, 12, 20)


def test_state_enterprise_report_as_docx_with_numbered_measures(tmp_path) -> None:
    import docx

    doc = docx.Document()
    with open(os.path.join(DATA, "enterprise_report.txt"), encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        doc.add_paragraph(line)
    path = tmp_path / "enterprise.docx"
    doc.save(str(path))
    draft = extract(str(path))
    assert [title for _, title, _ in draft.problems] == [
        "贯彻落实党中央决策部署有差距",
        "选人用人不规范",
        "落实中央八项规定精神不严格",
    ]
    assert [len([m for m in draft.measures if m.problem == p]) for p in (1, 2, 3)] == [3, 2, 3]
    m = {x.id: x for x in draft.measures}
    assert (m["P1-1"].unit, m["P1-1"].deadline.due) == ("集团战略规划部", D(2024, 6, 30))
    assert (m["P1-2"].unit, m["P1-2"].deadline.due) == ("财务部", D(2024, 12, 31))
    assert m["P1-3"].deadline.recur == "quarterly" and m["P3-2"].deadline.recur == "half-yearly"
    assert m["P2-1"].status == "done" and m["P2-2"].deadline.due == D(2024, 3, 31)
    assert m["P3-1"].deadline.kind == "immediate" and m["P3-3"].deadline.kind == "ongoing"
    assert (draft.report.date, draft.report.issuer) == (D(2024, 1, 18), "中国某某集团有限公司党委")


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Not a text file"),
        ("prose.txt", "今天天气很好，我们去公园散步。\n晚上看了一部电影。".encode(), "No problems or measures"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "Cannot open the .docx"),
    ],
    ids=["empty", "blank", "binary", "no-structure", "bad-docx"],
)
def test_not_a_report_gets_a_clear_error(tmp_path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LedgerImportError, match=message):
        extract(str(path))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_extract_cli_writes_a_draft_that_imports(tmp_path) -> None:
    out = tmp_path / "draft.xlsx"
    r = run("extract", REPORT_TXT, "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "30个问题，95条措施" in r.stdout and "集中整改期内已完成的整改事项：11个问题，32条措施" in r.stdout
    header = [c.value for c in openpyxl.load_workbook(out).active[1]]
    assert header[:6] == ["编号", "问题编号", "问题", "类别", "整改措施", "责任单位"] and header[-2:] == [
        "flags",
        "confidence",
    ]
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\npath = "{tmp_path / "s.json"}"\n', encoding="utf-8")
    assert run("--config", str(cfg), "import", str(out), "--at", "2024-03-15").returncode == 0
    rows = [json.loads(x) for x in run("--config", str(cfg), "list", "--json").stdout.splitlines()]
    assert len(rows) == 95 and next(x for x in rows if x["id"] == "P24-4")["due"] == "2024-08-31"


def test_extract_cli_json_and_errors(tmp_path) -> None:
    r = run("extract", REPORT_TXT, "--json")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(lines) == 96 and lines[-1]["report"]["measures_total"] == 146
    assert {
        "id",
        "problem",
        "problem_title",
        "section",
        "text",
        "unit",
        "deadline_text",
        "due",
        "kind",
        "status",
        "flags",
    } <= set(lines[0])
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = run("extract", str(empty))
    assert r.returncode == 2 and "empty" in r.stderr
