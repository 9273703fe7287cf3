"""The sweep and the digest: plan what is owed now, send it side by side, record what arrived.

Reminders go to Telegram chats through the outbox and to robots and mailboxes through
`channels/`; each chat's sent-log key is recorded once it has the message, so re-running a sweep
sends nothing new and a crash repeats only what was in flight. `jobs/` decides when these run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from bot.delivery import (
    channel_notices,
    resend_requests,
    send,
    send_file,
    to_channels,
    to_office_chat,
)
from bot.keyboards import (
    bundle_keyboard,
    progress_keyboard,
    reminder_keyboard,
)
from bot.services import Services
from ledger import bundles, reports
from ledger.errors import DubanError
from ledger.hooks import OFFICE
from ledger.hours import digest_owed, held_until, in_working_hours
from ledger.i18n import t
from ledger.messages import fit, render_digest, render_reminder, split_messages
from ledger.models import Measure
from ledger.planner import Directory, Recipient, Reminder, keys_to_record, plan, recipient_order
from ledger.progress_requests import late_progress, plan_progress, render_no_progress, render_request
from ledger.views import progress

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    planned: int = 0
    sent: int = 0
    failed: int = 0
    ran: bool = True  # False when held outside the sending window


async def all_or_stop(work: list[Coroutine[Any, Any, None]]) -> None:
    """Run side by side; when one fails, stop the others before the failure goes on (as a crash would:
    nothing keeps sending behind the back of the next sweep).

    Each starts in a turn of the loop of its own: a chat's first message is rendered as it starts
    (text and buttons, about a millisecond), and 200 chats started in one turn held the loop for
    0.2 s, so a /help asked as the sweep began waited for all of them.
    """
    tasks: list[asyncio.Future[None]] = []
    try:
        for w in work:
            tasks.append(asyncio.ensure_future(w))
            await asyncio.sleep(0)  # the loop answers whoever is waiting between two chats' starts
        await asyncio.gather(*tasks)
    except BaseException:
        for w in work[len(tasks) :]:
            w.close()  # never started
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def sweep(s: Services) -> SweepReport:
    """Send every reminder due at the services' clock; one sweep at a time."""
    async with s.sweep_lock:
        report = await _sweep(s)
        if report.ran:
            s.set_last_run("sweep", s.now())
        return report


async def _sweep(s: Services) -> SweepReport:
    now = s.now()
    held = held_until(now, s.policy)
    if held is not None:
        log.info("sweep at %s: outside the sending window; what is owed goes out at %s", now, held)
        return SweepReport(ran=False)
    if s.outbox is not None:
        await resend_requests(s, s.repo.measures())
    measures = {m.id: m for m in s.repo.measures()}
    directory = sweep_directory(s)  # once per sweep: it reads every binding
    reminders = await plan_off_loop(s, list(measures.values()), now, directory)
    reminders = replan_changed(s, measures, reminders, now, directory)
    report = SweepReport(planned=len(reminders))
    accepted: dict[int, list[Recipient]] = {id(r): [] for r in reminders}  # chats that have each reminder now
    per_chat = bundles.by_chat(reminders, directory)

    def record(took: list[Reminder], chat: Recipient, message_id: int = 0) -> None:
        """Into the sent-log as soon as Telegram has it, in one write with where it landed (for
        replies to it): a restart mid-sweep resends nothing else."""
        with s.repo.batch():
            if message_id and len(took) == 1 and isinstance(chat, int):
                s.repo.remember_message(chat, message_id, took[0].measure_id)
            for r in took:
                accepted[id(r)].append(chat)
                for key in keys_to_record(r, accepted[id(r)]):
                    s.repo.record_sent(key, r.measure_id, r.tier, now)

    async def deliver(chat: Recipient, items: list[Reminder]) -> None:
        """One chat's reminders, in order; chats go side by side and the outbox paces them."""
        items = [r for r in items if still_owed(s, measures, r, chat, now, directory)]
        if len(items) > s.policy.bundle_above:
            pages = bundles.unit_bundle(items, measures, now.date(), s.lang(chat))
            if (got := await _send_bundle(s, chat, pages, report)) is not None:
                record(items, got)
        else:
            for r in items:
                if not still_owed(s, measures, r, chat, now, directory):
                    continue  # the measure changed while earlier reminders went out, and no longer owes it
                got, message_id = await _send_one(s, chat, r, measures[r.measure_id], now, report)
                if got is not None:
                    record([r], got, message_id)

    await all_or_stop([deliver(chat, items) for chat, items in per_chat.chats.items()])
    measures = {m.id: m for m in s.repo.measures()}  # as they are now, after minutes of sending
    await _progress_requests(s, measures, sweep_directory(s), now, report)  # bindings as they are now
    sent = s.repo.sent_keys()
    late_key, late_units = late_progress(measures.values(), sent, now, s.policy)
    bound = Counter(mb.unit for mb in s.repo.members() if mb.active)
    for chat in sorted(set(per_chat.office) | set(directory.admin_chats), key=recipient_order):
        items = [r for r in per_chat.office.get(chat, []) if r.measure_id in measures]
        owed = late_units if late_key and f"{late_key}@{chat}" not in sent else {}
        if not items and not owed:
            continue
        pages = bundles.office_bundle(items, measures, bound, now.date(), s.lang(chat), owed)
        if (got := await _send_bundle(s, chat, pages, report)) is not None:
            record(items, got)
            if late_key and f"{late_key}@{chat}" not in sent:
                s.repo.record_sent(f"{late_key}@{chat}", "", "progress", now, chat)
    await channel_notices(s)
    if reminders:
        log.info("sweep at %s: %d planned, %d sent, %d failed", now, report.planned, report.sent, report.failed)
    return report


async def plan_off_loop(s: Services, measures: list[Measure], now: dt.datetime, directory: Directory) -> list[Reminder]:
    """`plan` in a worker thread, so the bot keeps answering while a large sweep is planned (a
    100 000-measure catch-up plans for half a second or more).

    The thread gets a snapshot taken here, on the loop, and touches nothing else: the measures
    (frozen dataclasses, in a list of its own), the directory built for this sweep, and the sent-log
    as it is now (a frozenset; a live view of the store's set is copied, as a handler may record a
    key meanwhile). The store is read here and written only on the loop, after planning.
    """
    sent = s.repo.sent_keys()
    if not isinstance(sent, frozenset):
        sent = frozenset(sent)
    start = s.repo.report().date
    return await asyncio.to_thread(plan, measures, sent, now, s.policy, directory, start)


def replan_changed(
    s: Services, measures: dict[str, Measure], reminders: list[Reminder], now: dt.datetime, directory: Directory
) -> list[Reminder]:
    """The loop answered people while the thread planned (that is why it plans there): a measure
    reported done, extended, reassigned, renumbered or imported meanwhile is planned again as it is
    now, here on the loop (a handful), and `measures` is brought up to date. Without this a unit
    could be reminded of what it had just reported done, or a reminder go to the unit a measure
    was taken from."""
    current = {m.id: m for m in s.repo.measures()}
    changed = {mid for mid, m in measures.items() if current.get(mid) is not m and current.get(mid) != m}
    fresh = [m for mid, m in current.items() if mid in changed or mid not in measures]
    if not changed and not fresh:
        return reminders
    for mid in changed:
        del measures[mid]
    measures.update((m.id, m) for m in fresh)
    again = plan(fresh, frozenset(s.repo.sent_keys()), now, s.policy, directory, s.repo.report().date)
    return [r for r in reminders if r.measure_id not in changed] + again


def still_owed(
    s: Services, measures: dict[str, Measure], r: Reminder, chat: Recipient, now: dt.datetime, directory: Directory
) -> bool:
    """Whether this chat still owes reminder `r` as the store is now. A sweep sends for minutes, and
    people act meanwhile: a measure that changed since it was planned (reported done, extended,
    reassigned, renumbered, a note added) is planned again on its own, and the reminder goes out
    only if the planner would still send it to this chat; `measures` then holds it as it is now."""
    if not s.repo.has_measure(r.measure_id):
        return False
    m = s.repo.measure(r.measure_id)
    if m is measures.get(r.measure_id) or m == measures.get(r.measure_id):
        return True
    measures[r.measure_id] = m
    again = plan([m], frozenset(s.repo.sent_keys()), now, s.policy, directory, s.repo.report().date)
    return any(x.key == r.key and chat in x.recipients for x in again)


def sweep_directory(s: Services) -> Directory:
    """Telegram's chats and, with channels, every active robot or mailbox bound to a unit."""
    return s.channels.extend(s.directory()) if s.channels else s.directory()


async def _send_one(
    s: Services, chat: Recipient, r: Reminder, m: Measure, now: dt.datetime, report: SweepReport
) -> tuple[Recipient | None, int]:
    """One reminder to a unit's chat, with ✅/⏳/📝: (the chat that has it now — a migrated group's
    new id — or the chat itself when it is gone, or None when it failed and is retried at the next
    sweep; the message id, 0 when none)."""
    if isinstance(chat, str):  # a robot or a mailbox (channels/)
        ok = s.channels is not None and await s.channels.reminder(chat, r, m, now.date())
        report.sent += ok
        report.failed += not ok
        return (chat if ok else None), 0
    lang = s.lang(chat)
    url = s.measure_url(chat, m.id)
    markup = None if r.reason == "signoff" else reminder_keyboard(s.repo.key_of(m.id), lang, url)
    result = await send(s, chat, render_reminder(r, m, now.date(), lang), markup)
    if result.ok:
        assert result.message is not None
        report.sent += 1
        return result.chat_id, result.message.message_id
    report.failed += not result.blocked
    return (chat if result.blocked else None), 0  # a chat that is gone is not retried forever


async def _progress_requests(
    s: Services, measures: dict[str, Measure], directory: Directory, now: dt.datetime, report: SweepReport
) -> None:
    """This period's progress request to each unit's chats that have not had it (定期调度)."""
    for req in plan_progress(measures.values(), s.repo.sent_keys(), now, s.policy, directory):
        for chat in req.recipients:
            lang = s.lang(chat)
            text = fit("\n".join(render_request(req, measures, lang)))
            if isinstance(chat, str):  # a robot or a mailbox: the request without its 📝 buttons
                ok = s.channels is not None and await s.channels.text(chat, text)
                report.sent += ok
                report.failed += not ok
                if ok:
                    s.repo.record_sent(req.chat_key(chat), "", "progress", now, chat)
                continue
            result = await send(s, chat, text, progress_keyboard(req.measure_ids, lang, s.repo.key_of))
            report.sent += result.ok
            report.failed += not (result.ok or result.blocked)
            if result.ok or result.blocked:  # under the id that has it (a migrated group's new one)
                s.repo.record_sent(req.chat_key(result.chat_id), "", "progress", now, result.chat_id)


async def _send_bundle(
    s: Services, chat: Recipient, pages: list[bundles.Page], report: SweepReport
) -> Recipient | None:
    """A bundle's first page, with its buttons; the other pages are kept for ◀ ▶."""
    if isinstance(chat, str):  # a robot or a mailbox: every page, links instead of buttons
        ok = s.channels is not None and await s.channels.bundle(chat, pages)
        report.sent += ok
        report.failed += not ok
        return chat if ok else None
    first = pages[0]
    markup = bundle_keyboard(first.ids, 0, len(pages), s.lang(chat), s.repo.key_of)
    if chat in s.admin_chats():  # the office: its group, or each admin privately when the group refuses
        office = await to_office_chat(s, chat, first.text, markup)
        if not office:  # nobody got it: retried at the next sweep, never recorded as delivered
            report.failed += 1
            return None
        result = office[0]
    else:
        result = await send(s, chat, first.text, markup)
    if result.ok:
        assert result.message is not None
        if len(pages) > 1:
            s.repo.put_bundle(result.chat_id, result.message.message_id, [p._asdict() for p in pages])
        report.sent += 1
    else:
        report.failed += not result.blocked
    return result.chat_id if result.ok else (chat if result.blocked else None)


async def digest_if_owed(s: Services) -> int:
    """This week's digest if it is due and has not gone out (the job, or the watch after a clock jump)."""
    async with s.digest_lock:
        now = s.now()
        if not digest_owed(now, s.policy, s.last_run("digest")):
            return 0
        s.set_last_run("digest", now)  # before sending: a digest is never sent twice in a week
        return await digest(s)


async def digest(s: Services) -> int:
    """The weekly dispatch digest (调度) to the admins, with the chart; returns messages sent."""
    from bot.chart import render_chart  # matplotlib is loaded only when a chart is drawn

    now = s.now()
    if not in_working_hours(now, s.policy):  # a digest job run late (the machine slept) waits for next week
        log.info("digest at %s held: outside working hours", now)
        return 0
    lang = s.settings.language
    measures = s.repo.measures()
    lines = render_digest(measures, s.repo.events(), now.date(), progress(measures, now.date()), lang)
    late_key, late_units = late_progress(measures, frozenset(), now, s.policy)
    lines += render_no_progress(late_units, lang) if late_key else []
    try:
        chart: bytes | None = render_chart(measures, now.date(), s.policy.yellow_days, lang)
    except Exception:  # a chart is a convenience: the digest goes out without it
        log.exception("could not draw the progress chart")
        chart = None
    sent = 0
    for chat in s.admin_chats() if s.outbox is not None else ():
        for part in split_messages(lines):
            sent += (await send(s, chat, part)).ok
        if chart is not None:
            sent += (await send_file(s, chat, chart, "progress.png", t(lang, "chart_caption"), photo=True)).ok
    if s.channels is not None:  # the office's own robot or mailbox
        sent += await s.channels.digest(lines)
    if s.policy.unit_digest:
        sent += await _unit_digests(s, measures, now.date())
    return sent


async def _unit_digests(s: Services, measures: list[Measure], today: dt.date) -> int:
    """`[schedule] unit_digest`: each bound chat, robot and mailbox gets its unit's own open items,
    with the office's digest."""
    sent = 0
    for unit, chats in s.directory().unit_chats.items() if s.outbox is not None else ():
        for chat in chats:
            if isinstance(chat, str):
                continue  # Services.directory() holds Telegram chats only
            for part in split_messages(_unit_digest_lines(s, measures, unit, today, s.lang(chat))):
                sent += (await send(s, chat, part)).ok
    for unit in sorted({h.unit for h in s.channels.active().values()} - {OFFICE}) if s.channels else ():
        sent += await to_channels(s, unit, _unit_digest_lines(s, measures, unit, today, s.settings.language))
    return sent


def _unit_digest_lines(s: Services, measures: list[Measure], unit: str, today: dt.date, lang: str) -> list[str]:
    lines = [t(lang, "unit_digest_head", today=today.isoformat())]
    return lines + reports.mine_lines(measures, {unit}, today, s.policy.yellow_days, lang)


@dataclass(frozen=True)
class Retention:
    """`[store]` retention: how long sent-log keys and audit events stay in the live store."""

    sent_margin_days: int = 60
    events_kept_days: int = 400
    at: dt.time = dt.time(3, 30)

    @classmethod
    def from_config(cls, store: Mapping[str, Any]) -> Retention:
        try:
            hh, mm = str(store.get("retention_at", "03:30")).split(":")
            r = cls(
                int(store.get("sent_margin_days", 60)),
                int(store.get("events_kept_days", 400)),
                dt.time(int(hh), int(mm)),
            )
        except (TypeError, ValueError):
            raise DubanError(
                '[store] 保留设置有误：sent_margin_days、events_kept_days 为天数，retention_at 如 "03:30"。'
            ) from None
        if r.sent_margin_days < 1 or r.events_kept_days < 1:
            raise DubanError("[store] sent_margin_days、events_kept_days 须至少为 1 天。")
        return r


def retain(s: Services, r: Retention) -> tuple[int, int]:
    """Old sent-log keys dropped and old audit events archived to their yearly file: (dropped, archived)."""
    now = s.now()
    dropped = s.repo.prune_sent(now.date(), r.sent_margin_days)
    archived = s.repo.archive_events(now, r.events_kept_days)
    if dropped or archived:
        log.info("retention: %d sent-log keys dropped, %d audit events archived", dropped, archived)
    return dropped, archived
