"""Which stored measure each row of a re-imported ledger is, so status and history stay on it.

Offices renumber a plain 序号 when they insert a row. Keyed by id alone, the new row would
inherit the 已销号 status of the one that used to sit there: a wrong sign-off nobody sees.
So a re-import compares each row's text with the stored measure of the same id, and stops
where the text changed beyond small edits or now matches another stored measure. The office
then chooses: match by text (the stored record follows its content to the new number), or
accept the changes as edits.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ledger.cellsplit import LEAD_IN_MAX
from ledger.errors import LedgerImportError
from ledger.ids import id_key
from ledger.models import Measure

Match = Literal["id", "text"]
SMALL_EDIT = 0.6  # similarity (0–1) above which a changed text is an edit of the same measure
SAME_TEXT = 0.9  # similarity above which two texts are the same measure (text matching)
_NOISE = re.compile(r"[\s，。、；：,.;:“”\"'（）()]+")


def text_key(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text))


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, text_key(a), text_key(b), autojunk=False).ratio()


@dataclass
class Pairing:
    """For each row of the file, the stored measure it is (or None: new), and renumberings."""

    stored_for: dict[str, Measure] = field(default_factory=dict)  # file id → stored measure
    renames: list[tuple[str, str]] = field(default_factory=list)  # stored id → file id
    moved_aside: list[tuple[str, str]] = field(default_factory=list)  # stored id → id it is kept under


def pair_by_id(rows: Sequence[Measure], stored: Sequence[Measure], source: str, accept_changes: bool) -> Pairing:
    """Pair rows with stored measures of the same id; refuse where the content says otherwise.

    Two things stop the import. A shift: a row whose text is another stored measure's (better than
    its own id's), while that measure's id now holds other text; an item inserted into a split cell
    or a merged problem renumbers the ones after it, and keyed by id a sign-off would slide onto a
    measure nobody did. `accept_changes` does not pass a shift: only matching by text fixes it.
    A change: text changed beyond small edits, or changed at all on a measure a unit has submitted,
    had signed off or asked to extend; that needs `accept_changes`.
    """
    if not stored:  # a first import: every row is new, nothing to pair or refuse
        return Pairing()
    by_key = {id_key(m.id): m for m in stored}
    row_key = {id_key(r.id): r for r in rows}
    row_core, old_core = _cores(rows, stored), _cores(stored, rows)
    keyed = [(m, id_key(m.id), text_key(old_core[m.id])) for m in stored]  # once, not once per row
    same_text: dict[str, list[tuple[Measure, str, str]]] = {}
    for entry in keyed:
        same_text.setdefault(entry[2], []).append(entry)
    out = Pairing()
    shifts: list[str] = []
    conflicts: list[str] = []
    for row in rows:
        old = by_key.get(id_key(row.id))
        if old is not None:
            out.stored_for[row.id] = old
            if old.id != row.id:
                out.renames.append((old.id, row.id))
            if old.text == row.text:
                continue
        core = row_core[row.id]
        own = similarity(old_core[old.id], core) if old is not None else 0.0
        other = _likeliest(core, id_key(row.id), keyed, old_core, same_text) if keyed else None
        if other is not None and other[1] > own and not _kept(other[0], row_key, row_core, old_core):
            was = f" 的措施内容已变：{_short(old.text)} → " if old is not None else "（新编号）的内容："
            shifts.append(f"编号 {row.id}{was}{_short(row.text)}；疑似插入或调序（与台账中 {other[0].id} 相同）")
        elif old is None or accept_changes:
            continue
        elif other is not None and other[1] >= SAME_TEXT:
            conflicts.append(
                f"编号 {row.id} 的措施内容已变：{_short(old.text)} → {_short(row.text)}；"
                f"疑似插入或调序（与台账中 {other[0].id} 相同）"
            )
        elif similarity(old_core[old.id], core) < SMALL_EDIT:
            conflicts.append(f"编号 {row.id} 的措施内容已变：{_short(old.text)} → {_short(row.text)}")
        elif old.status != "open" or old.extension is not None:
            state = {"submitted": "已报完成", "done": "已销号"}.get(old.status, "已申请延期")
            conflicts.append(f"编号 {row.id}（{state}）的措施内容有改动：{_short(old.text)} → {_short(row.text)}")
    if shifts:
        raise LedgerImportError(
            "重新导入时发现编号错位（疑似插入、删除或调换了行后重新编号），未做任何修改：\n"
            f"{_listed(shifts + conflicts)}\n"
            "按编号导入会把状态和销号记到别的措施上。请按内容匹配（--match text），"
            "或保持已有措施的编号不变、新增措施使用新编号后再导入。"
            " Ids moved: re-import with --match text, or keep ids stable.",
            file=source,
        )
    if conflicts:
        raise LedgerImportError(
            "重新导入时发现编号与内容对不上，未做任何修改：\n"
            f"{_listed(conflicts)}\n"
            "若是插入、删除或调换了行而重新编号，请按内容匹配（--match text）；"
            "若确是对这些措施的修改，请确认后导入（--accept-changes）。"
            " Ids and texts disagree: re-import with --match text or --accept-changes.",
            file=source,
        )
    return out


def _likeliest(
    core: str,
    row_id: str,
    stored: Sequence[tuple[Measure, str, str]],
    cores: dict[str, str],
    same_text: dict[str, list[tuple[Measure, str, str]]],
) -> tuple[Measure, float] | None:
    """The stored measure (other than the row's own id) whose text this is (the same or nearly), with
    the similarity; else None. `stored` is (measure, id key, text key), `same_text` the same by text
    key: the first stored measure of the same text is the answer (1.0 is never beaten), found without
    a scan; else lengths too far apart to reach SAME_TEXT (similarity is at most 2·shorter/both) are
    passed over without comparing."""
    key = text_key(core)
    exact = next((m for m, mid, _ in same_text.get(key, ()) if mid != row_id), None)
    if exact is not None:
        return exact, 1.0
    best: tuple[Measure, float] | None = None
    for m, mid, other in stored:
        if mid == row_id:
            continue
        if other == key:
            score = 1.0
        elif 2 * min(len(key), len(other)) < SAME_TEXT * (len(key) + len(other)):
            continue
        else:
            score = similarity(cores[m.id], core)
        if score >= SAME_TEXT and (best is None or score > best[1]):
            best = (m, score)
    return best


def _kept(m: Measure, rows: dict[str, Measure], row_core: dict[str, str], old_core: dict[str, str]) -> bool:
    """Whether the file still has `m` under its own id (then a row with the same text is a duplicate)."""
    row = rows.get(id_key(m.id))
    return row is not None and similarity(row_core[row.id], old_core[m.id]) >= SAME_TEXT


def _cores(measures: Sequence[Measure], others: Sequence[Measure]) -> dict[str, str]:
    """Each text without a lead-in it shares with a sibling (`加强…管理：` of a split cell's items).

    The shared lead-in makes every item of a cell look alike, so a different item would pass as
    a small edit of its neighbour; compared without it, the items differ as much as they do.
    A lead-in counts as shared when it heads two texts in the file and the store together.
    """
    count = Counter(lead for m in (*measures, *others) if (lead := _lead_in(m.text)))
    out = {}
    for m in measures:
        lead = _lead_in(m.text)
        out[m.id] = m.text[len(lead) + 1 :] if lead and count[lead] > 1 else m.text
    return out


def _lead_in(text: str) -> str:
    head, sep, rest = text.partition("：")
    return head if sep and rest and 0 < len(head) <= LEAD_IN_MAX else ""


def _listed(lines: list[str]) -> str:
    return "\n".join(lines[:15]) + (f"\n……共 {len(lines)} 处" if len(lines) > 15 else "")


def pair_by_text(rows: Sequence[Measure], stored: Sequence[Measure]) -> Pairing:
    """Pair rows with stored measures by content, then give each stored record the row's id."""
    out = Pairing()
    free = {m.id: m for m in stored}
    by_text: dict[str, list[Measure]] = {}
    for m in stored:
        by_text.setdefault(text_key(m.text), []).append(m)
    unmatched: list[Measure] = []
    for row in rows:
        cands = [m for m in by_text.get(text_key(row.text), []) if m.id in free]
        same_id = [m for m in cands if id_key(m.id) == id_key(row.id)]
        hit = next(iter(same_id or cands), None)
        if hit is None:
            unmatched.append(row)
            continue
        out.stored_for[row.id] = free.pop(hit.id)
    for row in unmatched:  # edited as well as moved: the most similar free record, if close enough
        best = max(free.values(), key=lambda m: similarity(m.text, row.text), default=None)
        if best is not None and similarity(best.text, row.text) >= SAME_TEXT:
            out.stored_for[row.id] = free.pop(best.id)
    out.renames = [(m.id, rid) for rid, m in out.stored_for.items() if m.id != rid]
    taken = {id_key(r.id) for r in rows}
    used = taken | {id_key(m.id) for m in stored}
    for m in free.values():  # a record no row matched, whose id a row now uses: kept under another id
        if id_key(m.id) in taken:
            new_id = _aside(m.id, used)
            used.add(id_key(new_id))
            out.moved_aside.append((m.id, new_id))
    return out


def _aside(mid: str, used: set[str]) -> str:
    n, new_id = 1, f"{mid}（原）"
    while id_key(new_id) in used:
        n += 1
        new_id = f"{mid}（原{n}）"
    return new_id


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
