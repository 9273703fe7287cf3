"""The columns of a ledger sheet: what each header means, where the header row is, what to skip.

Offices title their columns in many ways (整改措施, 整改任务, 具体措施 …); headers are matched after
removing spaces and line breaks (`责任\\n单位` is 责任单位). Columns Duban does not use (整改进展,
完成情况, 佐证材料, anything else) are kept per measure and written back on export.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "措施编号", "任务编号", "整改编号", "序号", "id"),
    "problem": ("问题编号", "问题序号", "problem_no"),
    "problem_title": ("问题", "反馈问题", "存在问题", "问题名称", "问题描述", "主要问题", "problem", "problem_title"),
    "section": ("类别", "分类", "问题类别", "板块", "section", "category"),
    "text": ("整改措施", "措施", "具体措施", "整改任务", "整改目标及措施", "整改举措", "measure", "text"),
    "unit": ("责任单位", "牵头单位", "责任部门", "主责单位", "unit"),
    "co_units": ("配合单位", "协同单位", "协办单位", "co_units"),
    "leader": ("牵头领导", "责任领导", "分管领导", "责任人", "leader"),
    "deadline_text": ("完成时限", "整改时限", "时限", "完成时间", "整改期限", "deadline", "deadline_text"),
    "status": ("状态", "整改状态", "完成状态", "status"),
    "note": ("备注", "note"),
    "unit_inferred": ("单位推定", "unit_inferred"),
}
# Columns Duban writes itself and recomputes on import, so they are neither read nor kept.
DERIVED = ("到期日", "预警")
# Columns offices keep that Duban does not use: recognised (for finding the header), kept verbatim.
KNOWN_EXTRAS = ("整改目标", "整改进展", "完成情况", "佐证材料", "进展情况", "整改成效", "销号情况")
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "编号"),
    ("problem", "问题编号"),
    ("problem_title", "问题"),
    ("section", "类别"),
    ("text", "整改措施"),
    ("unit", "责任单位"),
    ("co_units", "配合单位"),
    ("leader", "牵头领导"),
    ("deadline_text", "完成时限"),
    ("due", "到期日"),
    ("status", "状态"),
    ("tier", "预警"),
    ("note", "备注"),
    ("unit_inferred", "单位推定"),
)
HEADER_ROWS_SEARCHED = 10
FOOTNOTE = re.compile(r"^\s*(?:注|说明|备注|填表人|填报人|制表人|审核人|联系人|联系电话|负责人|签字|单位盖章)\s*[:：]")
_LOOKUP = {unicodedata.normalize("NFKC", a).casefold(): k for k, aliases in HEADERS.items() for a in aliases}


def header_text(cell: str) -> str:
    """A header as compared: no spaces or line breaks, full width folded, a trailing * or ： dropped."""
    return "".join(unicodedata.normalize("NFKC", cell).split()).rstrip("*:：").casefold()


def header_key(cell: str) -> str | None:
    """Which column a header names (`id`, `text`, `unit` …), or None for one Duban does not use."""
    return _LOOKUP.get(header_text(cell))


@dataclass
class Header:
    """Where a sheet's header is (0-based row) and what each column holds."""

    row: int
    cols: dict[int, str] = field(default_factory=dict)  # column → key
    extras: dict[int, str] = field(default_factory=dict)  # column → header as written

    @property
    def keys(self) -> set[str]:
        return set(self.cols.values())


def read_header(cells: list[str], row: int) -> Header:
    h = Header(row)
    for j, cell in enumerate(cells):
        key = header_key(cell)
        if key and key not in h.keys:
            h.cols[j] = key
        elif cell.strip() and header_text(cell) not in {header_text(d) for d in DERIVED}:
            label = " ".join(cell.split())
            if label not in h.extras.values():
                h.extras[j] = label
    return h


def is_header(h: Header) -> bool:
    """A ledger header names the measure column and at least one of unit, deadline or id."""
    return "text" in h.keys and bool(h.keys & {"unit", "deadline_text", "id"})


def find_header(rows: list[list[str]]) -> Header | None:
    """The header among the first rows; of a two-row header (a group label above), the lower row."""
    for i, cells in enumerate(rows[:HEADER_ROWS_SEARCHED]):
        h = read_header(cells, i)
        if not is_header(h):
            continue
        if i + 1 < len(rows):
            lower = read_header(_under(cells, rows[i + 1]), i + 1)
            if is_header(lower) and len(lower.cols) >= len(h.cols):
                return lower
        return h
    return None


def _under(upper: list[str], lower: list[str]) -> list[str]:
    """The lower header row, with the upper row's label where the lower cell is empty (序号 merged down)."""
    n = max(len(upper), len(lower))
    up = upper + [""] * (n - len(upper))
    low = lower + [""] * (n - len(lower))
    return [lo if lo.strip() else u for u, lo in zip(up, low)]
