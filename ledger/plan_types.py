"""What the planner hands out and is given: reminders, recipients, the directory, sent-log keys.

Kept apart from the planning itself (`ledger.planner`, `ledger.plan_sweep`) so both can share
them without an import cycle; `ledger.planner` re-exports every name here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

TIERS = ("green", "yellow", "due", "overdue", "escalation")
URGENCY = {t: i for i, t in enumerate(TIERS)}


Recipient = int | str
"""A Telegram chat id, or a channel address's recipient id (`"wecom:3"`, see `channels/`): the
sent-log key `{key}@{recipient}` is per recipient either way, so every channel follows one policy."""


def recipient_order(r: Recipient) -> tuple[int, int, str]:
    """Telegram chats (by id) before channel addresses (by name): a stable order for mixed ids."""
    return (1, 0, r) if isinstance(r, str) else (0, r, "")


@dataclass(frozen=True)
class Directory:
    """Who receives what: recipients per unit, per lead official, and the admins'."""

    unit_chats: dict[str, tuple[Recipient, ...]] = field(default_factory=dict)
    leader_chats: dict[str, tuple[Recipient, ...]] = field(default_factory=dict)
    admin_chats: tuple[Recipient, ...] = ()


class Reminder(NamedTuple):
    measure_id: str
    tier: str
    due: dt.date
    occurrence: str
    key: str
    recipients: tuple[Recipient, ...]
    unit: str
    day: dt.date  # the day whose send_at made it due (a day off moves it to the working day before)
    days: int  # calendar days left (negative: days late)
    workdays_late: int = 0
    reason: str = ""  # "" | "signoff" (awaiting sign-off too long) | "unbound" (unit has no chat)
    stage: int = 0
    supersedes: str = ""  # a later overdue repeat this catch-up escalation stands for
    also: tuple[Reminder, ...] = ()  # other periods of the same measure this one message speaks for

    def chat_key(self, chat_id: Recipient) -> str:
        return f"{self.key}@{chat_id}"


class Slot(NamedTuple):
    tier: str
    day: dt.date
    stage: int  # orders slots of one tier by urgency


def key_for(measure_id: str, tier: str, due_iso: str, occurrence: str, stage: int | str = "") -> str:
    """The sent-log key of a reminder: measure, tier and stage, due date, period."""
    return f"{measure_id}|{tier}{stage}|{due_iso}|{occurrence}"


def rank(tier: str, days: int) -> int:
    """`urgency` without the measure id, as one int: more urgent tiers, then fewer days left, first."""
    return -URGENCY[tier] * 1_000_000_000 + days
