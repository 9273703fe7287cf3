"""The status lifecycle of a measure, enforced here and nowhere else.

    open ──submit──▶ submitted ──approve_signoff (销号)──▶ done
      ▲                  │                                 │
      └──send_back (退回)─┘◀────────────reopen───────────────┘
    open ──request_extension──▶ open + pending extension
         ──approve_extension──▶ open, new due date (tiers restart)
         ──reject_extension───▶ open, unchanged

Each function returns a new `Measure` whose history has one more `Event`;
an illegal change raises `IllegalTransition` with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from ledger.errors import IllegalTransition
from ledger.models import Event, Evidence, Extension, Measure, Status
from ledger.records import evolve

STATUS_LABELS_ZH: dict[str, str] = {"open": "推进中", "submitted": "待销号", "done": "已销号"}

# The words offices write in a ledger's 状态 column, and what each means here: (status, note).
# A note keeps what the word said beyond the status (基本完成 is still open, but nearly there).
# The one table: imports read it and `list --status` matches against it.
STATUS_WORDS: dict[str, tuple[Status, str]] = {
    **dict.fromkeys(("open", "开放", "推进中", "整改中", "正在整改", "正在推进", "进行中", "持续推进"), ("open", "")),
    **dict.fromkeys(("未开始", "未完成", "尚未完成", "未整改", "部分完成", "长期坚持", "持续整改"), ("open", "")),
    "基本完成": ("open", "文件中状态为“基本完成”"),
    "阶段性完成": ("open", "文件中状态为“阶段性完成”"),
    **dict.fromkeys(("submitted", "待审核", "待销号", "已提交", "申请销号", "待验收"), ("submitted", "")),
    **dict.fromkeys(("done", "已完成", "完成", "已整改", "已完成整改", "整改完成", "已销号"), ("done", "")),
    **dict.fromkeys(("已办结", "办结", "已落实", "已验收", "✓", "√", "✔", "☑", "是"), ("done", "")),
    "否": ("open", ""),  # a 是否完成 column
}
_AFTER_WORD = "，,。；;：:（( "  # 已完成，5月已验收: the word, then what the office added
# What the office added takes a 完成 back (完成（80%）, 已整改，待复查, 完成:否, 完成，但仍有3处未整改):
# the cell does not say done, so the measure is not signed off on import.
_TAKEN_BACK = re.compile(r"未|否|待|部分|一半|[%％]|但|尚|仍")


def status_from_text(text: str) -> tuple[Status, str] | None:
    """A status cell that starts with a status word and goes on (`已完成，5月已验收`, `整改中（已招标）`):
    the longest word it starts with, when a punctuation mark follows it; else None (`完成率80%`).
    A 完成 the rest takes back (`完成（80%）`, `已整改，待复查`, `完成:否`) is None too: not done."""
    key = "".join(text.split()).casefold()
    for word in sorted(STATUS_WORDS, key=len, reverse=True):
        w = word.casefold()
        if len(w) >= 2 and key.startswith(w) and key[len(w) : len(w) + 1] in tuple(_AFTER_WORD):
            status, _ = STATUS_WORDS[word]
            if status == "done" and takes_back(key[len(w) :]):
                return None
            return status, f"文件中状态为“{text.strip()}”"
    return None


def takes_back(rest: str) -> bool:
    """Whether what follows a done word takes it back (`（80%）`, `，待复查`); `（100%）` does not."""
    return bool(_TAKEN_BACK.search(re.sub(r"100(?:\.0+)?\s*[%％]", "", rest)))


def status_from_word(word: str) -> tuple[Status, str] | None:
    """What a status word means (spaces and case ignored), or None for a word nobody uses."""
    key = "".join(word.split()).casefold()
    return next((v for k, v in STATUS_WORDS.items() if k.casefold() == key), None)


def submitted_since(m: Measure) -> dt.datetime | None:
    """When the pending submission was made (the last `submit` event)."""
    for e in reversed(m.history):
        if e.action == "submit":
            return e.at
    return None


def _event(
    m: Measure, action: str, actor: str, at: dt.datetime, to: Status, note: str = "", files: tuple[str, ...] = ()
) -> Event:
    return Event(
        at=at, actor=actor, action=action, from_status=m.status, to_status=to, note=note, files=files, measure_id=m.id
    )


def _require(m: Measure, allowed: tuple[Status, ...], what: str) -> None:
    if m.status not in allowed:
        need = "、".join(STATUS_LABELS_ZH[s] for s in allowed)
        raise IllegalTransition(f"措施 {m.id} 当前状态为“{STATUS_LABELS_ZH[m.status]}”，不能{what}（需为：{need}）。")


def submit(m: Measure, evidence: Evidence, actor: str, at: dt.datetime, *, require_approval: bool = True) -> Measure:
    """A unit claims completion with evidence; done at once when no approval is required."""
    _require(m, ("open",), "提交完成")
    if not evidence.note.strip() and not evidence.files:
        raise IllegalTransition(f"提交措施 {m.id} 的完成情况需附佐证材料（说明、照片或文件）。")
    to: Status = "submitted" if require_approval else "done"
    ev = _event(m, "submit", actor, at, to, evidence.note, evidence.files)
    return replace(m, status=to, evidence=evidence, extension=None, history=m.history + (ev,))


def approve_signoff(m: Measure, actor: str, at: dt.datetime, note: str = "") -> Measure:
    """An admin signs the measure off (销号) after checking the evidence."""
    _require(m, ("submitted",), "销号")
    return replace(m, status="done", history=m.history + (_event(m, "signoff", actor, at, "done", note),))


def send_back(m: Measure, actor: str, at: dt.datetime, reason: str) -> Measure:
    """An admin returns a submission to the unit (退回), with a reason."""
    _require(m, ("submitted",), "退回")
    if not reason.strip():
        raise IllegalTransition("退回需要说明理由。")
    return replace(m, status="open", history=m.history + (_event(m, "send_back", actor, at, "open", reason),))


def reopen(m: Measure, actor: str, at: dt.datetime, reason: str = "") -> Measure:
    """An admin reopens a signed-off measure (e.g. the problem came back)."""
    _require(m, ("done",), "重新打开")
    return replace(m, status="open", history=m.history + (_event(m, "reopen", actor, at, "open", reason),))


def request_extension(m: Measure, new_due: dt.date, reason: str, actor: str, at: dt.datetime) -> Measure:
    """A unit asks to move the due date (申请延期)."""
    _require(m, ("open",), "申请延期")
    if m.extension is not None:
        raise IllegalTransition(f"措施 {m.id} 已有一项延期申请在审批中。")
    if not reason.strip():
        raise IllegalTransition("申请延期需要说明理由。")
    if m.due is not None and new_due <= m.due:
        raise IllegalTransition(f"新的完成时限 {new_due} 应晚于现有时限 {m.due}。")
    ext = Extension(new_due=new_due, reason=reason, requested_by=actor, requested_at=at)
    ev = _event(m, "extension_request", actor, at, "open", f"{new_due.isoformat()} {reason}")
    return replace(m, extension=ext, history=m.history + (ev,))


def approve_extension(m: Measure, actor: str, at: dt.datetime, note: str = "") -> Measure:
    """An admin grants the pending extension: the due date moves and tiers restart."""
    if m.extension is None:
        raise IllegalTransition(f"措施 {m.id} 没有待审批的延期申请。")
    new_due = m.extension.new_due
    ev = _event(m, "extension_approved", actor, at, m.status, f"{new_due.isoformat()} {note}".strip())
    return replace(m, due_override=new_due, extension=None, history=m.history + (ev,))


def reject_extension(m: Measure, actor: str, at: dt.datetime, reason: str = "") -> Measure:
    """An admin refuses the pending extension; the due date stays."""
    if m.extension is None:
        raise IllegalTransition(f"措施 {m.id} 没有待审批的延期申请。")
    ev = _event(m, "extension_rejected", actor, at, m.status, reason)
    return replace(m, extension=None, history=m.history + (ev,))


def add_note(m: Measure, note: str, actor: str, at: dt.datetime) -> Measure:
    """A unit records progress (进展) without changing status."""
    if not note.strip():
        raise IllegalTransition("进展说明不能为空。")
    return replace(m, history=m.history + (_event(m, "note", actor, at, m.status, note),))


def set_status_by_import(m: Measure, to: Status, actor: str, at: dt.datetime) -> Measure:
    """Record the status a newly imported measure starts with (the ledger says so)."""
    return replace(m, status=to, history=m.history + (_event(m, "import", actor, at, to),))


def imported(m: Measure, actor: str, at: dt.datetime) -> Measure:
    """A new measure as an import stores it: the status its ledger gives, and a history of that one
    `import` event from open. What `set_status_by_import` makes of it reopened with no history, built
    in one step (an import of 50 000 measures made 100 000 copies on the way)."""
    ev = Event(at=at, actor=actor, action="import", from_status="open", to_status=m.status, measure_id=m.id)
    return evolve(m, history=(ev,))


def mark_occurrence_done(m: Measure, label: str, evidence: Evidence, actor: str, at: dt.datetime) -> Measure:
    """A unit reports one period of a recurring duty done (e.g. 2024-Q2 of 每季度全覆盖)."""
    _require(m, ("open",), "报告本期完成")
    if m.deadline.kind != "recurring":
        raise IllegalTransition(f"措施 {m.id} 不是周期性任务。")
    note = f"{label} {evidence.note}".strip()
    ev = _event(m, "occurrence_done", actor, at, m.status, note, evidence.files)
    return replace(m, history=m.history + (ev,))
