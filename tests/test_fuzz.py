"""Whatever people send, the bot answers and never crashes; the ledger changes only by legal actions."""

from __future__ import annotations

import asyncio
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.actions import Actor, create_invite, redeem_invite
from store import Repository
from tests.conftest import load_seed
from tests.harness import TZ, running_bot

MEMBER, STRANGER = 501, 777
IDS = ["P24-4", "P22-1", "P1-1", "P99-9", "p24-4", "P24-4 ", "X", ""]
COMMANDS = [
    "/done",
    "/extend",
    "/note",
    "/measure",
    "/mine",
    "/start",
    "/lang",
    "/whoami",
    "/help",
    "/overdue",
    "/invite",
    "/bind",
    "/stats",
    "/export",
    "/due",
    "/find",
    "/unit",
    "/pending",
    "/nope",
]
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
action = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(
        st.just("cmd"),
        st.builds(lambda c, i, t: f"{c} {i} {t}".strip(), st.sampled_from(COMMANDS), st.sampled_from(IDS), texts),
    ),
    st.tuples(
        st.just("caption"), st.builds(lambda w, t: w + t, st.sampled_from(["完成", "done ", "", "已完成："]), texts)
    ),
    st.tuples(
        st.just("button"),
        st.one_of(
            st.builds(
                lambda a, i: f"{a}:{i}",
                st.sampled_from(["d", "x", "n", "s", "b", "ea", "er", "pg", "zz"]),
                st.sampled_from(IDS),
            ),
            st.text(max_size=64),
        ),
    ),
    st.tuples(st.just("reply"), texts),
)
LEGAL = {"import", "submit", "extension_request", "note", "occurrence_done"}


async def play(actions: list[tuple[str, str]], user: int, tmp: str) -> None:
    repo = Repository.open(f"{tmp}/fuzz-{user}.json")
    load_seed(repo)
    now = dt.datetime(2024, 8, 21, 9, 0, tzinfo=TZ)
    inv = create_invite(repo, Actor(0, 0, True), "区教育局", now)
    redeem_invite(repo, inv["code"], MEMBER, MEMBER, "王老师", now)
    before = {m.id: m for m in repo.measures()}
    async for bot in running_bot(repo, now):
        from bot.sweeping import sweep

        await sweep(bot.s)
        anchor = next((m for m in bot.emu.bot_messages(MEMBER) if "P24-4" in m.text), None)
        for kind, value in actions:
            if kind == "button" and anchor is not None:
                bot.emu.press(user, anchor, value or "d")
            elif kind == "caption":
                bot.emu.user_sends(user, value, photo=True, reply_to=anchor.message_id if anchor else None)
            elif kind == "reply" and anchor is not None:
                bot.emu.user_sends(user, value or "?", reply_to=anchor.message_id)
            elif value.strip():
                bot.emu.user_sends(user, value)
        await bot.say(user, "/whoami")  # updates are handled in order: this answer comes last
        assert bot.s.handler_errors == []
        assert bot.emu.errors == []  # Telegram accepted every message (escaped HTML, limits)
    after = {m.id: m for m in repo.measures()}
    repo.close()
    assert after.keys() == before.keys()
    for mid, m in after.items():
        new = m.history[len(before[mid].history) :]
        if user == STRANGER:
            assert m == before[mid], mid
        for ev in new:
            assert ev.actor == f"tg:{user}" and ev.action in LEGAL, ev
            assert m.unit == "区教育局"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(action, max_size=8), st.sampled_from([MEMBER, STRANGER]))
def test_random_input_never_crashes_the_bot_or_breaks_the_ledger(tmp_path_factory, actions, user) -> None:  # type: ignore[no-untyped-def]
    asyncio.run(play(actions, user, str(tmp_path_factory.mktemp("fuzz"))))
