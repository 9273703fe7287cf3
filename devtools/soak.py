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
owed). A last fault-free run settles what earlier failures left owed.

    python -m devtools.soak --measures 10000 --chats 200 --days 22 --kills 50
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.outbox import Outbox
from devtools.emulator import Chaos, Emulator
from devtools.soak_tally import Tally
from devtools.soak_worker import LOAD_FAILED
from ledger.actions import Actor, bind_group, create_invite, redeem_invite
from ledger.calendar_cn import is_workday
from ledger.service import import_file
from store import Repository

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
    failed_loads: int
    max_virtual_seconds: float
    max_late_days: int
    runs: int
    seconds: float

    @property
    def ok(self) -> bool:
        # a kill repeats at most what was in flight: up to the outbox's `max_in_flight` requests
        return not self.lost and not self.failed_loads and self.duplicated_messages <= self.kills * IN_FLIGHT

    def lines(self) -> list[str]:
        return [
            f"reminders planned (unique per chat and key): {self.planned}",
            f"reminders delivered (unique per chat, day and measure): {self.delivered}",
            f"lost: {len(self.lost)}" + (f"  e.g. {self.lost[:3]}" if self.lost else ""),
            f"duplicated: {self.duplicated} reminders in {self.duplicated_messages} messages"
            f" (kills: {self.kills}; at most one message in flight per kill)",
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
    with open(store, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def bundles_of(data: dict[str, Any]) -> dict[tuple[int, int], list[dict[str, Any]]]:
    return {(int(d["chat"]), int(d["msg"])): list(d["pages"]) for d in data.get("bundles", {}).values()}


class Soak:
    def __init__(self, cfg: SoakConfig, workdir: str, log: Any = sys.stdout) -> None:
        self.cfg, self.dir, self.out = cfg, workdir, log
        self.rng = random.Random(cfg.seed)
        self.store = os.path.join(workdir, "soak.json")
        self.emu = Emulator(chaos=Chaos(rate=cfg.fault_rate, seed=cfg.seed))
        self.tally = Tally(frozenset(ADMINS), ADMIN_CHAT, cfg.start)
        self.kills = self.failed_loads = self.runs = 0
        self.typical = 20  # messages a run sends; a kill lands after a random share of them

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
        sent_log = list(read_store(self.store).get("sent", {}).values())
        t = self.tally
        return Figures(
            planned=t.unique_planned,
            delivered=t.unique_delivered,
            lost=t.lost(sent_log),
            duplicated=t.duplicated,
            duplicated_messages=t.duplicated_messages,
            kills=self.kills,
            failed_loads=self.failed_loads,
            max_virtual_seconds=t.max_virtual_seconds,
            max_late_days=t.max_late_days,
            runs=self.runs,
            seconds=time.monotonic() - began,
        )

    async def _month(self) -> None:
        days = working_days(self.cfg)
        n = len(days)
        jump = set(days[n // 2 : n // 2 + 2]) if n >= 6 else set()  # the clock jumps over two working days
        refuse = set(days[n // 4 : n // 4 + 3]) if n >= 4 else set()  # the office group answers 403
        run_days = [d for d in days if d not in jump]
        kills_per_day = [0] * len(run_days)
        for _ in range(self.cfg.kills):
            kills_per_day[self.rng.randrange(len(run_days))] += 1
        carry = 0
        for i, day in enumerate(run_days):
            if day in refuse:
                self.emu.blocked.add(ADMIN_CHAT)
            else:
                self.emu.blocked.discard(ADMIN_CHAT)
            carry = await self._day(day, kills_per_day[i] + carry)
        self.emu.blocked.discard(ADMIN_CHAT)
        self.emu.chaos.rate = 0.0  # settle: one fault-free day sends what failures left owed
        settle = days[-1] + dt.timedelta(days=1)
        while not is_workday(settle):
            settle += dt.timedelta(days=1)
        await self._day(settle, carry)

    async def _day(self, day: dt.date, kills: int) -> int:
        """Run the day's sweep until one run completes, killing `kills` runs first; kills left over."""
        at = dt.datetime.combine(day, dt.time(9, 0), TZ)
        mark = len(self.emu.log)
        fails = 0
        while True:
            result, killed = await self._attempt(at, kill=kills > 0)
            kills -= killed
            if result == "load-failed":
                fails += 1
                if fails >= 3:
                    raise RuntimeError("the store cannot be loaded")
                continue
            if isinstance(result, dict):
                break
        self.typical = max(2, result["sent"] or self.typical)
        self.tally.add_messages(self.emu.log[mark:], day, bundles_of(read_store(self.store)))
        self.tally.add_run(result, day)
        self.say(f"{day} sent {result['sent']:4d} failed {result['failed']:3d} kills so far {self.kills}")
        return kills

    async def _attempt(self, at: dt.datetime, *, kill: bool) -> tuple[dict[str, Any] | str | None, int]:
        """One worker run; SIGKILLed (after a random number of deliveries, or while loading) if `kill`."""
        out = os.path.join(self.dir, "run.json")
        with contextlib.suppress(FileNotFoundError):
            os.remove(out)
        args = ["--store", self.store, "--base-url", self.emu.base_url, "--at", at.isoformat(), "--out", out]
        args += ["--admins", ",".join(map(str, ADMINS)), "--admin-chat", str(ADMIN_CHAT)]
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
                goal = len(self.emu.log) + self.rng.randint(1, self.typical)
                trigger = asyncio.ensure_future(self.emu.wait_for(lambda: len(self.emu.log) >= goal, 3600))
            await asyncio.wait({done, trigger}, return_when=asyncio.FIRST_COMPLETED)
            trigger.cancel()
            if not done.done():
                proc.kill()
                await done
                self.kills += 1
                return None, 1
        code = await done
        if code == LOAD_FAILED:
            self.failed_loads += 1
            return "load-failed", 0
        if code != 0:
            raise RuntimeError(f"a worker exited with {code}; see {self.dir}/worker.log")
        with open(out, encoding="utf-8") as f:
            result: dict[str, Any] = json.load(f)
        return result, 0


def main() -> None:
    p = argparse.ArgumentParser(description="A month of reminders through faults and SIGKILLs.")
    p.add_argument("--measures", type=int, default=SoakConfig.measures)
    p.add_argument("--chats", type=int, default=SoakConfig.chats)
    p.add_argument("--days", type=int, default=SoakConfig.days)
    p.add_argument("--kills", type=int, default=SoakConfig.kills)
    p.add_argument("--fault-rate", type=float, default=SoakConfig.fault_rate)
    p.add_argument("--seed", type=int, default=SoakConfig.seed)
    a = p.parse_args()
    cfg = SoakConfig(a.measures, a.chats, a.days, a.kills, a.fault_rate, a.seed)
    print(f"soak: {cfg.measures} measures, {cfg.units * 2} chats, {cfg.days} working days, {cfg.kills} kills")
    with tempfile.TemporaryDirectory(prefix="duban-soak-") as d:
        figures = asyncio.run(Soak(cfg, d).run())
    print("\n".join(figures.lines()))
    sys.exit(0 if figures.ok else 1)


if __name__ == "__main__":
    main()
