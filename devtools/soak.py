"""`make soak`: a month of reminders through faults and SIGKILLs; nothing lost, nothing doubled
beyond the message in flight at each kill.

The emulator runs here, in the driver's process, so it survives the kills and counts every
delivery; it injects random faults (429 with retry_after, 500, 502, dropped connections, slow
answers). The ledger (generated, imported through CSV as an office would) and the bindings (a
private member and a group per unit) go into a real store file. For each working day of the month
a worker process (`devtools.soak_worker`) opens the store, runs one sweep at 09:00 in virtual time
and exits; the driver SIGKILLs workers at random moments (mostly after a random number of
deliveries, some while the store loads) and starts them again for the same moment until one
completes. Along the way the office group answers 403 for a stretch (the office's messages go to
each admin privately) and two working days are skipped (a clock jump: the next run sends what is
owed). After each day's sweep, members write to the bot (`devtools.soak_updates`: /note, 完成
replies, 📝) and a worker serving them is killed too; on two days the disk fills up for a few
writes (the storage's fault seam), in the sweep and while updates are handled. A last fault-free
run settles what earlier failures left owed.

The figures: reminders lost (0), updates lost or applied twice (0), and what was sent twice, put
down to the interruption (kill or full disk) that caused it: at most one message per chat per
interruption, at most the outbox's `max_in_flight` in all, and nothing repeated after a run that
completed.

    python -m devtools.soak --measures 10000 --chats 200 --days 22 --kills 50
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import csv
import datetime as dt
import json
import logging
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.outbox import Outbox
from devtools.emulator import Chaos, Emulator, Sent
from devtools.soak_tally import Repeats, Tally, repeats_per_run
from devtools.soak_updates import People, UpdateFigures, update_figures
from devtools.soak_worker import DISK_FULL, LOAD_FAILED
from ledger.actions import Actor, bind_group, create_invite, redeem_invite
from ledger.calendar_cn import is_workday
from ledger.service import import_file
from store import Repository
from store.journal import read_state

TZ = ZoneInfo("Asia/Shanghai")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMINS = (9001, 9002)
ADMIN_CHAT = -9000


IN_FLIGHT = Outbox.max_in_flight  # requests under way at once: what one kill can repeat at most


@dataclass(frozen=True)
class SoakConfig:
    measures: int = 10_000
    chats: int = 200  # a private member and a group per unit
    days: int = 22  # working days, from `start`
    kills: int = 50
    fault_rate: float = 0.05
    seed: int = 1
    updates: int = 20  # updates members send each day
    serve_days: int | None = None  # members write on the first n days only (None: every day)
    start: dt.date = dt.date(2025, 9, 1)  # September 2025: 28 Sep is a make-up working day (a Sunday)

    @property
    def units(self) -> int:
        return max(1, self.chats // 2)


@dataclass
class Figures:
    planned: int
    delivered: int
    lost: list[str]
    duplicated: int
    duplicated_messages: int
    kills: int
    disk_full_stops: int
    disk_full_writes: int
    failed_loads: int
    max_virtual_seconds: float
    max_late_days: int
    runs: int
    seconds: float
    reminder_repeats: Repeats
    updates: UpdateFigures
    reply_repeats: Repeats

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing applied twice, and each interruption repeated at most the one
        message in flight per chat (so at most `max_in_flight` in all)."""
        u = self.updates
        return (
            not self.lost
            and not self.failed_loads
            and not u.lost
            and not u.doubled
            and all(
                r.max_per_chat <= 1 and r.max_per_interruption <= IN_FLIGHT and not r.after_completed
                for r in (self.reminder_repeats, self.reply_repeats)
            )
        )

    def lines(self) -> list[str]:
        u = self.updates
        return [
            f"reminders planned (unique per chat and key): {self.planned}",
            f"reminders delivered (unique per chat, day and measure): {self.delivered}",
            f"lost: {len(self.lost)}" + (f"  e.g. {self.lost[:3]}" if self.lost else ""),
            f"duplicated: {self.duplicated} reminders in {self.duplicated_messages} messages",
            self.reminder_repeats.line("reminder messages"),
            f"updates sent: {u.sent}; applied once: {u.applied_once}; lost: {len(u.lost)}; applied twice:"
            f" {len(u.doubled)}; refused with 出错了 (disk full): {u.refused};"
            f" applied but not answered (a kill between the change and its reply): {len(u.unanswered)}"
            + (f"  e.g. {(u.lost + u.doubled)[:3]}" if u.lost or u.doubled else ""),
            self.reply_repeats.line("replies"),
            f"kills: {self.kills}; runs a full disk stopped: {self.disk_full_stops};"
            f" journal writes refused (disk full): {self.disk_full_writes}",
            f"store loads that failed: {self.failed_loads}",
            f"max queue delay in a sweep (virtual): {self.max_virtual_seconds:.0f} s;"
            f" max lateness (a reminder sent after its day): {self.max_late_days} days",
            f"worker runs: {self.runs}; wall time: {self.seconds:.0f} s",
        ]


def unit_name(i: int) -> str:
    return f"测试{i:03d}局"


def write_ledger(path: str, cfg: SoakConfig, rng: random.Random) -> None:
    """An office's spreadsheet: ids, problems, measures, units and deadlines around the month."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "问题", "整改措施", "责任单位", "完成时限"])
        for i in range(cfg.measures):
            due = cfg.start + dt.timedelta(days=rng.randint(-15, 45))
            unit = unit_name(i % cfg.units)
            w.writerow([f"ZG-{i:05d}", f"问题{i // 10}", f"整改措施第{i}项", unit, f"{due:%Y/%m/%d}"])


def prepare(store: str, cfg: SoakConfig, rng: random.Random) -> list[tuple[int, str]]:
    """The store: the ledger imported through CSV, each unit bound to a person and a group."""
    now = dt.datetime.combine(cfg.start - dt.timedelta(days=3), dt.time(10, 0), TZ)
    ledger = os.path.join(os.path.dirname(store), "台账.csv")
    write_ledger(ledger, cfg, rng)
    repo = Repository.open(store)
    chats: list[tuple[int, str]] = [(ADMIN_CHAT, "group"), *((a, "private") for a in ADMINS)]
    try:
        import_file(repo, ledger, now, "soak")
        admin = Actor(ADMINS[0], ADMINS[0], True)
        with repo.batch():  # one write for all the bindings
            bind_all(repo, cfg, admin, now, chats)
    finally:
        repo.close()
    return chats


def bind_all(repo: Repository, cfg: SoakConfig, admin: Actor, now: dt.datetime, chats: list[tuple[int, str]]) -> None:
    """Each unit: a person who redeemed an invite privately, and a group an admin bound."""
    for i in range(cfg.units):
        person, group = 100_000 + i, -200_000 - i
        code = create_invite(repo, admin, unit_name(i), now)["code"]
        redeem_invite(repo, code, person, person, f"联络员{i}", now)
        bind_group(repo, admin, unit_name(i), group, f"{unit_name(i)}整改群")
        chats += [(person, "private"), (group, "group")]


def working_days(cfg: SoakConfig) -> list[dt.date]:
    days: list[dt.date] = []
    day = cfg.start
    while len(days) < cfg.days:
        if is_workday(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def read_store(store: str) -> dict[str, Any]:
    """The store as a restart would find it (the snapshot with its journal)."""
    return read_state(store)


def bundles_of(data: dict[str, Any]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    return {(int(d["chat"]), int(d["msg"])): list(d["pages"]) for d in data.get("bundles", {}).values()}


class Soak:
    def __init__(self, cfg: SoakConfig, workdir: str, log: Any = sys.stdout) -> None:
        self.cfg, self.dir, self.out = cfg, workdir, log
        self.rng = random.Random(cfg.seed)
        self.store = os.path.join(workdir, "soak.json")
        self.emu = Emulator(chaos=Chaos(rate=cfg.fault_rate, seed=cfg.seed))
        self.tally = Tally(frozenset(ADMINS), ADMIN_CHAT, cfg.start)
        self.people = People(self.emu, random.Random(cfg.seed + 1), cfg.units, cfg.measures)
        self.kills = self.failed_loads = self.runs = self.disk_full_stops = self.disk_full_writes = 0
        self.typical = {False: 20, True: 10}  # messages a run sends (sweep, serve); a kill lands within them
        self.outcomes: dict[int, str] = {}  # run → "done" | "killed" | "disk-full" | "load-failed"
        self.run_marks: list[int] = []  # where each run's messages begin in the emulator's log

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def run(self) -> Figures:
        began = time.monotonic()
        for chat, kind in prepare(self.store, self.cfg, self.rng):
            self.emu.chat(chat, kind)
        await self.emu.start()
        try:
            await self._month()
        finally:
            await self.emu.stop()
        data = read_store(self.store)
        sent_log = list(data.get("sent", {}).values())
        t = self.tally
        return Figures(
            planned=t.unique_planned,
            delivered=t.unique_delivered,
            lost=t.lost(sent_log),
            duplicated=t.duplicated,
            duplicated_messages=t.duplicated_messages,
            kills=self.kills,
            disk_full_stops=self.disk_full_stops,
            disk_full_writes=self.disk_full_writes,
            failed_loads=self.failed_loads,
            max_virtual_seconds=t.max_virtual_seconds,
            max_late_days=t.max_late_days,
            runs=self.runs,
            seconds=time.monotonic() - began,
            reminder_repeats=repeats_per_run(t.repeats, self.outcomes),
            updates=update_figures(self.people, data),
            reply_repeats=repeats_per_run(self.people.repeats, self.outcomes),
        )

    async def _month(self) -> None:
        days = working_days(self.cfg)
        n = len(days)
        jump = set(days[n // 2 : n // 2 + 2]) if n >= 6 else set()  # the clock jumps over two working days
        refuse = set(days[n // 4 : n // 4 + 3]) if n >= 4 else set()  # the office group answers 403
        run_days = [d for d in days if d not in jump]
        full = {run_days[len(run_days) // 3], run_days[(2 * len(run_days)) // 3]}  # the disk fills up
        kills = [[0, 0] for _ in run_days]  # per day: kills of sweeping runs, of serving runs
        for _ in range(self.cfg.kills):
            kills[self.rng.randrange(len(run_days))][self.rng.random() < 0.5] += 1
        carry = 0
        for i, day in enumerate(run_days):
            if day in refuse:
                self.emu.blocked.add(ADMIN_CHAT)
            else:
                self.emu.blocked.discard(ADMIN_CHAT)
            carry = await self._day(day, kills[i][0] + carry, disk_full=day in full)
            if self.cfg.serve_days is None or i < self.cfg.serve_days:
                carry = await self._serve(day, kills[i][1] + carry, disk_full=day in full)
        self.emu.blocked.discard(ADMIN_CHAT)
        self.emu.chaos.rate = 0.0  # settle: one fault-free day sends what failures left owed
        settle = days[-1] + dt.timedelta(days=1)
        while not is_workday(settle):
            settle += dt.timedelta(days=1)
        carry = await self._day(settle, carry)
        if self.cfg.serve_days is None or carry:
            await self._serve(settle, carry)

    async def _day(self, day: dt.date, kills: int, *, disk_full: bool = False) -> int:
        """Run the day's sweep until one run completes, killing `kills` runs first; kills left over."""
        at = dt.datetime.combine(day, dt.time(9, 0), TZ)
        mark = len(self.emu.log)
        result, kills = await self._until_done(at, kills, serve=False, disk_full=disk_full)
        self.typical[False] = max(2, result["sent"] or self.typical[False])
        self.tally.add_messages(self._with_runs(mark), day, bundles_of(read_store(self.store)))
        self.tally.add_run(result, day)
        self.say(f"{day} sent {result['sent']:4d} failed {result['failed']:3d} kills so far {self.kills}")
        return kills

    async def _serve(self, day: dt.date, kills: int, *, disk_full: bool = False) -> int:
        """Members write to the bot; a serving run handles it all, killed `kills` times first."""
        mark = len(self.emu.log)
        n = self.people.write(day.isoformat(), self.cfg.updates)
        _, kills = await self._until_done(
            dt.datetime.combine(day, dt.time(10, 0), TZ), kills, serve=True, disk_full=disk_full
        )
        replies = [(m, run) for m, run in self._with_runs(mark) if m.sender == "bot"]
        self.typical[True] = max(2, len(replies))
        self.people.answered(day.isoformat(), replies)
        self.say(f"{day} {n} updates from members, {len(replies)} messages in answer")
        return kills

    def _with_runs(self, mark: int) -> list[tuple[Sent, int]]:
        """The emulator's messages from `mark` on, each with the run that sent it."""
        return [(m, bisect.bisect_right(self.run_marks, i) - 1) for i, m in enumerate(self.emu.log[mark:], start=mark)]

    async def _until_done(
        self, at: dt.datetime, kills: int, *, serve: bool, disk_full: bool
    ) -> tuple[dict[str, Any], int]:
        """Runs until one completes (killed `kills` times first, one run a full disk stops); kills left."""
        fails = 0
        while True:
            result = await self._attempt(at, kill=kills > 0, serve=serve, disk_full=disk_full)
            if result == "killed":
                kills -= 1
            elif result == "disk-full":
                disk_full = False  # an admin freed space; the next run starts on a disk with room
            elif result == "load-failed":
                fails += 1
                if fails >= 3:
                    raise RuntimeError("the store cannot be loaded")
            elif isinstance(result, dict):
                return result, kills

    async def _attempt(self, at: dt.datetime, *, kill: bool, serve: bool, disk_full: bool) -> dict[str, Any] | str:
        """One worker run; SIGKILLed (after a random number of messages, or while loading) if `kill`."""
        out = os.path.join(self.dir, "run.json")
        with contextlib.suppress(FileNotFoundError):
            os.remove(out)
        args = ["--store", self.store, "--base-url", self.emu.base_url, "--at", at.isoformat(), "--out", out]
        args += ["--admins", ",".join(map(str, ADMINS)), "--admin-chat", str(ADMIN_CHAT)]
        args += ["--serve"] if serve else []
        args += ["--disk-full", str(self.rng.randint(1, 30))] if disk_full else []
        run = len(self.run_marks)
        self.run_marks.append(len(self.emu.log))
        with open(os.path.join(self.dir, "worker.log"), "ab") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "devtools.soak_worker", *args, stdout=err, stderr=err, cwd=ROOT
            )
        self.runs += 1
        done = asyncio.ensure_future(proc.wait())
        if kill:
            if self.rng.random() < 0.25:  # while it starts or loads the store
                trigger = asyncio.ensure_future(asyncio.sleep(self.rng.uniform(0.05, 1.5)))
            else:
                goal = len(self.emu.log) + self.rng.randint(1, self.typical[serve])
                trigger = asyncio.ensure_future(self.emu.wait_for(lambda: len(self.emu.log) >= goal, 3600))
            await asyncio.wait({done, trigger}, return_when=asyncio.FIRST_COMPLETED)
            trigger.cancel()
            if not done.done():
                proc.kill()
                await done
                self.kills += 1
                self.outcomes[run] = "killed"
                return "killed"
        code = await done
        if code == LOAD_FAILED:
            self.failed_loads += 1
            self.outcomes[run] = "load-failed"
            return "load-failed"
        if code not in (0, DISK_FULL):
            raise RuntimeError(f"a worker exited with {code}; see {self.dir}/worker.log")
        with open(out, encoding="utf-8") as f:
            result: dict[str, Any] = json.load(f)
        self.disk_full_writes += int(result.get("disk_full_writes", 0))
        if code == DISK_FULL:
            self.disk_full_stops += 1
            self.outcomes[run] = "disk-full"
            return "disk-full"
        self.outcomes[run] = "done"
        return result


def main() -> None:
    p = argparse.ArgumentParser(description="A month of reminders through faults and SIGKILLs.")
    p.add_argument("--measures", type=int, default=SoakConfig.measures)
    p.add_argument("--chats", type=int, default=SoakConfig.chats)
    p.add_argument("--days", type=int, default=SoakConfig.days)
    p.add_argument("--kills", type=int, default=SoakConfig.kills)
    p.add_argument("--fault-rate", type=float, default=SoakConfig.fault_rate)
    p.add_argument("--seed", type=int, default=SoakConfig.seed)
    p.add_argument("--updates", type=int, default=SoakConfig.updates, help="updates members send each day")
    a = p.parse_args()
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # a killed worker's request cut short
    cfg = SoakConfig(a.measures, a.chats, a.days, a.kills, a.fault_rate, a.seed, updates=a.updates)
    print(
        f"soak: {cfg.measures} measures, {cfg.units * 2} chats, {cfg.days} working days, {cfg.kills} kills,"
        f" {cfg.updates} updates a day"
    )
    with tempfile.TemporaryDirectory(prefix="duban-soak-") as d:
        figures = asyncio.run(Soak(cfg, d).run())
    print("\n".join(figures.lines()))
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
