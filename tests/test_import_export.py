"""Importing and exporting ledgers: the shipped ledger, real spreadsheet headers, and bad files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest

from ledger.errors import LedgerImportError
from ledger.ledgerfile import read_ledger
from ledger.service import apply_import, plan_import
from ledger.status import add_note
from store import Repository
from tests.conftest import NOW, ROOT, SEED, load_seed


def run_cli(*args: str, config: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", config, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def config(tmp_path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[store]\npath = "{tmp_path / "var" / "duban.json"}"\n', encoding="utf-8")
    return str(path)


def test_shipped_ledger_has_every_problem_and_measure_of_the_report(seeded: Repository) -> None:
    problems = seeded.problems()
    measures = seeded.measures()
    assert [p.id for p in problems] == list(range(1, 31))
    assert sum(p.section.startswith("集中整改期内已完成") for p in problems) == 11
    assert problems[11].title == "争先进位成效不够明显"  # section (二)'s first problem is problem 12
    assert len(measures) == 95
    assert all(m.status == "done" for m in measures if m.problem <= 11)
    assert all(m.status == "open" for m in measures if m.problem >= 12)
    assert all(m.unit for m in measures)
    report = seeded.report()
    assert (report.date, report.feedback_date) == (dt.date(2024, 3, 15), dt.date(2023, 10, 9))
    assert (report.problems_total, report.problems_done, report.measures_total, report.measures_done) == (
        37,
        14,
        146,
        77,
    )


def test_shipped_ledger_resolves_its_deadlines(seeded: Repository) -> None:
    m = {x.id: x for x in seeded.measures()}
    assert (m["P22-1"].deadline_text, m["P22-1"].due) == ("计划2024年一季度开工实施", dt.date(2024, 3, 31))
    assert (m["P24-4"].deadline_text, m["P24-4"].due) == ("确保2024年暑期更换到位", dt.date(2024, 8, 31))
    assert (m["P30-2"].deadline_text, m["P30-2"].due) == ("计划2024年建成", dt.date(2024, 12, 31))
    assert (m["P6-3"].deadline.kind, m["P6-3"].deadline.recur) == ("recurring", "quarterly")
    assert (m["P4-1"].deadline.kind, m["P4-1"].deadline.recur) == ("recurring", "monthly")
    assert (m["P7-3"].deadline.kind, m["P7-3"].deadline.recur) == ("recurring", "weekly")
    assert m["P22-2"].deadline.kind == "ongoing"
    for x in m.values():  # every phrase is verbatim from the measure's text
        assert x.deadline_text in x.text


def test_reimporting_the_same_file_changes_nothing(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path)
    load_seed(repo)
    before = open(path, "rb").read()
    plan = plan_import(read_ledger(SEED, repo.problems()), repo, NOW, "seed")
    assert (len(plan.new), len(plan.updated), plan.unchanged) == (0, 0, 95)
    apply_import(plan, repo, NOW, "test")
    assert open(path, "rb").read() == before
    repo.close()


def test_edited_file_updates_text_but_keeps_status_and_history(seeded: Repository, tmp_path) -> None:
    seeded.put_measure(add_note(seeded.measure("P24-4"), "已完成招标", "tg:7", NOW))
    src = open(SEED, encoding="utf-8").read()
    edited = src.replace("确保2024年暑期更换到位", "确保2024年秋季开学前更换到位").replace(
        'status = "open"', 'status = "done"', 1
    )
    path = tmp_path / "edited.toml"
    path.write_text(edited, encoding="utf-8")
    plan = plan_import(read_ledger(str(path), seeded.problems()), seeded, NOW, "edited.toml")
    assert [m.id for m, _ in plan.updated] == ["P24-4"]
    assert plan.status_kept == [("P12-1", "open", "done")]
    apply_import(plan, seeded, NOW, "test")
    m = seeded.measure("P24-4")
    assert m.deadline_text == "确保2024年秋季开学前更换到位" and m.due == dt.date(2024, 8, 31)
    assert [e.action for e in m.history] == ["import", "note", "edit"]
    assert seeded.measure("P12-1").status == "open"


def _export(config: str, tmp_path, ext: str) -> str:
    out = str(tmp_path / f"out{ext}")
    r = run_cli("export", out, "--at", "2024-06-25", config=config)
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("ext", [".toml", ".csv", ".xlsx"])
def test_export_import_export_round_trips(config: str, tmp_path, ext: str) -> None:
    assert run_cli("import", SEED, config=config).returncode == 0
    first = _export(config, tmp_path, ext)
    config2 = tmp_path / "config2.toml"
    config2.write_text(f'[store]\npath = "{tmp_path / "var2" / "d.json"}"\n', encoding="utf-8")
    r = run_cli("import", first, "--at", "2024-03-15", config=str(config2))
    assert r.returncode == 0, r.stderr
    a = run_cli("list", "--json", config=config).stdout
    b = run_cli("list", "--json", config=str(config2)).stdout
    assert a == b and len(a.splitlines()) == 95


def test_xlsx_export_has_traffic_lights_and_an_overdue_sheet(config: str, tmp_path) -> None:
    run_cli("import", SEED, config=config)
    wb = openpyxl.load_workbook(_export(config, tmp_path, ".xlsx"))
    ws = wb["整改台账"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["编号", "问题编号", "问题", "类别", "整改措施", "责任单位"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows["P22-1"][header.index("预警")].value == "红灯"  # 2024-03-31 is past on 2024-06-25
    assert rows["P22-1"][0].fill.start_color.rgb.endswith("FFC7CE")
    assert rows["P1-1"][header.index("状态")].value == "已销号"
    assert [r[0].value for r in wb["逾期"].iter_rows(min_row=2)] == ["P22-1"]


def test_list_json_has_the_documented_fields(config: str) -> None:
    run_cli("import", SEED, config=config)
    lines = run_cli("list", "--json", "--unit", "区教育局", config=config).stdout.splitlines()
    objs = [json.loads(x) for x in lines]
    assert {"id", "problem", "text", "unit", "status", "deadline_text", "due", "kind"} <= set(objs[0])
    assert all(o["unit"] == "区教育局" for o in objs)
    assert {"id": "P24-4", "due": "2024-08-31", "kind": "period_end"}.items() <= next(
        o for o in objs if o["id"] == "P24-4"
    ).items()


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


HEAD = ["序号", "问题", "整改措施", "牵头单位", "完成时限", "整改状态"]
GOOD = [
    HEAD,
    ["1", "教育资源投入不足", "课桌椅更换", "区教育局", "2024年8月底前", "整改中"],
    ["2", "教育资源投入不足", "屋面防水维修", "区教育局", "6月底", "已完成"],
]


def test_real_ledger_headers_in_chinese_are_understood(repo: Repository, tmp_path) -> None:
    path = tmp_path / "台账.csv"
    path.write_bytes(_csv(GOOD, "gb18030"))
    parsed = read_ledger(str(path))
    apply_import(plan_import(parsed, repo, NOW, "台账.csv"), repo, NOW, "test")
    ms = repo.measures()
    assert [(m.id, m.unit, m.status, m.due) for m in ms] == [
        ("1", "区教育局", "open", dt.date(2024, 8, 31)),  # a 序号 that does not repeat is the office's id
        ("2", "区教育局", "done", dt.date(2024, 6, 30)),
    ]
    assert repo.problems()[0].title == "教育资源投入不足"


BAD_FILES = {
    "missing-column": (".csv", _csv([["序号", "问题", "整改措施"], ["1", "x", "y"]]), "责任单位"),
    "duplicate-id": (
        ".csv",
        _csv([["编号", "整改措施", "责任单位"], ["P1-1", "a", "u"], ["P1-1", "b", "u"]]),
        "row 3, column 编号",
    ),
    "empty-measure": (".csv", _csv([HEAD, ["1", "x", "", "区教育局", "", ""]]), "row 2, column 整改措施"),
    "wrong-encoding": (".csv", "序号,问题,整改措施,责任单位\n1,x,y,z\n".encode("utf-16"), "encoding"),
    "not-a-spreadsheet": (".xlsx", b"this is not a zip file", "Cannot open"),
    "broken-toml": (".toml", b"[report\ntitle=", "TOML"),
    "empty": (".csv", b"", "empty"),
    "unsupported-type": (".pdf", b"%PDF", "Unsupported"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_malformed_import_is_rejected_and_changes_nothing(case: str, config: str, tmp_path) -> None:
    ext, content, message = BAD_FILES[case]
    assert run_cli("import", SEED, config=config).returncode == 0
    store = tmp_path / "var" / "duban.json"
    before = store.read_bytes()
    bad = tmp_path / f"bad{ext}"
    bad.write_bytes(content)
    r = run_cli("import", str(bad), config=config)
    assert r.returncode == 2
    assert message in r.stderr and f"bad{ext}" in r.stderr
    assert store.read_bytes() == before


def test_dry_run_reports_without_writing(config: str, tmp_path) -> None:
    r = run_cli("import", SEED, "--dry-run", config=config)
    assert r.returncode == 0 and "新增 95 条" in r.stdout
    assert "P1-1" not in run_cli("list", "--json", config=config).stdout


def test_unreadable_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(LedgerImportError, match="not found"):
        read_ledger(str(tmp_path / "nope.xlsx"))


def test_run_without_a_token_says_how_to_get_one(config: str) -> None:
    import os as _os

    env = {k: v for k, v in _os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", config, "run"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert r.returncode == 2 and "BotFather" in r.stderr and "make demo" in r.stderr


def test_a_second_run_on_the_same_store_refuses_to_start(config: str, tmp_path) -> None:
    from store import Repository

    assert run_cli("import", SEED, config=config).returncode == 0
    holder = Repository.open(str(tmp_path / "var" / "duban.json"))
    try:
        r = subprocess.run(
            [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", config, "run"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TELEGRAM_BOT_TOKEN": "123:abc"},
        )
        assert r.returncode == 2 and "Another Duban process" in r.stderr
    finally:
        holder.close()


def test_office_ids_are_found_whatever_the_case_or_width_and_buttons_use_a_short_key(repo: Repository) -> None:
    from ledger.models import Measure

    repo.put_measures([Measure(id=i, problem=1, text=f"措施{i}") for i in ("ZG-01", "2024-整改-015", "（二）4")])
    assert repo.measure("zg-01").id == "ZG-01"
    assert repo.measure("ＺＧ－０１").id == "ZG-01"
    assert repo.measure("(二)4").id == "（二）4"
    for m in repo.measures():
        key = repo.key_of(m.id)
        assert repo.measure_by_key(key).id == m.id
        assert len(f"ea:{key}".encode()) <= 64 and key.isascii()


KNOWN_UNITS = ["区教育局", "区财政局", "区环境集团", "区应急管理局", "区住建局", "玄武交警大队"]
SPELLINGS = {
    "区教育局": ("区教育局", "exact"),
    "玄武区教育局": ("区教育局", "normalised"),
    "教育局": ("区教育局", "normalised"),
    "区教育局（牵头）": ("区教育局", "normalised"),
    "区 教育局": ("区教育局", "normalised"),
    "区环境集团有限公司": ("区环境集团", "normalised"),
    "玄武区环境集团有限责任公司": ("区环境集团", "normalised"),
    "区应急局": ("区应急管理局", "alias"),
    "区住房和城乡建设局": ("区住建局", "alias"),
    "区体育局": ("区体育局", "new"),
    "区教育督导室": ("区教育督导室", "new"),
}


@pytest.mark.parametrize("written", SPELLINGS, ids=list(SPELLINGS))
def test_unit_spellings_resolve_to_the_directory_or_are_reported_new(written: str) -> None:
    from ledger.units import resolve_unit

    hit = resolve_unit(written, KNOWN_UNITS)
    assert (hit.name, hit.how) == SPELLINGS[written]


def test_a_new_unit_comes_with_the_closest_known_name_and_aliases_from_config_apply() -> None:
    from ledger.units import match_units, resolve_unit, split_units

    assert resolve_unit("区教育督导室", KNOWN_UNITS).suggestion == "区教育局"
    assert resolve_unit("环境集团公司", KNOWN_UNITS, {"环境集团公司": "区环境集团"}).name == "区环境集团"
    assert match_units("教育", KNOWN_UNITS) == ["区教育局"]
    assert match_units("体育", KNOWN_UNITS) == []
    assert split_units("区住建局、区城管局") == ("区住建局", ("区城管局",))
    assert split_units("区住建局/区城管局") == ("区住建局", ("区城管局",))
    assert split_units("区住建局、区教育局（牵头）") == ("区教育局", ("区住建局",))


def test_measures_can_swap_ids_in_one_rename(repo: Repository) -> None:
    from ledger.models import Measure

    repo.put_measures([Measure(id=i, problem=1, text=f"措施{i}") for i in ("1", "2", "3")])
    repo.rename_measures([("1", "2"), ("2", "1"), ("3", "3（原）")])
    assert {m.id: m.text for m in repo.measures()} == {"1": "措施2", "2": "措施1", "3（原）": "措施3"}
    assert repo.measure("2").text == "措施1"


def test_export_writes_formula_like_cells_as_text_real_dates_and_an_autofilter() -> None:
    from ledger.ledgerwrite import write_csv, write_xlsx

    rows = [["编号", "整改措施", "到期日"]] + [
        [f"A-{i}", v, "2024-06-30"] for i, v in enumerate(["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
    ]
    wb = openpyxl.load_workbook(io.BytesIO(write_xlsx(rows, ["red"] * 6, rows[:2])))
    ws = wb["整改台账"]
    assert [(c.value, c.data_type) for c in ws["B"][1:]] == [(r[1], "s") for r in rows[1:]]
    assert ws["C2"].value == dt.datetime(2024, 6, 30) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws.auto_filter.ref == "A1:C7" and ws.freeze_panes == "A2"
    overdue = wb["逾期"]
    assert overdue.auto_filter.ref == "A1:C2" and overdue["A1"].font.b
    assert overdue["B2"].fill.start_color.rgb == ws["B2"].fill.start_color.rgb == "FFFFC7CE"
    text = write_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'-2" in text and "'@SUM(A1)" in text
    from ledger.sheets import csv_sheets  # and the quote is undone when the file comes back

    assert [r[1] for r in csv_sheets(write_csv(rows), "x.csv")[0].rows[1:]] == [r[1] for r in rows[1:]]
