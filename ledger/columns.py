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
    "id": ("编号", "措施编号", "任务编号", "整改编号", "序号", "id", "no", "no.", "#"),
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
# A form's footer: 填表人 | 张三 | 审核人 | 李四 (a label alone in its cell, colon or not), 注：…, 合计.
FOOTER_LABELS = (
    r"填表人|填报人|制表人|审核人|审批人|联系人|联系电话|负责人|填报日期|填表日期|填报时间|制表日期|签字|单位盖章|盖章"
)
FOOTNOTE = re.compile(
    r"^\s*(?:(?:注|说明|备注|填表人|填报人|制表人|审核人|联系人|联系电话|负责人|签字|单位盖章|示例|例)\s*[:：]"
    rf"|(?:{FOOTER_LABELS})\s*[:：]?\s*$"
    r"|(?:合\s*计|总\s*计|小\s*计|共\s*计)(?:\s*[:：]|$))"
)
_LOOKUP = {unicodedata.normalize("NFKC", a).casefold(): k for k, aliases in HEADERS.items() for a in aliases}
_NOTE = re.compile(r"[(\[【][^)\]】]*[)\]】]")
# Who assigns, supervises, reports or fills in: a 交办单位 or 填报单位 column names another body.
NOT_RESPONSIBLE = r"交办|督办|督查|督导|监督|反馈|填报|报送|来源|巡察|巡视|审核|移交|下发"
# Dates a ledger keeps that are not the deadline: when the task was assigned, started, found, reported.
NOT_DEADLINE = r"交办|开始|启动|发现|反馈|填报|报送|下发|印发|发文|录入|立项"
DEADLINE_WORDS = re.compile(r"完成|结束|截止|时限|期限")  # of two dates read by meaning, the one saying when it ends
HEADER_MAX = 12  # a header names a column in a few characters; a longer cell is data, never matched by meaning
# Headers not in the synonym table are read by meaning: the first rule whose words the header
# holds decides. Progress and evidence columns come first (整改措施完成情况 is not the measure),
# numbers before problems (问题编号), helpers before leads (配合单位), bodies before people
# (责任单位及责任人), a time limit before the task it limits (整改任务完成时限). A body that
# assigns, supervises or fills in the ledger (交办单位, 督办单位, 反馈部门, 填报单位) is not the
# body that rectifies: kept as written, never the unit.
RULES: tuple[tuple[str, str | None], ...] = (
    (r"情况|进展|成效|佐证|材料|证明|结果|目标|(?:数|数量|个数|总数|比例|率)$", None),  # 整改措施数: a count
    (rf"(?:{NOT_RESPONSIBLE})(?:单位|部门|机关|机构|组|主体)", None),
    (rf"(?:{NOT_DEADLINE})(?:时间|日期)", None),  # 交办时间, 开始时间: a date, but not the deadline
    (r"问题.*(?:编号|序号)|问题号", "problem"),
    (r"编号|序号|代码|^id$", "id"),
    (r"类别|分类|方面|领域|板块|类型", "section"),
    (r"配合|协同|协办|协助|参与", "co_units"),
    (r"^(?:责任)?(?:单位|部门|科室|股室|处室)(?:主要)?(?:负责人|领导|责任人)$", "leader"),  # 科室负责人: a person
    (r"单位|部门|主体|承办|科室|股室|处室|科局|站所|院系|班组", "unit"),  # 责任科室, 责任股室
    (r"领导|责任人|负责人|包案|包保", "leader"),
    (r"(?:时限|期限|时间|日期|截止|节点)(?:要求)?$", "deadline_text"),
    (r"状态|是否完成|是否整改|完成与否", "status"),
    (r"措施|举措|任务|整改内容|整改方案|整改要求", "text"),
    (r"时限|期限|完成时间|截止", "deadline_text"),
    (r"问题|意见|表现", "problem_title"),
    (r"备注", "note"),
)
_RULES = tuple((re.compile(pattern), key) for pattern, key in RULES)
_WEAK = {"序号"}  # a row number: any other id column (措施编号, 整改编号) is the id


def header_text(cell: str) -> str:
    """A header as compared: no spaces or line breaks, full width folded, a trailing * or ： dropped,
    notes in brackets dropped (责任单位（部门） is 责任单位, 完成时限（年月） is 完成时限)."""
    s = "".join(unicodedata.normalize("NFKC", cell).split()).strip("*:：").casefold()
    return _NOTE.sub("", s) or s


def header_key(cell: str) -> str | None:
    """Which column a header names (`id`, `text`, `unit` …), or None for one Duban does not use."""
    return header_match(cell)[0]


def header_match(cell: str) -> tuple[str | None, int]:
    """(key, strength): 3 a synonym as written, 2 a synonym once notes are dropped, 1 by meaning, 0 none."""
    plain = _plain(cell)
    if plain in _LOOKUP:
        return _LOOKUP[plain], 3 if plain not in _WEAK else 1
    t = header_text(cell)
    if t in _LOOKUP:
        return _LOOKUP[t], 2 if t not in _WEAK else 1
    if not t or len(t) > HEADER_MAX or t in _EXTRA_TEXTS or re.search(r"[，。；,;]", t):
        return None, 0
    for pattern, key in _RULES:
        if pattern.search(t):
            return key, 1 if key else 0
    return None, 0


def _plain(cell: str) -> str:
    return "".join(unicodedata.normalize("NFKC", cell).split()).strip("*:：").casefold()


_EXTRA_TEXTS = {header_text(x) for x in (*KNOWN_EXTRAS, *DERIVED)}


@dataclass
class Header:
    """Where a sheet's header is (0-based row) and what each column holds."""

    row: int
    cols: dict[int, str] = field(default_factory=dict)  # column → key
    extras: dict[int, str] = field(default_factory=dict)  # column → header as written
    by_meaning: dict[int, str] = field(default_factory=dict)  # column → header as written, matched by rule
    ours: bool = False  # Duban's own export (it has 到期日): one measure per row, never split

    @property
    def keys(self) -> set[str]:
        return set(self.cols.values())


def read_header(cells: list[str], row: int, hidden: frozenset[int] = frozenset()) -> Header:
    """What each column holds: for each key the strongest visible column (the first, on a tie);
    a column that loses (a second 问题 column, 序号 beside 措施编号, a hidden copy) is kept as written.
    Of two unit columns (牵头单位 | 责任单位) the one saying 牵头 is the lead and the other the co-units;
    without 牵头 the stronger (责任单位 as written over a header read by meaning) is the unit and the
    other is kept as written: only 牵头 or 配合/协同/协办 makes a column the lead or the helpers."""
    h = Header(row)
    best: dict[str, tuple[int, int]] = {}  # key → (strength, column)
    units: list[int] = []
    for j, cell in enumerate(cells):
        key, strength = header_match(cell)
        if key is None:
            continue
        strength = 2 * (strength + (0 if j in hidden else 10))
        if key == "deadline_text" and DEADLINE_WORDS.search(header_text(cell)):
            strength += 1  # 计划时间 | 计划完成时间: the completion date
        if key == "unit" and j not in hidden:
            units.append(j)
        if key not in best or strength > best[key][0]:
            best[key] = (strength, j)
    lead = next((j for j in units if "牵头" in cells[j]), None)
    if len(units) == 2 and "co_units" not in best and lead is not None:
        best["unit"] = (best["unit"][0], lead)
        best["co_units"] = (1, next(j for j in units if j != lead))
    h.cols = {j: key for key, (_, j) in sorted(best.items(), key=lambda kv: kv[1][1])}
    h.by_meaning = {j: " ".join(cells[j].split()) for j, key in h.cols.items() if _LOOKUP.get(_plain(cells[j])) != key}
    derived = {header_text(d) for d in DERIVED}
    h.ours = any(header_text(cell) in derived for cell in cells)
    for j, cell in enumerate(cells):
        if j in h.cols or not cell.strip() or header_text(cell) in derived:
            continue
        label = " ".join(cell.split())
        if label not in h.extras.values():
            h.extras[j] = label
    return h


def is_header(h: Header) -> bool:
    """A ledger header names the measure column and at least one of unit, deadline or id."""
    return "text" in h.keys and bool(h.keys & {"unit", "deadline_text", "id"})


def find_header(rows: list[list[str]], hidden: frozenset[int] = frozenset()) -> Header | None:
    """The header among the first rows. Of a two-row header (a group label such as 整改责任 over
    责任单位 | 责任人) the lower row, with the upper row's titles where the lower cell is empty."""
    for i, cells in enumerate(rows[:HEADER_ROWS_SEARCHED]):
        h = read_header(cells, i, hidden)
        if not is_header(h):
            continue
        if i > 0:  # titles written only in the upper row of an unmerged two-row header
            up = read_header(_under(_keys_only(rows[i - 1]), cells), i, hidden)
            if len(up.cols) > len(h.cols):
                h = up
        if i + 1 < len(rows) and _looks_like_header(rows[i + 1]):
            lower = read_header(_under(cells, rows[i + 1]), i + 1, hidden)
            if is_header(lower) and len(lower.cols) >= len(h.cols):
                return lower
        return h
    return None


def _looks_like_header(cells: list[str]) -> bool:
    """A row of short titles, at least one of them a column Duban reads (not the first row of data)."""
    own = [c for c in cells if c.strip()]
    return any(header_key(c) for c in own) and all(len(header_text(c)) <= HEADER_MAX * 2 for c in own)


def _keys_only(cells: list[str]) -> list[str]:
    return [c if header_key(c) else "" for c in cells]


def _under(upper: list[str], lower: list[str]) -> list[str]:
    """The lower header row, with the upper row's label where the lower cell is empty (序号 merged down)."""
    n = max(len(upper), len(lower))
    up = upper + [""] * (n - len(upper))
    low = lower + [""] * (n - len(lower))
    return [lo if lo.strip() else u for u, lo in zip(up, low)]
