"""What units and the office do in chat, shared by commands, buttons and replies.

The bot's follow-up questions (evidence, a new date, a reason, a note) are a small state
machine in the spirit of PTB's `ConversationHandler(states=…)`, but kept in the store, so a
restart does not forget what the bot asked: `ask` records a `Question`, and the person's
next message is routed by `ANSWERS[question.kind]`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from telegram import Message

from bot import delivery
from bot import evidence as evidence_files
from bot.keyboards import Button, review_save_keyboard
from bot.turn import Turn
from ledger import actions
from ledger.chatwords import is_cancel
from ledger.deadlines import check_user_date, parse_user_date
from ledger.errors import DubanError, IllegalTransition
from ledger.i18n import status_label
from ledger.models import Evidence, Measure


class Ask(StrEnum):
    """What the bot is waiting for from a person."""

    EVIDENCE = "evidence"
    EXT_DATE = "ext_date"
    EXT_REASON = "ext_reason"
    EXT_CONFIRM = "ext_confirm"
    NOTE = "note"
    SEND_BACK = "sendback"
    REVIEW_DATE = "review_date"  # admin: a deadline for a measure that has none


PROMPTS = {
    Ask.EVIDENCE: "ask_evidence",
    Ask.EXT_DATE: "ask_date",
    Ask.EXT_REASON: "ask_reason",
    Ask.EXT_CONFIRM: "ext_far",
    Ask.NOTE: "ask_note",
    Ask.SEND_BACK: "ask_sendback",
    Ask.REVIEW_DATE: "ask_review_date",
}
BUTTON_ASKS = {Button.DONE: Ask.EVIDENCE, Button.EXTEND: Ask.EXT_DATE, Button.NOTE: Ask.NOTE}


@dataclass(frozen=True)
class Question:
    kind: Ask
    measure_id: str
    extra: str = ""  # the new date while asking for an extension's reason
    asked_at: str = ""  # ISO time; a question lapses after `[bot] ask_expires_minutes`
    chat_id: int = 0  # answered in the chat where it was asked

    def dump(self) -> str:
        d = {"kind": self.kind.value, "measure": self.measure_id, "extra": self.extra, "at": self.asked_at}
        return json.dumps({**d, "chat": self.chat_id})

    def lapsed(self, now: dt.datetime, minutes: int) -> bool:
        if not self.asked_at:
            return True
        return now - dt.datetime.fromisoformat(self.asked_at) > dt.timedelta(minutes=minutes)

    @classmethod
    def load(cls, raw: str | None) -> Question | None:
        if not raw:
            return None
        try:
            d = json.loads(raw)
            if isinstance(d, list):  # stored by earlier versions as [kind, measure, extra]
                d = {"kind": d[0], "measure": d[1], "extra": d[2]}
            return cls(
                Ask(d["kind"]), str(d["measure"]), str(d.get("extra", "")), str(d.get("at", "")), int(d.get("chat", 0))
            )
        except (ValueError, TypeError, KeyError, IndexError):
            return None


BUTTON_KEY = re.compile(r"^k[0-9a-z]{1,10}$")


def button_measure(turn: Turn, token: str) -> Measure:
    """The measure a button names: its short store key (`k1z`), or the id on buttons sent by
    versions before keys (a reminder from last month still works)."""
    repo = turn.s.repo
    if BUTTON_KEY.match(token):
        return repo.measure_by_key(token)
    return repo.measure(token)


def question(turn: Turn) -> Question | None:
    """What the bot asked this person in this chat and still waits for (a lapsed question is dropped)."""
    q = Question.load(turn.s.repo.pref(turn.actor.user_id, "await"))
    if q is None or (q.chat_id and q.chat_id != turn.chat_id):
        return None
    if q.lapsed(turn.now, turn.s.settings.ask_expires_minutes):
        set_question(turn, None)
        return None
    return q


def set_question(turn: Turn, q: Question | None) -> None:
    turn.asked = turn.asked or q is not None
    turn.s.repo.set_pref(turn.actor.user_id, "await", q.dump() if q else "")


async def ask(turn: Turn, kind: Ask, mid: str, extra: str = "") -> None:
    """Wait for the person's next message as the evidence / date / reason / note for `mid`."""
    if kind in (Ask.SEND_BACK, Ask.REVIEW_DATE):
        actions.require_admin(turn.actor)
    m = actions.member_measure(turn.s.repo, turn.actor, mid)
    set_question(turn, Question(kind, m.id, extra, turn.now.isoformat(), turn.chat_id))
    await turn.ask(turn.t(PROMPTS[kind], mid=m.id, date=extra.partition("|")[0]))


def evidence_of(message: Message, text: str) -> Evidence:
    files: list[str] = []
    if message.photo:
        files.append(message.photo[-1].file_id)
    if message.document:
        files.append(message.document.file_id)
    return Evidence(note=text.strip(), files=tuple(files))


async def submit(turn: Turn, mid: str, evidence: Evidence) -> None:
    s = turn.s
    if s.settings.require_evidence and not evidence.files:  # `[bot] require_evidence`: a photo or file first
        actions.require_member(s.repo, turn.actor, s.repo.measure(mid))
        set_question(turn, Question(Ask.EVIDENCE, mid.upper(), evidence.note, turn.now.isoformat()))
        await turn.reply(turn.t("ask_evidence_file", mid=mid.upper()))
        return
    m = actions.submit(s.repo, turn.actor, mid, evidence, turn.now, s.settings.require_approval)
    if evidence_files.record_chat_files(s, m, turn.message, turn.actor.tag):
        evidence_files.fetch_soon(s)
    if m.history and m.history[-1].action == "occurrence_done":
        await turn.reply(turn.t("occurrence_done", mid=m.id, label=m.history[-1].note.split(" ", 1)[0]))
        return
    if m.status == "submitted":
        reached = await delivery.waited_briefly(delivery.signoff_request(s, m, turn.message))
        await turn.reply(turn.t("submitted" if reached else "submitted_queued", mid=m.id))
    else:
        await turn.reply(turn.t("done_now", mid=m.id))


async def extension_from_text(turn: Turn, mid: str, text: str) -> None:
    """ "6月底 供货延迟" → a date and a reason; ask for what is missing."""
    today = turn.now.date()
    words = text.split(maxsplit=1)
    new_due = parse_user_date(words[0], today) if words else None
    reason = words[1] if len(words) > 1 else ""
    if new_due is None:
        new_due, reason = parse_user_date(text, today), ""
    if new_due is None:
        await turn.reply(turn.t("bad_date", text=words[0] if words else text))
        return
    check = check_user_date(new_due, today)
    if check == "past":
        await turn.reply(turn.t("ext_past", date=new_due.isoformat()))
        return
    if check == "far":
        await ask(turn, Ask.EXT_CONFIRM, mid, f"{new_due.isoformat()}|{reason}")
        return
    if not reason:
        await ask(turn, Ask.EXT_REASON, mid, new_due.isoformat())
        return
    await request_extension(turn, mid, new_due, reason)


async def request_extension(turn: Turn, mid: str, new_due: dt.date, reason: str) -> None:
    m = actions.request_extension(turn.s.repo, turn.actor, mid, new_due, reason, turn.now)
    reached = await delivery.waited_briefly(delivery.extension_request(turn.s, m))
    await turn.reply(turn.t("ext_requested" if reached else "ext_requested_queued", mid=m.id, date=new_due.isoformat()))


async def add_note(turn: Turn, mid: str, text: str) -> None:
    m = actions.add_note(turn.s.repo, turn.actor, mid, text, turn.now)
    await turn.reply(turn.t("noted", mid=m.id))


async def send_back(turn: Turn, mid: str, reason: str) -> None:
    s = turn.s
    try:
        m = actions.send_back(s.repo, turn.actor, mid, reason, turn.now)
    except IllegalTransition:
        await turn.reply(turn.t("already", state=status_label(s.repo.measure(mid).status, turn.lang)))
        return
    text = turn.t("sent_back", mid=mid, reason=reason)
    await delivery.to_unit(s, m, text)
    await turn.reply(text)


# -- answers to the questions -------------------------------------------------------------------
async def _evidence(turn: Turn, q: Question, text: str) -> None:
    assert turn.message is not None
    evidence = evidence_of(turn.message, text)
    if q.extra and not evidence.note:  # the note came with the 完成, the file now
        evidence = Evidence(note=q.extra, files=evidence.files)
    await submit(turn, q.measure_id, evidence)


async def _ext_date(turn: Turn, q: Question, text: str) -> None:
    await extension_from_text(turn, q.measure_id, text)


async def _ext_reason(turn: Turn, q: Question, text: str) -> None:
    await request_extension(turn, q.measure_id, dt.date.fromisoformat(q.extra), text)


async def _ext_confirm(turn: Turn, q: Question, text: str) -> None:
    """A date more than five years ahead, confirmed (or replaced by the date the person meant)."""
    date, _, reason = q.extra.partition("|")
    if text.strip().lower() not in ("确认", "confirm", "是", "yes"):
        await extension_from_text(turn, q.measure_id, text)
        return
    if not reason:
        await ask(turn, Ask.EXT_REASON, q.measure_id, date)
        return
    await request_extension(turn, q.measure_id, dt.date.fromisoformat(date), reason)


async def _note(turn: Turn, q: Question, text: str) -> None:
    await add_note(turn, q.measure_id, text)


async def _send_back(turn: Turn, q: Question, text: str) -> None:
    await send_back(turn, q.measure_id, text)


async def _review_date(turn: Turn, q: Question, text: str) -> None:
    """The date goes through the parser and is shown as read; ✅ 保存 saves it."""
    due = parse_user_date(text.strip(), turn.now.date())
    if due is None:
        await turn.reply(turn.t("bad_date", text=text.strip()))
        return
    reading = turn.t("review_reading", mid=q.measure_id, date=due.isoformat(), text=text.strip())
    await turn.reply(reading, review_save_keyboard(turn.s.repo.key_of(q.measure_id), due.isoformat(), turn.lang))


ANSWERS: dict[Ask, Callable[[Turn, Question, str], Awaitable[None]]] = {
    Ask.EVIDENCE: _evidence,
    Ask.EXT_DATE: _ext_date,
    Ask.EXT_REASON: _ext_reason,
    Ask.EXT_CONFIRM: _ext_confirm,
    Ask.NOTE: _note,
    Ask.SEND_BACK: _send_back,
    Ask.REVIEW_DATE: _review_date,
}


async def answer(turn: Turn, q: Question, text: str) -> None:
    """The person's message answers the question the bot asked."""
    msg = turn.message
    if is_cancel(text):
        set_question(turn, None)
        await turn.reply(turn.t("cancelled"))
        return
    has_file = msg is not None and bool(msg.photo or msg.document)
    if q.kind is not Ask.EXT_DATE and not text.strip() and not has_file:
        raise DubanError(turn.t("empty_answer"))
    # The question goes after the answer's change, not before: the change is the update's first
    # write (bot.inbox: a crash after it is never replayed), so a crash in between leaves the
    # question waiting a little longer rather than the answer lost.
    try:
        await ANSWERS[q.kind](turn, q, text)
    finally:
        if not turn.asked:  # unless the answer led to the next question
            set_question(turn, None)
