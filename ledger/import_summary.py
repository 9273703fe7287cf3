"""The import summary: what was read, what changed, what was skipped and why, in a few lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ledger.ledgerfile import SYNTHESIZED_NOTE, ParsedLedger

if TYPE_CHECKING:
    from ledger.service import ImportPlan
    from ledger.units import UnitMatch

SHOWN = 20


def summary_lines(plan: ImportPlan) -> list[str]:
    read = plan.read
    head = f"{plan.source}："
    if read.rows_read:
        sheets = f"（工作表：{'、'.join(read.sheets)}）" if read.sheets else ""
        head += f"读取 {read.rows_read} 行{sheets}，"
    lines = [head + f"新增 {len(plan.new)} 条，更新 {len(plan.updated)} 条，未变 {plan.unchanged} 条。"]
    if read.skipped:
        whys: dict[str, list[int]] = {}
        for s in read.skipped:
            whys.setdefault(s.why, []).append(s.row)
        parts = [f"{why} {len(rows)} 行（第 {_rows(rows)} 行）" for why, rows in whys.items()]
        lines.append("  跳过：" + "，".join(parts))
    if read.rows_read:
        lines.append("  编号：" + (SYNTHESIZED_NOTE if read.ids_synthesized else "沿用文件中的编号"))
    lines += reading_lines(read)
    d = plan.deadlines
    if d:
        text = f"  完成时限：日期 {len(d.get('date', []))} 条，文字 {len(d.get('prose', []))} 条"
        if d.get("empty"):
            text += f"，未填 {len(d['empty'])} 条"
        bad = d.get("unreadable", [])
        text += f"，无法识别 {len(bad)} 条" + (f"（{_ids(bad)}）" if bad else "")
        lines.append(text)
        if d.get("low"):
            lines.append(f"  时限读法待确认（依据较弱，请用 /measure 核对）：{_ids(d['low'])}")
    if plan.new_units:
        lines.append("  " + new_units_text(plan.new_units))
    if plan.renames:
        lines.append(f"  按内容匹配，编号变更 {len(plan.renames)} 条：" + _pairs(plan.renames))
    if plan.moved_aside:
        lines.append("  文件中已无、其编号被他项使用的措施，改存为：" + _pairs(plan.moved_aside))
    for m, fields in plan.updated[:SHOWN]:
        lines.append(f"  更新 {m.id}：{'、'.join(fields)}")
    if len(plan.updated) > SHOWN:
        lines.append(f"  ……另有 {len(plan.updated) - SHOWN} 条更新")
    for mid, old, new in plan.status_kept[:SHOWN]:
        lines.append(f"  {mid}：文件中状态为“{new}”，台账中为“{old}”，保留台账状态（状态变更请在对话中办理）")
    if plan.not_in_file:
        lines.append(f"  文件中没有、台账中保留的措施：{len(plan.not_in_file)} 条")
    return lines


KEY_NAMES = {
    "id": "编号",
    "problem": "问题编号",
    "problem_title": "问题",
    "section": "类别",
    "text": "整改措施",
    "unit": "责任单位",
    "co_units": "配合单位",
    "leader": "责任领导",
    "deadline_text": "完成时限",
    "status": "状态",
    "note": "备注",
}
# What the reader guessed, in the order an office would check it: (kind, what it did, a note).
GUESSES = (
    (
        "split",
        "一格写有多条措施，已拆为单独措施",
        "各沿用该行的责任单位和时限；不拆：加 --no-split，或在文件说明中写“不拆分”",
    ),
    ("unit_filer", "没有责任单位列，单位取自表头上方的“填报单位”", ""),
    ("unit_sheet", "没有责任单位列，单位取自工作表名或标题", "请核对"),
    ("unit_above", "责任单位未填，沿用同一问题上一行的单位", ""),
    ("unit_from_text", "责任单位未填，取自措施内容所写的单位", ""),
    ("deadline_from_text", "完成时限未填，取自措施内容所写的时限", ""),
    ("unit_inferred", "责任单位未填，按措施内容推定", "请核对"),
    ("unit_missing", "责任单位未填，也无法推定", ""),
    ("status_read", "状态按开头的词读取", ""),
    ("status_unknown", "状态无法识别，按“推进中”导入", "原文记入备注"),
)


def reading_lines(read: ParsedLedger) -> list[str]:
    """How the file was read where that was not plain: columns matched by meaning, hidden columns,
    and every guess (a split cell, a unit filled in, a status word read), each with its ids."""
    lines = []
    if read.by_meaning:
        headers = dict.fromkeys(f"{label}→{KEY_NAMES.get(key, key)}" for _, label, key in read.by_meaning)
        lines.append("  表头按含义识别：" + "，".join(list(headers)[:SHOWN]))
    if read.hidden_sheets:
        lines.append("  隐藏的工作表未读取：" + "、".join(read.hidden_sheets))
    if read.hidden:
        lines.append("  隐藏列（已读取，同名的可见列优先）：" + "、".join(dict.fromkeys(h for _, h in read.hidden)))
    for kind, what, note in GUESSES:
        found = read.guesses.get(kind, [])
        if found:
            listed = "；".join(found[:SHOWN]) + ("…" if len(found) > SHOWN else "") if kind == "split" else _ids(found)
            count = f"{len(found)} {'格' if kind == 'split' else '条'}" + (f"（{note}）" if note else "")
            lines.append(f"  {what} {count}：{listed}")
    return lines


def new_units_text(units: Sequence[UnitMatch]) -> str:
    parts = [u.name + (f"（最接近：{u.suggestion}）" if u.suggestion else "") for u in units[:SHOWN]]
    more = f" 等 {len(units)} 个" if len(units) > SHOWN else ""
    return f"新单位（单位目录中没有）：{'、'.join(parts)}{more}。可用别名归入已有单位。"


def _rows(rows: list[int]) -> str:
    return "、".join(str(r) for r in rows[:10]) + ("…" if len(rows) > 10 else "")


def _ids(ids: list[str]) -> str:
    return "、".join(ids[:SHOWN]) + ("…" if len(ids) > SHOWN else "")


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return "、".join(f"{a}→{b}" for a, b in pairs[:SHOWN]) + ("…" if len(pairs) > SHOWN else "")
