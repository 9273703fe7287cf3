"""A running Duban bot against the local Bot API emulator, in virtual time."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram.ext import Application

from bot.services import Services, Settings
from devtools.emulator import Emulator, Sent
from devtools.emulator import VirtualClock as Clock
from devtools.serve import serve_on_emulator
from ledger.policy import Policy
from store import Repository

TZ = ZoneInfo("Asia/Shanghai")
ADMIN, ADMIN2 = 9001, 9002


@dataclass
class Bot:
    emu: Emulator
    app: Application
    s: Services
    clock: Clock

    @property
    def repo(self) -> Repository:
        return self.s.repo

    async def say(self, user: int, text: str = "", chat: int | None = None, **kw) -> Sent:  # type: ignore[no-untyped-def]
        """A user sends a message and we wait for the bot's answer in that chat."""
        chat_id = user if chat is None else chat
        before = max((m.message_id for m in self.emu.transcripts.get(chat_id, [])), default=0)
        msg = self.emu.user_sends(user, text, chat, **kw)
        del msg
        return await self.emu.reply_in(chat_id, after=before)

    async def press(self, user: int, message: Sent, data: str, expect_reply: bool = True) -> Sent | str | None:
        before = max((m.message_id for m in self.emu.transcripts.get(message.chat_id, [])), default=0)
        qid = self.emu.press(user, message, data)
        if expect_reply:
            return await self.emu.reply_in(message.chat_id, after=before)
        return await self.emu.wait_for(lambda: self.emu.answer_for(qid))


async def running_bot(
    repo: Repository,
    now: dt.datetime,
    *,
    require_approval: bool = True,
    admin_chat: int = 0,
    policy: Policy | None = None,
) -> AsyncIterator[Bot]:
    emu = Emulator()
    clock = Clock(now)
    s = Services(
        repo=repo,
        policy=policy or Policy(),
        clock=clock,
        settings=Settings(admins=frozenset({ADMIN, ADMIN2}), admin_chat=admin_chat, require_approval=require_approval),
    )
    async with serve_on_emulator(s, emu, clock.sleep, clock.monotonic) as app:
        yield Bot(emu, app, s, clock)
