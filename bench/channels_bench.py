"""Delivery to WeCom, DingTalk and Feishu robots and by e-mail, against each channel's documented limit.

Per channel, N reminders of the shipped ledger go through the channel seam and the real sender
classes (rendering, signatures, HTTP or SMTP on loopback) to the local fakes (`devtools/robots.py`),
which enforce the vendors' limits: WeCom 20 a minute per robot, DingTalk 20 a minute (more is
throttled for 10 minutes), Feishu 100 a minute and 5 a second. E-mail is paced to `[email]
per_minute` (30), which the fake server enforces with 451 as a provider's sending limit would. Time
is virtual (an injected clock and sleep), so minutes of pacing take milliseconds.

ratio = the least time the limit allows for the messages delivered / the time taken (1.00: at the
limit). The baseline in the same run is the same sender without pacing, relying on the vendor's
"too fast" answer and the sender's retries, as a plain webhook client does. Targets when paced:
ratio >= 0.95, 0 refusals, 0 failed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Sequence

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import Figure, save
from channels.base import Pacer
from channels.email import Email, SmtpSettings
from channels.http import Http
from channels.robots import DingTalk, Feishu, Robot, WeCom
from channels.seam import Channels
from devtools.robots import LIMITS, FakeRobots, FakeSmtp, serve
from devtools.tgtypes import VirtualClock
from ledger.planner import Directory, plan
from ledger.policy import Policy
from ledger.service import import_file
from store import Repository
from tests.harness import TZ

NOW = dt.datetime(2024, 8, 21, 9, tzinfo=TZ)  # a Wednesday: the shipped ledger has late items
SEED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "xuanwu-2024.toml")
N = {"wecom": 100, "dingtalk": 100, "feishu": 500, "email": 100}
EMAIL_PER_MINUTE = 30
UNLIMITED = ((10**9, 60.0),)


def least_time(n: int, limits: Sequence[tuple[int, float]]) -> float:
    """When the n-th message may go at the earliest, each sent as soon as every window allows."""
    times: list[float] = []
    for i in range(n):
        times.append(max([0.0] + [times[i - count] + window for count, window in limits if i >= count]))
    return times[-1]


def ledger() -> tuple[Repository, list]:  # type: ignore[type-arg]
    repo = Repository.memory()
    import_file(repo, SEED, NOW, "bench")
    units = {m.unit for m in repo.measures()}
    d = Directory(unit_chats=dict.fromkeys(units, ("x",)))
    return repo, plan(repo.measures(), frozenset(), NOW, Policy(), d, repo.report().date)


async def deliver(kind: str, paced: bool) -> tuple[float, int, int, float]:
    """(ratio, refusals the vendor answered, messages that failed, virtual seconds) for N reminders."""
    clock = VirtualClock(NOW)

    def wall() -> float:  # unix seconds, for the signatures' timestamps
        return clock.now.timestamp()

    fake = FakeRobots(clock.monotonic, wall)
    runner = await serve(fake)
    smtp = FakeSmtp(clock=clock.monotonic, per_minute=EMAIL_PER_MINUTE)
    await smtp.start()
    http = Http()
    repo, reminders = ledger()
    sender: Email | Robot
    if kind == "email":
        settings = SmtpSettings(
            "127.0.0.1", smtp.port, sender="duban@example.org", starttls=False, per_minute=EMAIL_PER_MINUTE
        )
        sender, limits = Email(settings, clock.monotonic, clock.sleep), ((EMAIL_PER_MINUTE, 60.0),)
        repo.put_hook("区教育局", "email", "mailto:edu@example.org", "", "config")
    else:
        robots: dict[str, type[Robot]] = {"wecom": WeCom, "dingtalk": DingTalk, "feishu": Feishu}
        sender = robots[kind](http, clock.monotonic, clock.sleep, wall)
        limits = LIMITS[kind]
        secret = "" if kind == "wecom" else "SECbench"
        fake.robots[(kind, "bench")] = secret
        repo.put_hook("区教育局", kind, fake.url(kind, "bench"), secret, "config")
    if not paced:  # the baseline: as fast as the vendor accepts, its "too fast" code retried
        sender.pacer = Pacer(UNLIMITED, clock.monotonic, clock.sleep)
    chans = Channels(repo, {kind: sender}, telegram=False)
    recipient = next(iter(chans.active()))
    measures = {m.id: m for m in repo.measures()}
    failed = 0
    try:
        for i in range(N[kind]):
            r = reminders[i % len(reminders)]
            failed += not await chans.reminder(recipient, r, measures[r.measure_id], NOW.date())
        taken = clock.mono
    finally:
        await http.close()
        await smtp.stop()
        await runner.cleanup()
    delivered = N[kind] - failed
    best = least_time(delivered, limits) if delivered else 0.0
    ratio = best / taken if taken else (1.0 if delivered else 0.0)
    return ratio, len(fake.refused) + smtp.refused, failed, taken


def limit_label(kind: str) -> str:
    if kind == "email":
        return f"{EMAIL_PER_MINUTE}/min (per_minute)"
    return " and ".join(f"{c}/{'min' if w == 60 else 's'}" for c, w in LIMITS[kind])


async def main() -> None:
    logging.getLogger("channels").setLevel(logging.ERROR)  # each failure is counted below, not logged
    start = time.perf_counter()
    print("Reminders of the shipped ledger to one robot or mailbox per channel, virtual time, local fakes")
    print(f"{'channel':9} {'limit':22} {'N':>4} {'sender':9} {'ratio':>6} {'refused':>8} {'failed':>7} {'virtual':>9}")
    figures: list[Figure] = []
    for kind in ("wecom", "dingtalk", "feishu", "email"):
        for paced in (True, False):
            ratio, refused, failed, taken = await deliver(kind, paced)
            who = "paced" if paced else "unpaced"
            print(
                f"{kind:9} {limit_label(kind):22} {N[kind]:4d} {who:9} {ratio:6.2f} {refused:8d} {failed:7d}"
                f" {taken / 60:7.1f} m"
            )
            if paced:
                label = f"{kind} ({limit_label(kind)}), {N[kind]} msgs"
                figures.append(Figure(f"{label}: ratio of the limit", f"{ratio:.2f}", ">= 0.95", ratio >= 0.95))
                figures.append(
                    Figure(f"{label}: refused / failed", f"{refused} / {failed}", "0 / 0", not refused and not failed)
                )
    print(f"wall time {time.perf_counter() - start:.1f} s")
    save("channels", figures)


if __name__ == "__main__":
    asyncio.run(main())
