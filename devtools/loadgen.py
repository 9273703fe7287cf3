"""Delivery loads for tests and `bench/delivery_bench.py`: many reminders to a mix of chats.

A load is how many messages each chat gets (private chats positive, groups negative, as
Telegram numbers them), sent in one of three orders, and the ceiling Telegram's limits put on
it: no sender, however clever, delivers that mix faster.
"""

from __future__ import annotations

import datetime as dt
import random

from ledger.actions import Actor, bind_group, create_invite, redeem_invite
from ledger.models import Deadline, Measure, Problem
from store import Repository

ORDERS = ("interleaved", "random", "adjacent")
OFFICE = Actor(0, 0, True)


def mix(messages: int, chats: int, groups: int, seed: int = 7) -> dict[int, int]:
    """Messages per chat: every chat gets one, the rest skewed (a few units have many measures),
    at most 20 per group (more would make the group's 20-a-minute limit the whole story)."""
    rng = random.Random(seed)
    ids = [100_001 + i for i in range(chats - groups)] + [-200_001 - i for i in range(groups)]
    counts = dict.fromkeys(ids, 1)
    weights = [1.0 / (rank + 8) for rank in range(len(ids))]
    rng.shuffle(weights)
    left = messages - len(ids)
    while left:
        chat = rng.choices(ids, weights)[0]
        if chat < 0 and counts[chat] >= 20:
            continue
        counts[chat] += 1
        left -= 1
    return counts


def order(counts: dict[int, int], kind: str, seed: int = 11) -> list[int]:
    """The chats in sending order: round robin, shuffled, or each chat's messages together."""
    if kind == "adjacent":
        return [chat for chat, n in counts.items() for _ in range(n)]
    if kind == "interleaved":
        left, out = dict(counts), []
        while left:
            for chat in list(left):
                out.append(chat)
                left[chat] -= 1
                if not left[chat]:
                    del left[chat]
        return out
    seq = order(counts, "adjacent")
    random.Random(seed).shuffle(seq)
    return seq


def ceiling(counts: dict[int, int], overall: float = 30.0, group_per_minute: int = 20) -> float:
    """Messages a second at best: the first message at 0 s, the last when every limit allows."""
    n = sum(counts.values())
    span = max(
        [(n - 1) // int(overall)]
        + [(k - 1) * 1.0 for chat, k in counts.items() if chat > 0]
        + [(k - 1) // group_per_minute * 60.0 for chat, k in counts.items() if chat < 0]
    )
    return n / span if span else float("inf")


def sweep_ledger(repo: Repository, counts: dict[int, int], now: dt.datetime) -> None:
    """One unit per chat with that chat's count of measures, all due tomorrow (one reminder each)."""
    repo.put_problem(Problem(1, "送达基准"))
    due = Deadline("date", now.date() + dt.timedelta(days=1))
    repo.put_measures(
        [
            Measure(id=f"P1-{u * 100 + j + 1}", problem=1, text="按期完成整改", unit=f"单位{u}", deadline=due)
            for u, k in enumerate(counts.values())
            for j in range(k)
        ]
    )
    with repo.batch():
        for u, chat in enumerate(counts):
            if chat > 0:
                inv = create_invite(repo, OFFICE, f"单位{u}", now)
                redeem_invite(repo, inv["code"], chat, chat, f"u{chat}", now)
            else:
                bind_group(repo, OFFICE, f"单位{u}", chat, f"单位{u}群")
