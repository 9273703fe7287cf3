"""The soak in miniature: real bot processes SIGKILLed mid-sweep against a faulty emulator.

The outbox keeps up to eight requests under way (one per chat) to reach Telegram's ceiling, so a kill
may repeat what was in flight: at most that many messages per kill, never a lost one."""

from __future__ import annotations

import io

from devtools.soak import IN_FLIGHT, Soak, SoakConfig


async def test_a_week_of_kills_and_faults_loses_nothing_and_doubles_only_what_was_in_flight(tmp_path) -> None:
    cfg = SoakConfig(measures=300, chats=10, days=6, kills=5, fault_rate=0.05, seed=7)
    figures = await Soak(cfg, str(tmp_path), log=io.StringIO()).run()
    assert figures.lost == []
    assert figures.failed_loads == 0
    assert figures.kills >= 1
    assert figures.duplicated_messages <= figures.kills * IN_FLIGHT  # only what was in flight at each kill
    assert figures.planned > 0 and figures.delivered > 0
    assert figures.max_late_days >= 2  # the clock jump over two working days: the next run sent what was owed
