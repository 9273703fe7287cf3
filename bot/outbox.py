"""One outbox for everything the bot sends: replies, reminders, digests, notices.

Each chat has its own queue. One dispatcher always sends to whichever chat Telegram allows next
(`outbox_pacing`: about 30 messages a second overall, one a second per private chat, 20 a minute
per group), with up to `max_in_flight` requests under way at once and one per chat, so a chat's
messages keep their order. A reply to a person (`interactive=True`) goes before any reminder.
A 429 parks only its chat for `retry_after`; network errors park it with backoff and are retried;
a chat that blocked the bot (403) is reported, not retried; a group that became a supergroup
(ChatMigrated) is followed. The clock and the sleep are injected, so tests run in virtual time;
only the dispatcher sleeps, so waiting for one chat never holds up another. On a virtual clock
the network takes no time: with `settle_in_flight` the dispatcher lets requests under way
complete before it moves the clock on, as real time would not wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.outbox_pacing import FOREVER, Pacing, until

log = logging.getLogger(__name__)
MAX_WAITS = 20  # 429s one message may wait out before it is given up


@dataclass
class SendResult:
    chat_id: int
    message: Message | None = None
    blocked: bool = False
    migrated_to: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.message is not None


@dataclass
class _Job:
    seq: int
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    send: Callable[[int], Awaitable[Message]] | None
    interactive: bool
    done: asyncio.Future[SendResult]
    result: SendResult
    attempts: int = 0
    waits: int = 0


@dataclass
class _Lane:
    """One chat's queue: replies to people first, then reminders; one request at a time."""

    urgent: deque[_Job] = field(default_factory=deque)
    bulk: deque[_Job] = field(default_factory=deque)
    busy: bool = False
    parked_at: float = 0.0
    parked_for: float = 0.0  # a 429's retry_after or a retry's backoff, from parked_at

    def head(self) -> _Job | None:
        for q in (self.urgent, self.bulk):
            while q and q[0].done.done():  # the sender gave up waiting (cancelled)
                q.popleft()
            if q:
                return q[0]
        return None

    def pop(self) -> _Job:
        return (self.urgent or self.bulk).popleft()


@dataclass
class Outbox:
    bot: Bot
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    overall_per_second: float = 30.0
    private_interval: float = 1.0
    group_per_minute: int = 20
    max_attempts: int = 5
    max_in_flight: int = 8
    settle_in_flight: bool = False  # virtual time: the clock moves on only once requests complete
    _lanes: dict[int, _Lane] = field(default_factory=dict)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _in_flight: int = 0
    _runner: asyncio.Task[None] | None = None
    _wake: asyncio.Event | None = None
    _sleeper: asyncio.Future[None] | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.pacing = Pacing(self.overall_per_second, self.private_interval, self.group_per_minute)

    async def send(
        self,
        chat_id: int,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
        send: Callable[[int], Awaitable[Message]] | None = None,
        *,
        interactive: bool = False,
    ) -> SendResult:
        """Queue a message (or `send`, for a file) and wait until it is sent or has failed.

        Never raises for Telegram's refusals; `interactive` marks a reply to a person, which goes
        ahead of every reminder.
        """
        done: asyncio.Future[SendResult] = asyncio.get_running_loop().create_future()
        job = _Job(next(self._seq), chat_id, text, markup, send, interactive, done, SendResult(chat_id))
        self._enqueue(job, front=False)
        return await done

    @property
    def pending(self) -> int:
        """Messages queued or under way."""
        return self._in_flight + sum(len(lane.urgent) + len(lane.bulk) for lane in self._lanes.values())

    async def close(self) -> None:
        """Stop the dispatcher (at shutdown); messages still queued are cancelled."""
        for task in [*self._tasks, *([self._runner] if self._runner else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for lane in self._lanes.values():
            for job in (*lane.urgent, *lane.bulk):
                job.done.cancel()
        self._lanes.clear()

    # -- the dispatcher ------------------------------------------------------------------------
    def _enqueue(self, job: _Job, *, front: bool) -> None:
        lane = self._lanes.setdefault(job.chat_id, _Lane())
        q = lane.urgent if job.interactive else lane.bulk
        q.appendleft(job) if front else q.append(job)
        if self._runner is None:
            self._wake = asyncio.Event()
            self._runner = asyncio.get_running_loop().create_task(self._dispatch())
        else:
            self._wake_up()

    def _wake_up(self) -> None:
        """Something changed: the dispatcher chooses again, and time spent asleep stops here
        (a virtual sleep not yet under way is cancelled before it moves the clock)."""
        if self._wake is not None:
            self._wake.set()
        if self._sleeper is not None:
            self._sleeper.cancel()

    def _choose(self, now: float) -> tuple[int | None, float]:
        """The chat to send to now, or how long until one may be sent to.

        Replies to people first; then the chat whose backlog takes longest to drain at its own
        limit (a unit with 30 reminders needs 29 s however fast the rest goes, so it starts
        first); then the oldest message.
        """
        if self._in_flight >= self.max_in_flight:
            return None, FOREVER
        waits = {kind: self.pacing.overall_wait(now, self._in_flight, kind) for kind in (True, False)}
        best: tuple[bool, float, int, int] | None = None  # (not interactive, -backlog, seq, chat)
        soonest = FOREVER
        for chat_id, lane in list(self._lanes.items()):
            if lane.busy:
                continue
            job = lane.head()
            if job is None:
                del self._lanes[chat_id]
                continue
            wait = max(
                until(lane.parked_at, lane.parked_for, now),
                self.pacing.chat_wait(chat_id, now),
                waits[job.interactive],
            )
            if wait <= 0.0:
                backlog = 0.0 if job.interactive else self.pacing.backlog(chat_id, len(lane.bulk))
                key = (not job.interactive, -backlog, job.seq, chat_id)
                best = key if best is None or key < best else best
            else:
                soonest = min(soonest, wait)
        return (best[3], 0.0) if best else (None, soonest)

    async def _dispatch(self) -> None:
        wake = self._wake
        assert wake is not None
        try:
            while self._lanes or self._in_flight:
                wake.clear()
                now = self.clock()
                chat_id, wait = self._choose(now)
                if chat_id is None and not self._lanes and not self._in_flight:
                    break  # all sent: the next message starts a new dispatcher
                if chat_id is not None:
                    self._start(self._lanes[chat_id], now)
                    await asyncio.sleep(0)  # let the request start before choosing the next
                elif wait == FOREVER or (self.settle_in_flight and self._in_flight):
                    await wake.wait()  # a request completing or a new message changes the picture
                else:
                    await self._sleep_or_wake(wait, wake)
        finally:
            self._runner = None

    async def _sleep_or_wake(self, wait: float, wake: asyncio.Event) -> None:
        self._sleeper = sleeper = asyncio.ensure_future(self.sleep(wait))
        waker = asyncio.ensure_future(wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._sleeper = None
            for task in (sleeper, waker):
                task.cancel()

    def _start(self, lane: _Lane, now: float) -> None:
        job = lane.pop()
        lane.busy, lane.parked_for = True, 0.0
        self._in_flight += 1
        self.pacing.started(job.interactive, now)
        task = asyncio.get_running_loop().create_task(self._attempt(job, lane))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _attempt(self, job: _Job, lane: _Lane) -> None:
        park = 0.0
        try:
            park = await self._request(job)
        except asyncio.CancelledError:  # the outbox is closing
            job.done.cancel()
            raise
        except Exception as e:  # not Telegram refusing: the sender sees the exception
            if not job.done.done():
                job.done.set_exception(e)
        finally:
            now = self.clock()
            self.pacing.completed(job.chat_id, now)
            self._in_flight -= 1
            lane.busy, lane.parked_at, lane.parked_for = False, now, park
            if not job.done.done():
                self._enqueue(job, front=True)  # a retry keeps its place at the head of its chat
            else:
                self._wake_up()

    async def _request(self, job: _Job) -> float:
        """One request; returns how long its chat must wait if the job is to be retried."""
        result, chat_id = job.result, job.chat_id
        job.attempts += 1
        try:
            if job.send is not None:
                result.message = await job.send(chat_id)
            else:
                result.message = await self.bot.send_message(
                    chat_id, job.text, parse_mode=ParseMode.HTML, reply_markup=job.markup, disable_web_page_preview=True
                )
            result.chat_id = chat_id
        except RetryAfter as e:
            with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
                warnings.simplefilter("ignore")
                after = e.retry_after
            delay = after.total_seconds() if isinstance(after, dt.timedelta) else float(after)
            log.info("429 from Telegram for chat %s, it waits %.1fs", chat_id, delay)
            job.attempts -= 1  # a 429 is Telegram asking us to wait, not a failed attempt
            job.waits += 1
            if job.waits < MAX_WAITS:
                return delay
            result.error = str(e)
        except ChatMigrated as e:
            log.info("chat %s migrated to %s", chat_id, e.new_chat_id)
            result.migrated_to = job.chat_id = e.new_chat_id
            if job.attempts < self.max_attempts:
                return 0.0
        except Forbidden as e:
            result.blocked, result.error = True, str(e)
        except BadRequest as e:
            result.error = str(e)
            log.warning("Telegram refused a message to %s: %s", chat_id, e)
        except (TimedOut, NetworkError) as e:
            result.error = str(e)
            if job.attempts < self.max_attempts:
                return min(2.0**job.attempts, 30.0)
        job.done.set_result(result)
        return 0.0
