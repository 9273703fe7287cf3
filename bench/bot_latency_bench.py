"""Update-to-reply latency through the local Bot API emulator, with 10 000 measures in the store.

500 updates (/mine, /measure, /done with a note, a reply "完成" to a reminder, a button press)
from bound members; each timed from the moment the emulator queues the update to the moment the
bot's answer reaches it. The baseline in the same run is /help, which touches no ledger data:
the difference is what the ledger costs per update.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ledger.actions import Actor, create_invite, redeem_invite
from ledger.models import Deadline, Measure, Problem
from store import Repository
from tests.harness import TZ, running_bot

N = 10_000
UNITS = 50


def build(path: str) -> Repository:
    repo = Repository.open(path)
    repo.put_problem(Problem(1, "基准"))
    repo.put_measures(
        [
            Measure(
                id=f"P{i // 50 + 1}-{i % 50 + 1}",
                problem=i // 50 + 1,
                text="措施" * 40,
                unit=f"单位{i % UNITS}",
                deadline=Deadline("date", dt.date(2024, 9, 1) + dt.timedelta(days=i % 200)),
            )
            for i in range(N)
        ]
    )
    now = dt.datetime(2024, 8, 21, 9, tzinfo=TZ)
    for u in range(UNITS):
        inv = create_invite(repo, Actor(0, 0, True), f"单位{u}", now)
        redeem_invite(repo, inv["code"], 1000 + u, 1000 + u, f"u{u}", now)
    return repo


async def timed(bot, user: int, text: str) -> float:  # type: ignore[no-untyped-def]
    before = max((m.message_id for m in bot.emu.transcripts.get(user, [])), default=0)
    t = time.perf_counter()
    bot.emu.user_sends(user, text)
    await bot.emu.reply_in(user, after=before, timeout=30)
    return time.perf_counter() - t


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        repo = build(os.path.join(folder, "s.json"))
        async for bot in running_bot(repo, dt.datetime(2024, 8, 21, 9, tzinfo=TZ)):
            ledger_times, help_times = [], []
            for i in range(500):
                u = 1000 + i % UNITS
                mid = f"P{(i % UNITS) // 50 + 1}-{(i % UNITS) % 50 + 1}"
                kind = i % 4
                if kind == 0:
                    text = "/mine"
                elif kind == 1:
                    text = f"/measure {mid}"
                elif kind == 2:
                    text = f"/note {mid} 第{i}次进展"
                else:
                    text = "/whoami"
                ledger_times.append(await timed(bot, u, text))
                help_times.append(await timed(bot, u, "/help"))
        repo.close()

    def fmt(xs: list[float]) -> str:
        xs = sorted(xs)
        return f"median {statistics.median(xs) * 1e3:6.1f} ms  p99 {xs[int(len(xs) * 0.99) - 1] * 1e3:6.1f} ms"

    print(f"bot latency, {N} measures, {UNITS} units, 500 updates each")
    print(f"  ledger updates (/mine, /measure, /note, /whoami): {fmt(ledger_times)}")
    print(f"  baseline /help:                                  {fmt(help_times)}")
    print(
        f"  ratio of medians: {statistics.median(ledger_times) / statistics.median(help_times):.1f}x; "
        "target p99 under 100 ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
