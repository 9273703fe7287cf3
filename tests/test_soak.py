"""The soak in miniature: real bot processes SIGKILLed mid-sweep and while they handle what members
send, a disk that fills up, against a faulty emulator.

The outbox keeps up to eight requests under way (one per chat) to reach Telegram's ceiling, so an
interruption may repeat what was in flight: at most one message per chat, never a lost reminder,
never an update lost or applied twice."""

from __future__ import annotations

import io

from devtools.soak import IN_FLIGHT, Soak, SoakConfig


async def test_a_week_of_kills_faults_and_a_full_disk_loses_nothing_and_repeats_one_message_per_chat(
    tmp_path,
) -> None:
    cfg = SoakConfig(measures=150, chats=10, days=6, kills=3, fault_rate=0.05, seed=7, updates=12, serve_days=2)
    figures = await Soak(cfg, str(tmp_path), log=io.StringIO()).run()
    assert figures.lost == []
    assert figures.failed_loads == 0
    assert figures.kills >= 1 and figures.disk_full_writes >= 1
    for r in (figures.reminder_repeats, figures.reply_repeats):
        assert r.max_per_chat <= 1  # only the message in flight to each chat
        assert r.max_per_interruption <= IN_FLIGHT
        assert r.after_completed == 0
    u = figures.updates
    assert u.sent >= 20 and not u.lost and not u.doubled
    assert u.applied_once + u.refused == u.sent
    assert figures.planned > 0 and figures.delivered > 0
    assert figures.max_late_days >= 2  # the clock jump over two working days: the next run sent what was owed
    assert figures.ok
