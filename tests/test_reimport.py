"""Re-importing an office's ledger after it inserted, deleted and swapped rows: status stays on its measure."""

from __future__ import annotations

import csv
import io
import pathlib

import pytest

from ledger.errors import LedgerImportError
from ledger.models import Evidence
from ledger.service import import_file
from ledger.status import add_note, approve_signoff, submit
from store import Repository
from tests.conftest import NOW

TEXTS = {
    "a": "更换全区中小学老旧课桌椅",
    "b": "完成区属学校屋面防水维修",
    "c": "建立校园食堂食品安全日查制度",
    "d": "新建两处社区居家养老服务站",
    "e": "整治珠江路沿线占道经营",
}
NEW_TEXT = "开展背街小巷停车秩序专项整治"


def write_csv(path: pathlib.Path, rows: list[tuple[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["序号", "问题", "整改措施", "责任单位", "完成时限"])
    for mid, text in rows:
        w.writerow([mid, "民生短板", text, "区教育局", "2024年12月底前"])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    return str(path)


def sign_off(repo: Repository, mid: str) -> None:
    m = submit(repo.measure(mid), Evidence(note="已完成"), "unit", NOW)
    repo.put_measure(approve_signoff(m, "admin", NOW))


def by_text(repo: Repository) -> dict[str, tuple[str, str, list[str]]]:
    return {m.text: (m.id, m.status, [e.action for e in m.history]) for m in repo.measures()}


@pytest.fixture
def worked_ledger(file_repo: Repository, tmp_path: pathlib.Path) -> Repository:
    """Five measures numbered 1–5; c is signed off, d is submitted, a has a progress note."""
    import_file(
        file_repo, write_csv(tmp_path / "v1.csv", [(str(i), TEXTS[k]) for i, k in enumerate("abcde", 1)]), NOW, "t"
    )
    sign_off(file_repo, "3")
    file_repo.put_measure(submit(file_repo.measure("4"), Evidence(note="已建成"), "unit", NOW))
    file_repo.put_measure(add_note(file_repo.measure("1"), "已招标", "unit", NOW))
    return file_repo


def test_renumbered_ledger_stops_and_names_the_pairs_leaving_the_store_unchanged(worked_ledger, tmp_path) -> None:
    # a row inserted after 1, d deleted, b and c swapped; the office renumbered 序号
    v2 = write_csv(tmp_path / "v2.csv", list(zip("12345", [TEXTS["a"], NEW_TEXT, TEXTS["c"], TEXTS["b"], TEXTS["e"]])))
    store = pathlib.Path(tmp_path / "s.json")
    before = store.read_bytes()
    with pytest.raises(LedgerImportError) as e:
        import_file(worked_ledger, v2, NOW, "t")
    assert "编号 4 的措施内容已变" in str(e.value) and "疑似插入或调序" in str(e.value)
    assert "--match text" in str(e.value)  # --accept-changes would not help: the ids moved
    assert store.read_bytes() == before


def test_matching_by_text_keeps_every_status_and_history_on_its_measure(worked_ledger, tmp_path) -> None:
    before = by_text(worked_ledger)
    v2 = write_csv(tmp_path / "v2.csv", list(zip("12345", [TEXTS["a"], NEW_TEXT, TEXTS["c"], TEXTS["b"], TEXTS["e"]])))
    plan = import_file(worked_ledger, v2, NOW, "t", match="text")
    after = by_text(worked_ledger)
    for k in "abce":  # same status, same history (plus the renumbering), under the office's new number
        assert after[TEXTS[k]][1] == before[TEXTS[k]][1]
        assert after[TEXTS[k]][2][: len(before[TEXTS[k]][2])] == before[TEXTS[k]][2]
    assert after[TEXTS["c"]][:2] == ("3", "done") and after[TEXTS["b"]][:2] == ("4", "open")
    assert after[NEW_TEXT][:2] == ("2", "open")  # the inserted row inherits nothing
    assert after[TEXTS["d"]][:2] == ("4（原）", "submitted")  # deleted from the file, kept aside
    assert ("2", "4") in plan.renames and "编号变更" in plan.summary()


def test_stable_office_ids_survive_insert_delete_and_swap_without_asking(file_repo, tmp_path) -> None:
    ids = ["ZG-01", "ZG-02", "ZG-03", "ZG-04", "ZG-05"]
    import_file(file_repo, write_csv(tmp_path / "v1.csv", list(zip(ids, (TEXTS[k] for k in "abcde")))), NOW, "t")
    sign_off(file_repo, "zg-03")
    rows = [
        ("ZG-01", TEXTS["a"]),
        ("ZG-06", NEW_TEXT),
        ("ZG-03", TEXTS["c"]),
        ("ZG-02", TEXTS["b"]),
        ("ZG-05", TEXTS["e"]),
    ]
    plan = import_file(file_repo, write_csv(tmp_path / "v2.csv", rows), NOW, "t")
    assert [m.id for m in plan.new] == ["ZG-06"] and plan.not_in_file == ["ZG-04"]
    assert file_repo.measure("ZG-03").status == "done" and file_repo.measure("ZG-06").status == "open"


def test_accepting_changes_keeps_status_on_the_id(worked_ledger, tmp_path) -> None:
    rows = [(str(i), TEXTS[k]) for i, k in enumerate("abcde", 1)]
    rows[2] = ("3", "建立校园食堂食品安全周查与通报制度并公开结果")
    import_file(worked_ledger, write_csv(tmp_path / "v2.csv", rows), NOW, "t", accept_changes=True)
    m = worked_ledger.measure("3")
    assert m.status == "done" and m.text == rows[2][1]


def test_a_reply_to_an_old_reminder_finds_its_measure_after_renumbering(worked_ledger, tmp_path) -> None:
    worked_ledger.remember_message(-100, 7, "2")  # a reminder about b, then numbered 2
    v2 = write_csv(tmp_path / "v2.csv", list(zip("12345", [TEXTS["a"], NEW_TEXT, TEXTS["c"], TEXTS["b"], TEXTS["e"]])))
    import_file(worked_ledger, v2, NOW, "t", match="text")
    assert worked_ledger.message_measure(-100, 7) == "4"
    assert worked_ledger.measure("4").text == TEXTS["b"]


LEAD = "加强学校食堂食品安全管理："
SPLIT_CASES = {  # a cell split into 3-1, 3-2 (3-2 signed off), then an item inserted in the middle
    "shared_lead_in": (
        LEAD + "1.建立食堂日查制度；2.每月开展一次食品安全检查",
        LEAD + "1.建立食堂日查制度；2.建立食堂晨检制度；3.每月开展一次食品安全检查",
        LEAD + "每月开展一次食品安全检查",
    ),
    "similar_items": (
        "1.建立食堂日查制度；2.建立食堂周查制度",
        "1.建立食堂日查制度；2.建立食堂晨检制度；3.建立食堂周查制度",
        "建立食堂周查制度",
    ),
}


def write_cell(path: pathlib.Path, mid: str, cell: str) -> str:
    return write_csv(path, [(mid, cell)])


@pytest.mark.parametrize("case", SPLIT_CASES, ids=list(SPLIT_CASES))
def test_an_item_inserted_in_a_split_cell_is_refused_not_given_the_sign_off(file_repo, tmp_path, case) -> None:
    v1, v2, done_text = SPLIT_CASES[case]
    import_file(file_repo, write_cell(tmp_path / "v1.csv", "3", v1), NOW, "t")
    sign_off(file_repo, "3-2")
    store = pathlib.Path(tmp_path / "s.json")
    before = store.read_bytes()
    with pytest.raises(LedgerImportError) as e:
        import_file(file_repo, write_cell(tmp_path / "v2.csv", "3", v2), NOW, "t")
    assert "3-3" in str(e.value) and "3-2" in str(e.value) and "--match text" in str(e.value)
    assert store.read_bytes() == before
    # matching by content keeps the sign-off on the measure that was really done
    import_file(file_repo, write_cell(tmp_path / "v2.csv", "3", v2), NOW, "t", match="text")
    done = [m for m in file_repo.measures() if m.status == "done"]
    assert [(m.id, m.text) for m in done] == [("3-3", done_text)]
    assert file_repo.measure("3-2").status == "open"


def test_accepting_changes_does_not_let_a_shifted_split_cell_through(file_repo, tmp_path) -> None:
    v1, v2, _ = SPLIT_CASES["shared_lead_in"]
    import_file(file_repo, write_cell(tmp_path / "v1.csv", "3", v1), NOW, "t")
    sign_off(file_repo, "3-2")
    with pytest.raises(LedgerImportError, match="3-3"):
        import_file(file_repo, write_cell(tmp_path / "v2.csv", "3", v2), NOW, "t", accept_changes=True)
    assert file_repo.measure("3-2").status == "done"


def write_merged(path: pathlib.Path, texts: list[str]) -> str:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    ws.append(["序号", "存在问题", "整改措施", "责任单位", "完成时限"])
    for k, text in enumerate(texts):
        ws.append(["1" if k == 0 else None, "食堂管理不规范" if k == 0 else None, text, "区教育局", "2024年9月底"])
    ws.append(["2", "校车安全", "开展校车专项检查", "区交通局", "2024年6月底"])
    ws.merge_cells(f"A2:A{len(texts) + 1}")
    ws.merge_cells(f"B2:B{len(texts) + 1}")
    wb.save(path)
    return str(path)


def test_a_row_inserted_in_a_merged_problem_does_not_move_generated_ids_sign_off(file_repo, tmp_path) -> None:
    import_file(file_repo, write_merged(tmp_path / "m1.xlsx", ["建立食堂日查制度", "建立食堂周查制度"]), NOW, "t")
    sign_off(file_repo, "P1-2")
    v2 = write_merged(tmp_path / "m2.xlsx", ["建立食堂日查制度", "建立食堂晨检制度", "建立食堂周查制度"])
    with pytest.raises(LedgerImportError) as e:
        import_file(file_repo, v2, NOW, "t")
    assert "P1-3" in str(e.value) and "P1-2" in str(e.value)
    assert file_repo.measure("P1-2").status == "done" and not file_repo.has_measure("P1-3")
    import_file(file_repo, v2, NOW, "t", match="text")
    assert file_repo.measure("P1-3").status == "done" and file_repo.measure("P1-3").text == "建立食堂周查制度"
    assert file_repo.measure("P1-2").status == "open"


@pytest.mark.parametrize("state", ["submitted", "done", "extension"])
def test_a_small_text_edit_to_a_measure_in_progress_needs_accepting(file_repo, tmp_path, state) -> None:
    from ledger.status import request_extension

    import_file(file_repo, write_csv(tmp_path / "v1.csv", [("1", TEXTS["c"])]), NOW, "t")
    m = file_repo.measure("1")
    if state == "done":
        sign_off(file_repo, "1")
    elif state == "submitted":
        file_repo.put_measure(submit(m, Evidence(note="已建成"), "unit", NOW))
    else:
        file_repo.put_measure(request_extension(m, NOW.date().replace(year=2025), "资金未到位", "unit", NOW))
    edited = write_csv(tmp_path / "v2.csv", [("1", TEXTS["c"] + "并每周通报")])
    with pytest.raises(LedgerImportError, match="--accept-changes"):
        import_file(file_repo, edited, NOW, "t")
    assert file_repo.measure("1").text == TEXTS["c"]
    import_file(file_repo, edited, NOW, "t", accept_changes=True)
    assert file_repo.measure("1").text == TEXTS["c"] + "并每周通报"


def test_a_small_text_edit_to_an_open_measure_is_still_an_update(file_repo, tmp_path) -> None:
    import_file(file_repo, write_csv(tmp_path / "v1.csv", [("1", TEXTS["c"])]), NOW, "t")
    plan = import_file(file_repo, write_csv(tmp_path / "v2.csv", [("1", TEXTS["c"] + "并每周通报")]), NOW, "t")
    assert [(m.id, f) for m, f in plan.updated] == [("1", ["text"])]
