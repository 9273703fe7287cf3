"""The soak's people: each day, after the sweep, units' members write to the bot (a `/note`, a 完成
reply to a reminder, 📝 on a reminder and then the note) while the driver SIGKILLs the process that
handles them, and sometimes fills the disk.

Every update carries a token of its own, and its change to the store (the progress note, the
submission's note) carries the token too, so the store at the end says how many times each update
was applied: once is right, twice is a doubled update, never is a lost one unless the person was
told so (a full disk refused the change: "⚠️ 无法写入…未保存" or "出错了"). A reply the bot sent twice in a chat
(the same text) is a repeated send; it is put down to the run whose copy came first, which must be
a run that was interrupted (killed, or stopped by the full disk).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from devtools.emulator import Emulator, Sent

MEASURE_ID = re.compile(r"ZG-\d{5}")
TOKEN = re.compile(r"S\d{8}N\d{4}")  # an update's own mark, kept in the note its change records
ACK_TEXT = "重启前收到的消息已处理"  # bot.inbox.acknowledge
ERROR_TEXTS = ("出错了", "未保存")  # the error handler's answer; a refused write's own message


def is_error(text: str) -> bool:
    return any(e in text for e in ERROR_TEXTS)


@dataclass(frozen=True)
class Update:
    kind: str  # "note" | "done" | "press" (📝, then the note as the answer)
    chat: int
    measure: str
    token: str
    day: str
    query: str = ""  # the 📝 press's callback query id (its answer may say the disk refused it)


@dataclass
class People:
    emu: Emulator
    rng: random.Random
    units: int
    measures: int
    sent: list[Update] = field(default_factory=list)
    submitted: set[str] = field(default_factory=set)  # measures a 完成 went out for (not chosen again)
    heard: set[tuple[str, int, str]] = field(default_factory=set)  # (day, chat, measure) the bot answered about
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)  # (day, chat) → "出错了" answers
    repeats: Counter[tuple[int, int]] = field(default_factory=Counter)  # see `repeated_replies`

    def answered(self, day: str, replies: list[tuple[Sent, int]]) -> None:
        """What the bot sent while the day's updates were handled (each message with its run)."""
        last_was_error: dict[int, bool] = {}
        for m, _ in replies:
            self.heard.update((day, m.chat_id, mid) for mid in MEASURE_ID.findall(m.text))
            self.heard.update((day, m.chat_id, tok) for tok in TOKEN.findall(m.text))
            error = is_error(m.text)  # one refused update may say so twice in a row: counted once
            self.errors[(day, m.chat_id)] += error and not last_was_error.get(m.chat_id, False)
            last_was_error[m.chat_id] = error
        self.repeats += repeated_replies(replies)

    def person(self, unit: int) -> int:
        return 100_000 + unit

    def write(self, day: str, n: int) -> int:
        """`n` updates from random members, at most one per measure and chat today; how many."""
        used: set[tuple[int, str]] = set()
        for i in range(n):
            unit = self.rng.randrange(self.units)
            chat = self.person(unit)
            token = f"S{day.replace('-', '')}N{i:04d}"
            kind = self.rng.choice(("note", "note", "done", "press"))
            reminder = self._reminder(chat, used) if kind != "note" else None
            if reminder is None:
                mid = self._open_measure(unit, chat, used)
                if mid is None:
                    continue
                used.add((chat, mid))
                self.emu.user_sends(chat, f"/note {mid} 进展{token}")
                self.sent.append(Update("note", chat, mid, token, day))
                continue
            msg, mid = reminder
            used.add((chat, mid))
            if kind == "done":
                self.submitted.add(mid)
                self.emu.user_sends(chat, f"完成 佐证{token}", reply_to=msg.message_id)
            else:
                query = self.emu.press(chat, msg, _button(msg, "📝"))
                self.emu.user_sends(chat, f"进展{token}")
                self.sent.append(Update(kind, chat, mid, token, day, query))
                continue
            self.sent.append(Update(kind, chat, mid, token, day))
        return len(used)

    def _open_measure(self, unit: int, chat: int, used: set[tuple[int, str]]) -> str | None:
        for _ in range(20):
            i = self.rng.randrange(unit, self.measures, self.units) if unit < self.measures else 0
            mid = f"ZG-{i:05d}"
            if mid not in self.submitted and (chat, mid) not in used:
                return mid
        return None

    def _reminder(self, chat: int, used: set[tuple[int, str]]) -> tuple[Sent, str] | None:
        """A recent reminder in the chat about one measure still open, with its buttons."""
        for msg in reversed(self.emu.bot_messages(chat)[-30:]):
            ids = set(MEASURE_ID.findall(msg.text))
            if len(ids) != 1 or not msg.reply_markup or not _button(msg, "📝"):
                continue
            mid = ids.pop()
            if mid not in self.submitted and (chat, mid) not in used:
                return msg, mid
        return None


def _button(msg: Sent, mark: str) -> str:
    for row in (msg.reply_markup or {}).get("inline_keyboard", []):
        for b in row:
            if mark in b.get("text", "") and b.get("callback_data"):
                return str(b["callback_data"])
    return ""


@dataclass
class UpdateFigures:
    sent: int
    applied_once: int
    doubled: list[str]
    lost: list[str]
    refused: int  # told "出错了" (a full disk) and not applied
    unanswered: list[str]  # applied, but its chat never heard back about that measure that day


def applied_counts(store: dict[str, Any]) -> Counter[str]:
    """How often each token appears in the notes of the measures' histories (its applications)."""
    tokens: Counter[str] = Counter()
    for doc in store.get("measures", {}).values():
        for event in doc.get("history", ()):
            for tok in TOKEN.findall(str(event.get("note", ""))):
                tokens[tok] += 1
    return tokens


def update_figures(people: People, store: dict[str, Any]) -> UpdateFigures:
    counts = applied_counts(store)
    missing: dict[tuple[str, int], list[str]] = defaultdict(list)
    doubled: list[str] = []
    unanswered: list[str] = []
    once = refused_presses = 0
    for u in people.sent:
        n = counts[u.token]
        if n == 0 and u.query and is_error(people.emu.answer_for(u.query) or ""):
            refused_presses += 1  # the press's alert said the disk refused it; the note then had no question
        elif n == 0:
            missing[(u.day, u.chat)].append(f"{u.kind} {u.token}")
        elif n > 1:
            doubled.append(f"{u.kind} {u.token} ×{n}")
        else:
            once += 1
            if not {(u.day, u.chat, u.measure), (u.day, u.chat, u.token)} & people.heard:
                unanswered.append(f"{u.kind} {u.token}")
    lost = [tok for key, toks in missing.items() for tok in toks[people.errors[key] :]]
    refused = sum(len(toks) for toks in missing.values()) - len(lost) + refused_presses
    return UpdateFigures(len(people.sent), once, doubled, lost, refused, unanswered)


def repeated_replies(messages: list[tuple[Sent, int]]) -> Counter[tuple[int, int]]:
    """(run the earlier copy came from, chat) → messages about a measure whose text the chat already
    had (a chat writes about a measure once a day, so the same answer twice is a repeat)."""
    last: dict[tuple[int, str], int] = {}
    about: dict[tuple[int, str], int] = {}  # (chat, measure) → the run that last spoke of it
    out: Counter[tuple[int, int]] = Counter()
    for m, run in messages:
        ids = MEASURE_ID.findall(m.text)
        if m.sender != "bot" or is_error(m.text) or not ids:
            continue
        key = (m.chat_id, m.text)
        before = [about[(m.chat_id, mid)] for mid in ids if (m.chat_id, mid) in about]
        if key in last:
            out[(last[key], m.chat_id)] += 1
        elif ACK_TEXT in m.text and before:  # "handled before the restart" after the answer had gone out
            out[(max(before), m.chat_id)] += 1
        last[key] = run
        about.update({(m.chat_id, mid): run for mid in ids})
    return out
