"""The soak's bookkeeping: what reached each chat at the emulator, against what the bot planned and
what its store says it sent.

A reminder is identified by chat, day and measure id: a sweep sends one reminder per measure to a
chat (a bundle lists each measure once), so within a day the measure names the reminder. A
bundle's later pages (behind ◀ ▶) are read from the store, as a person paging would see them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from devtools.tgtypes import Sent

MEASURE_ID = re.compile(r"ZG-\d{5}")


@dataclass
class Tally:
    admins: frozenset[int]
    admin_chat: int
    start: dt.date
    # (chat, day, measure) → messages that carried it
    delivered: Counter[tuple[int, dt.date, str]] = field(default_factory=Counter)
    by_chat_measure: dict[tuple[int, str], list[dt.date]] = field(default_factory=lambda: defaultdict(list))
    planned: dict[tuple[int, str, str], dt.date] = field(default_factory=dict)  # (chat, key, measure) → run day
    seen: dict[tuple[int, dt.date], set[str]] = field(default_factory=lambda: defaultdict(set))
    messages: int = 0
    duplicated_messages: int = 0
    carrier: dict[tuple[int, dt.date, str], int] = field(default_factory=dict)  # → the run that last carried it
    repeats: Counter[tuple[int, int]] = field(default_factory=Counter)  # (run whose copy came first, chat)
    max_virtual_seconds: float = 0.0
    max_late_days: int = 0

    def add_messages(
        self, sent: list[tuple[Sent, int]], day: dt.date, bundles: dict[tuple[int, int], list[dict[str, Any]]]
    ) -> None:
        """A day's sweep messages (every run's, each with its run), with the bundles' pages as the
        store keeps them. A message repeating a reminder the chat had that day is put down to the
        run that sent the earlier copy: a kill there left it sent but not recorded."""
        for m, run in sent:
            if m.sender != "bot" or "📥" in m.text:  # the office's sign-off requests are not reminders
                continue
            pages = bundles.get((m.chat_id, m.message_id)) or []
            text = "\n".join([m.text, *(str(p.get("text", "")) for p in pages[1:])])
            ids = set(MEASURE_ID.findall(text))
            if not ids:
                continue
            self.messages += 1
            seen = self.seen[(m.chat_id, day)]
            if ids & seen:
                self.duplicated_messages += 1
                self.repeats[(max(self.carrier[(m.chat_id, day, mid)] for mid in ids & seen), m.chat_id)] += 1
            seen |= ids
            for mid in ids:
                self.carrier[(m.chat_id, day, mid)] = run
                self.delivered[(m.chat_id, day, mid)] += 1
                self.by_chat_measure[(m.chat_id, mid)].append(day)

    def add_run(self, result: dict[str, Any], day: dt.date) -> None:
        """A completed run: what it planned (each reminder for each chat)."""
        self.max_virtual_seconds = max(self.max_virtual_seconds, float(result["virtual_seconds"]))
        for item in result["planned"]:
            self.planned.setdefault((int(item["chat"]), str(item["key"]), str(item["measure"])), day)
            owed = dt.date.fromisoformat(str(item["day"]))
            if owed >= self.start:
                self.max_late_days = max(self.max_late_days, (day - owed).days)

    def _chats_for(self, chat: int) -> tuple[int, ...]:
        """The office group's messages go to each admin privately while it refuses them."""
        return (chat, *sorted(self.admins)) if chat == self.admin_chat else (chat,)

    def reached(self, chat: int, mid: str, since: dt.date) -> bool:
        return any(d >= since for c in self._chats_for(chat) for d in self.by_chat_measure.get((c, mid), ()))

    def lost(self, sent_log: list[dict[str, Any]]) -> list[str]:
        """Reminders planned by a completed run, or recorded as sent, that no chat message carried."""
        lost = [f"planned {key}" for (chat, key, mid), day in self.planned.items() if not self.reached(chat, mid, day)]
        for rec in sent_log:
            key = str(rec.get("key", ""))
            mid = str(rec.get("measure", ""))
            if not mid or "@" not in key or key.startswith("request:"):
                continue
            chat = int(key.rsplit("@", 1)[1])
            day = dt.datetime.fromisoformat(str(rec["at"])).date()
            if not self.delivered[(chat, day, mid)]:
                lost.append(f"recorded {key}")
        return lost

    @property
    def unique_planned(self) -> int:
        return len(self.planned)

    @property
    def unique_delivered(self) -> int:
        return len(self.delivered)

    @property
    def duplicated(self) -> int:
        """Reminders that reached a chat more than once on a day (a resent message's every line)."""
        return sum(n - 1 for n in self.delivered.values() if n > 1)


@dataclass(frozen=True)
class Repeats:
    """Messages sent twice, put down to the runs whose copies came first."""

    interruptions: int  # runs killed or stopped by a full disk
    max_per_chat: int  # the most one interruption repeated to one chat (the guarantee: 1)
    max_per_interruption: int  # the most one interruption repeated in all (at most max_in_flight)
    total: int
    after_completed: int  # repeats of what a run that completed had sent: must be 0

    def line(self, what: str) -> str:
        return (
            f"{what} repeated: {self.total} over {self.interruptions} interruptions;"
            f" at most {self.max_per_chat} per chat and {self.max_per_interruption} in all per interruption;"
            f" after a completed run: {self.after_completed}"
        )


def repeats_per_run(repeats: Counter[tuple[int, int]], outcomes: dict[int, str]) -> Repeats:
    interrupted = {run for run, outcome in outcomes.items() if outcome in ("killed", "disk-full")}
    per_run: Counter[int] = Counter()
    for (run, _chat), n in repeats.items():
        per_run[run] += n
    return Repeats(
        interruptions=len(interrupted),
        max_per_chat=max((n for (run, _), n in repeats.items() if run in interrupted), default=0),
        max_per_interruption=max((n for run, n in per_run.items() if run in interrupted), default=0),
        total=sum(repeats.values()),
        after_completed=sum(n for (run, _), n in repeats.items() if run not in interrupted),
    )
