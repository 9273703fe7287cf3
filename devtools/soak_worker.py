"""One bot process of the soak (`devtools/soak.py`): open the store, run one sweep (or serve the
updates people sent) at a moment, exit.

It is the real code on a real store file (with its lock) against the emulator: the real
Application and Services, the outbox on a virtual clock fixed at `--at` (pacing and retry_after
cost no real time). The driver SIGKILLs it at random points and starts it again for the same
moment. A sweep run writes what it planned (each reminder for each chat) and the virtual time the
sweep took as one JSON object to `--out`; with `--serve` it instead polls the emulator like
`run_bot.py run` (the durable inbox, its replay at start, handlers side by side) until every
update was handled, then stops cleanly. `--disk-full N`: from the Nth journal write on, the disk
is full for `DISK_FULL_WRITES` writes (as until an admin frees space), through the storage's fault
seam. A store it cannot open exits 3; a sweep a full disk stopped exits 4.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import errno
import json
import logging
import os
import sys
import time

from bot.app import App, build_application, post_init
from bot.outbox import Outbox
from bot.services import Services, Settings
from bot.sweeping import sweep
from devtools.tgtypes import VirtualClock
from ledger.errors import DubanError, StoreWriteError
from ledger.planner import plan
from ledger.policy import Policy
from store import Repository
from store.journal import JournaledStorage

log = logging.getLogger("devtools.soak_worker")
TOKEN = "123456:TEST-TOKEN"
LOAD_FAILED = 3
DISK_FULL = 4
DISK_FULL_WRITES = 5


class DiskFull:
    """The storage's fault seam: writes `first` to `first + DISK_FULL_WRITES - 1` find the disk full."""

    def __init__(self, first: int) -> None:
        self.first, self.writes, self.refused = first, 0, 0

    def __call__(self, step: str) -> None:
        if step != "append":
            return
        self.writes += 1
        if self.first <= self.writes < self.first + DISK_FULL_WRITES:
            self.refused += 1
            raise OSError(errno.ENOSPC, "No space left on device")


def planned_items(s: Services) -> list[dict[str, object]]:
    """What the sweep at the services' clock owes: each reminder for each of its chats."""
    directory = s.directory()
    reminders = plan(s.repo.measures(), s.repo.sent_keys(), s.now(), s.policy, directory, s.repo.report().date)
    return [
        {"key": r.chat_key(c), "measure": r.measure_id, "tier": r.tier, "chat": c, "day": r.day.isoformat()}
        for r in reminders
        for c in r.recipients
    ]


async def serve_until_idle(app: App, s: Services, quiet: float = 0.2) -> None:
    """Poll and handle updates until none waits at Telegram, in the queue or in a handler."""
    await post_init(app)  # replays what the inbox kept from a killed run
    await app.start()
    assert app.updater is not None and s.outbox is not None
    await app.updater.start_polling(poll_interval=0.02, timeout=0)  # short polls: stopping waits for none
    idle_since = None
    while True:
        busy = (
            (await app.bot.get_webhook_info()).pending_update_count
            or app.update_queue.qsize()
            or app.update_processor.current_concurrent_updates
            or s.outbox.pending
        )
        if busy:
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since >= quiet:
            break
        await asyncio.sleep(0.05)  # a separate process's real time: the soak is not a unit test
    await app.updater.stop()
    await app.stop()


async def run(args: argparse.Namespace) -> int:
    try:
        repo = Repository.open(args.store)
    except DubanError as e:
        print(f"store load failed: {e}", file=sys.stderr)
        return LOAD_FAILED
    fault = DiskFull(args.disk_full) if args.disk_full else None
    JournaledStorage.fault = fault
    at = dt.datetime.fromisoformat(args.at)
    clock = VirtualClock(at)
    admins = frozenset(int(x) for x in args.admins.split(",") if x)
    s = Services(repo, Policy(), Settings(admins=admins, admin_chat=args.admin_chat), clock)
    app = build_application(s, TOKEN, args.base_url, job_queue=False)
    s.outbox = Outbox(app.bot, clock=clock.monotonic, sleep=clock.sleep, settle_in_flight=args.serve)
    await app.initialize()
    result: dict[str, object] = {}
    code = 0
    try:
        if args.serve:
            await serve_until_idle(app, s)
        else:
            items = planned_items(s)
            report = await sweep(s)
            result = {"planned": items, "sent": report.sent, "failed": report.failed, "ran": report.ran}
    except StoreWriteError as e:
        print(f"disk full: {e}", file=sys.stderr)
        code = DISK_FULL
    result["virtual_seconds"] = (clock.now - at).total_seconds()
    result["disk_full_writes"] = fault.refused if fault else 0
    if args.serve and repo.inbox_pending():
        log.warning("stopping with %d update(s) in the inbox", len(repo.inbox_pending()))
    await s.outbox.close()
    await app.shutdown()
    JournaledStorage.fault = None
    repo.close()
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(tmp, args.out)
    return code


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--store", required=True)
    p.add_argument("--base-url", required=True)
    p.add_argument("--at", required=True, help="the sweep's moment, ISO 8601 with offset")
    p.add_argument("--admins", default="")
    p.add_argument("--admin-chat", type=int, default=0)
    p.add_argument("--out", required=True)
    p.add_argument("--serve", action="store_true", help="handle the updates people sent instead of sweeping")
    p.add_argument("--disk-full", type=int, default=0, help="the journal write from which the disk is full")
    sys.exit(asyncio.run(run(p.parse_args())))


if __name__ == "__main__":
    main()
