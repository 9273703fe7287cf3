"""A 1 000-reminder sweep against an emulator holding the bot to Telegram's limits, in virtual time:
no 429, an unrelated person's /help answered at once, what was sent written in batches."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from bot.services import Services, Settings
from bot.sweeping import sweep
from devtools.emulator import Emulator
from devtools.emulator import VirtualClock as Clock
from devtools.loadgen import mix, sweep_ledger
from devtools.serve import serve_on_emulator
from ledger.policy import Policy
from store import Repository
from tests.harness import ADMIN, TZ

STRANGER = 777  # bound to no unit: /help is all they ask


async def test_help_is_answered_at_once_while_a_big_sweep_goes_out(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2024, 8, 21, 9, tzinfo=TZ)
    counts = mix(1000, 200, 40)
    repo = Repository.open(str(tmp_path / "s.json"))
    sweep_ledger(repo, counts, now)
    writes = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (writes.append(b), real_replace(a, b)))
    clock = Clock(now)
    emu = Emulator(max_per_second=30, chat_limits=True, clock=clock.monotonic)
    policy = Policy(bundle_above=10_000)  # one message per reminder: the outbox's own throughput
    s = Services(repo=repo, policy=policy, clock=clock, settings=Settings(admins=frozenset({ADMIN})))
    async with serve_on_emulator(s, emu, clock.sleep, clock.monotonic, job_queue=False):
        sweeping = asyncio.ensure_future(sweep(s))
        await emu.wait_for(lambda: len(emu.log) >= 300, timeout=60)
        asked = emu.user_sends(STRANGER, "/help")
        answer = await emu.reply_in(STRANGER, after=asked.message_id, timeout=30)
        report = await sweeping
    repo.close()
    assert report.sent == 1000 and report.failed == 0
    assert emu.throttled == 0
    assert answer.at - asked.at <= 1.0  # virtual seconds, while ~700 reminders were still queued
    assert len(writes) <= 1000 + 40  # one write per message (where it landed and its key together), not two


@pytest.mark.parametrize("retry_after", [45])
async def test_a_429_on_one_chat_does_not_delay_anyone_else(tmp_path, retry_after: int) -> None:  # type: ignore[no-untyped-def]
    from devtools.emulator import Fault

    now = dt.datetime(2024, 8, 21, 9, tzinfo=TZ)
    counts = mix(60, 20, 5)
    repo = Repository.open(str(tmp_path / "s.json"))
    sweep_ledger(repo, counts, now)
    clock = Clock(now)
    emu = Emulator(max_per_second=30, chat_limits=True, clock=clock.monotonic)
    parked = next(iter(counts))
    emu.faults.append(Fault("sendMessage", "429", chat_id=parked, retry_after=retry_after))
    s = Services(
        repo=repo, policy=Policy(bundle_above=10_000), clock=clock, settings=Settings(admins=frozenset({ADMIN}))
    )
    async with serve_on_emulator(s, emu, clock.sleep, clock.monotonic, job_queue=False):
        report = await sweep(s)
    repo.close()
    assert report.sent == 60
    parked_at = min(m.at for m in emu.log if m.chat_id == parked)
    others_done = max(m.at for m in emu.log if m.chat_id != parked)
    assert parked_at >= retry_after and others_done < retry_after  # only the parked chat waited
