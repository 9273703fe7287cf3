"""One measure of a draft ledger: its unit, deadline and status, and the flags a human should check.

The unit comes from a 责任单位 label, else the unit a section heading names (`unit_from_section`),
else a body named in the text (a department opening the measure counts), else, in a body's report
on itself, that body (`unit_from_issuer`; "会同X…" makes X a co-unit), else the body whose business
the text is about (inferred, only for a district or county's own report). The status comes from a
完成情况/整改进展 label or a closing statement ("已完成。", "该项正在推进。"), else the section's title
(已完成… / 持续推进…), else completion words in the text (`status_from_text`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ledger.deadlines import parse_deadline
from ledger.extract_tree import RawMeasure
from ledger.models import Deadline
from ledger.status import takes_back
from ledger.units import canonical, choose_units, named_units

_DONE_SECTION = re.compile(r"已完成|已办结|已整改")
_DONE_TEXT = re.compile(
    r"已全部完成|已完成|已投入使用|已建成|已交付|已挂牌|已实施|已印发|已出台|已于[^，。；]{0,12}(?:印发|完成|建成|实施)"
    r"|已(?:督促|收回|追回|缴入|缴回|补缴|退还|归还|拨付|清理|修订|建立|制定|对)"
)
# Words that leave a measure open; 将 only as "will" (将于, 将持续), not as the object marker (将1286万元缴入).
_OPEN_TEXT = re.compile(
    r"正在|推进中|拟|计划|下一步|待|尚未|未完成|仍有|仍未|将(?=于|在|持续|继续|进一步|逐步|加快|适时|尽快|按|根据|全面|着力)"
)
_DONE_LABEL = re.compile(r"^(?:已完成|已整改|已办结|已销号|已全部完成|全部完成|完成整改|已落实|完成)")
_PARTNERS_FIRST = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+是|[①-⑳]|[(（]\d{1,2}[)）]|\d{1,2}\s*[.、．])?\s*(?:会同|联合|配合|协调)"
)
_UNIT_SPLIT = re.compile(r"[、，,；;/\s]+")


@dataclass
class DraftMeasure:
    id: str
    problem: int
    problem_title: str
    section: str
    text: str
    unit: str = ""
    co_units: list[str] = field(default_factory=list)
    leader: str = ""  # 牵头领导, as written
    unit_inferred: bool = False
    deadline_text: str = ""
    deadline: Deadline = field(default_factory=Deadline)
    status: str = "open"
    evidence: str = ""
    flags: list[str] = field(default_factory=list)
    unit_source: str = "none"  # text, section, issuer, inferred or none
    note: str = ""  # the report's own status words ("完成情况：基本完成")

    @property
    def confidence(self) -> float:
        """How sure the extraction is, 0–1: each flag a human should look at costs some."""
        cost = {
            "no_unit": 0.5,
            "unit_inferred": 0.3,
            "unit_check": 0.2,
            "no_deadline": 0.1,
            "status_from_text": 0.1,
            "deadline_past": 0.2,
            "unit_from_section": 0.1,
            "unit_from_issuer": 0.1,
            "truncated": 0.3,
            "deadline_low": 0.1,
        }
        return round(max(0.0, 1.0 - sum(cost.get(f, 0.1) for f in self.flags)), 2)


def draft_measure(
    mid: str,
    problem: int,
    title: str,
    section: str,
    raw: RawMeasure,
    section_unit: str,
    ref: dt.date,
    level: str = "区",
    owner: str = "",
) -> DraftMeasure:
    """A measure with its unit, deadline and status read, and flags for what may be wrong."""
    body = raw.text
    dm = DraftMeasure(id=mid, problem=problem, problem_title=title, section=section, text=body)
    _unit(dm, raw, section_unit, level, owner)
    dm.leader = raw.leader
    if raw.co_units:
        more = [canonical(u) for u in _UNIT_SPLIT.split(raw.co_units) if u]
        dm.co_units = list(dict.fromkeys([*dm.co_units, *(u for u in more if u != dm.unit)]))
    d = parse_deadline(raw.deadline or body, ref)
    if d.kind != "none":
        dm.deadline, dm.deadline_text = d, d.span
        if d.due and d.due < ref:
            dm.flags.append("deadline_past")
        if d.confidence == "low":
            dm.flags.append("deadline_low")  # a bare year, a stage without a verb, several dates: confirm it
    else:
        dm.deadline_text = raw.deadline
        dm.flags.append("no_deadline")
    _status(dm, raw, section)
    if dm.status == "done" and "no_deadline" in dm.flags:
        dm.flags.remove("no_deadline")  # reported done: there is nothing left to be due
    return dm


def _unit(dm: DraftMeasure, raw: RawMeasure, section_unit: str, level: str, owner: str) -> None:
    if raw.unit:
        names = [canonical(u) for u in _UNIT_SPLIT.split(raw.unit) if u]
        dm.unit, dm.co_units, dm.unit_source = names[0], names[1:], "text"
        return
    if section_unit:  # a per-unit report: the heading's unit owns everything under it
        dm.unit, dm.unit_source = canonical(section_unit), "section"
        dm.co_units = [u for u in named_units(dm.text) if u != dm.unit]
        dm.flags.append("unit_from_section")
        return
    dm.unit, dm.co_units, dm.unit_inferred = choose_units(dm.text, dm.problem_title)
    if owner and _PARTNERS_FIRST.match(dm.text):  # "一是会同区医保局…": the reporting body leads
        dm.co_units = [u for u in [dm.unit, *dm.co_units] if u and u != owner and not dm.unit_inferred]
        dm.unit, dm.unit_inferred = owner, True
    if dm.unit_inferred and owner:  # a body's report on itself: what it names no one else for is its own
        dm.unit, dm.unit_inferred, dm.unit_source = owner, False, "issuer"
        dm.flags.append("unit_from_issuer")
        return
    if dm.unit_inferred:
        # District bodies are only inferred for a district or county's own report.
        local = level in ("区", "县")
        dm.unit = (level + dm.unit[1:]) if local and dm.unit.startswith("区") else (dm.unit if local else "")
        dm.unit_inferred = bool(dm.unit)
    if not dm.unit:
        dm.flags.append("no_unit")
    elif dm.unit_inferred:
        dm.flags.append("unit_inferred")
        dm.unit_source = "inferred"
    else:
        dm.unit_source = "text"
        if not dm.unit.startswith(level or "区"):
            dm.flags.append("unit_check")


def _status(dm: DraftMeasure, raw: RawMeasure, section: str) -> None:
    sentences = [x for x in re.split(r"(?<=[。；;])", dm.text) if x.strip()]
    stated = _stated_status(sentences)
    if not stated and dm.deadline.kind == "none" and _STATEMENT.match(raw.deadline.strip()):
        stated = f"完成时限：{raw.deadline.strip()}"  # （…；完成时限：已完成）: a status in the deadline's place
    if raw.status or stated:
        value = (raw.status or stated).split("：", 1)[-1].strip()
        label = _DONE_LABEL.match(value)
        dm.status = "done" if label and not takes_back(value[label.end() :]) else "open"  # 完成80%: open
        dm.note = (raw.status or stated) if dm.status == "open" else ""
        dm.evidence = (raw.status or stated) if dm.status == "done" else ""
    elif _DONE_SECTION.search(section):
        dm.status = "done"
        dm.evidence = next((x for x in sentences if _DONE_TEXT.search(x)), "")
    elif not re.search(r"推进|正在|持续|长期|未完成", section):  # the section says nothing of status
        done = [x for x in sentences if _DONE_TEXT.search(x)]
        if done and not any(_OPEN_TEXT.search(x) for x in sentences):
            dm.status, dm.evidence = "done", done[0]
            dm.flags.append("status_from_text")


_STATEMENT = re.compile(
    r"^[(（]?(?:目前|截至目前|现)?[，,]?(?:该项|此项|本项|该措施|此项工作|该项工作)?(?:工作)?(?:已)?(?:需|均)?"
    r"(?P<s>已完成|已全部完成|已完成整改|已整改到位|已整改|已办结|已落实|完成|全部完成|正在推进|推进中|正在整改"
    r"|持续推进|长期坚持|基本完成|阶段性完成|未完成|按计划推进)[)）]?[。；;]?$"
)


def _stated_status(sentences: list[str]) -> str:
    """The report's own word on a measure, in a short closing sentence or clause ("已完成。",
    "该项正在推进。", "此项工作需长期坚持。", "…，已完成。", "（已完成）"), as a status label would give it."""
    last = sentences[-1].strip() if sentences else ""
    tail = re.search(r"[(（][^()（）]{2,8}[)）][。；;]?$", last)
    clause = re.split(r"[，,]", last)[-1].strip()
    m = _STATEMENT.match(tail[0]) if tail else None
    if not m and (len(sentences) >= 2 or clause != last):
        m = _STATEMENT.match(clause)
    if not m:
        return ""
    word = m["s"]
    return f"进展：{'已完成' if word in ('完成', '全部完成') else word}"
