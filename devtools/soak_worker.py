"""One bot process of the soak (`devtools/soak.py`): open the store, run one sweep at a moment, exit.

It is the real code on a real store file (with its lock) against the emulator: the real
Application and Services, the outbox on a virtual clock fixed at `--at` (pacing and retry_after
cost no real time). The driver SIGKILLs it at random points and starts it again for the same
moment. When the sweep completes it writes what it planned (each reminder for each chat) and the
virtual time the sweep took as one JSON object to `--out`; a store it cannot open exits 3.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys

from bot.app import build_application
from bot.outbox import Outbox
from bot.services import Services, Settings
from bot.sweeping import sweep
from devtools.tgtypes import VirtualClock
from ledger.errors import DubanError
from ledger.planner import plan
from ledger.policy import Policy
from store import Repository

TOKEN = "123456:TEST-TOKEN"
LOAD_FAILED = 3


def planned_items(s: Services) -> list[dict[str, object]]:
    """What the sweep at the services' clock owes: each reminder for each of its chats."""
    directory = s.directory()
    reminders = plan(s.repo.measures(), s.repo.sent_keys(), s.now(), s.policy, directory, s.repo.report().date)
    return [
        {"key": r.chat_key(c), "measure": r.measure_id, "tier": r.tier, "chat": c, "day": r.day.isoformat()}
        for r in reminders
        for c in r.recipients
    ]


async def run(args: argparse.Namespace) -> int:
    try:
        repo = Repository.open(args.store)
    except DubanError as e:
        print(f"store load failed: {e}", file=sys.stderr)
        return LOAD_FAILED
    at = dt.datetime.fromisoformat(args.at)
    clock = VirtualClock(at)
    admins = frozenset(int(x) for x in args.admins.split(",") if x)
    s = Services(repo, Policy(), Settings(admins=admins, admin_chat=args.admin_chat), clock)
    app = build_application(s, TOKEN, args.base_url, job_queue=False)
    s.outbox = Outbox(app.bot, clock=clock.monotonic, sleep=clock.sleep)
    await app.initialize()
    items = planned_items(s)
    report = await sweep(s)
    await app.shutdown()
    repo.close()
    result = {
        "planned": items,
        "sent": report.sent,
        "failed": report.failed,
        "ran": report.ran,
        "virtual_seconds": (clock.now - at).total_seconds(),
    }
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(tmp, args.out)
    return 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--store", required=True)
    p.add_argument("--base-url", required=True)
    p.add_argument("--at", required=True, help="the sweep's moment, ISO 8601 with offset")
    p.add_argument("--admins", default="")
    p.add_argument("--admin-chat", type=int, default=0)
    p.add_argument("--out", required=True)
    sys.exit(asyncio.run(run(p.parse_args())))


if __name__ == "__main__":
    main()
