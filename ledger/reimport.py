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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

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
    """Pair rows with stored measures of the same id; refuse where the content says otherwise."""
    by_key = {id_key(m.id): m for m in stored}
    by_text = {text_key(m.text): m for m in stored}
    out = Pairing()
    conflicts: list[str] = []
    for row in rows:
        old = by_key.get(id_key(row.id))
        if old is None:
            continue
        out.stored_for[row.id] = old
        if old.id != row.id:
            out.renames.append((old.id, row.id))
        if accept_changes or old.text == row.text:
            continue
        other = by_text.get(text_key(row.text))
        if other is not None and id_key(other.id) != id_key(row.id):
            conflicts.append(
                f"编号 {row.id} 的措施内容已变：{_short(old.text)} → {_short(row.text)}；"
                f"疑似插入或调序（与台账中 {other.id} 相同）"
            )
        elif similarity(old.text, row.text) < SMALL_EDIT:
            conflicts.append(f"编号 {row.id} 的措施内容已变：{_short(old.text)} → {_short(row.text)}")
    if conflicts:
        shown = "\n".join(conflicts[:15]) + (f"\n……共 {len(conflicts)} 处" if len(conflicts) > 15 else "")
        raise LedgerImportError(
            "重新导入时发现编号与内容对不上，未做任何修改：\n"
            f"{shown}\n"
            "若是插入、删除或调换了行而重新编号，请按内容匹配（--match text）；"
            "若确是对这些措施的修改，请确认后导入（--accept-changes）。"
            " Ids and texts disagree: re-import with --match text or --accept-changes.",
            file=source,
        )
    return out


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
