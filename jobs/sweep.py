"""The sweep: plan the reminders due now and send them through the outbox, recording each one
in the sent-log only after Telegram accepted it. Re-running a sweep sends nothing new."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass

from telegram import InputFile, Message

from bot import notify
from bot.chart import render_chart
from bot.keyboards import reminder_keyboard
from bot.services import Services
from ledger.messages import render_digest, render_reminder, split_messages
from ledger.planner import keys_to_record, plan
from ledger.views import progress

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    planned: int = 0
    sent: int = 0
    failed: int = 0


async def sweep(s: Services, now: dt.datetime | None = None) -> SweepReport:
    """Send every reminder that is due at `now` (default: the services' clock)."""
    now = now or s.now()
    measures = {m.id: m for m in s.repo.measures()}
    directory = s.directory()  # once per sweep: it reads every binding
    reminders = plan(measures.values(), s.repo.sent_keys(), now, s.policy, directory, s.repo.report().date)
    report = SweepReport(planned=len(reminders))
    lang = s.settings.language
    admin_chats = set(s.admin_chats())
    for r in reminders:
        m = measures[r.measure_id]
        unit_chats = set(directory.unit_chats.get(m.unit, ()))
        accepted: list[int] = []
        for chat in r.recipients:
            office_copy = chat in admin_chats and chat not in unit_chats
            chat_lang = s.lang(chat) if chat > 0 else lang  # a person's /lang choice
            text = render_reminder(r, m, now.date(), chat_lang, for_admin=office_copy)
            markup = None if r.reason == "signoff" or office_copy else reminder_keyboard(m.id, chat_lang)
            result = await notify.send(s, chat, text, markup)
            if result.ok:
                assert result.message is not None
                accepted.append(chat)
                s.repo.remember_message(result.chat_id, result.message.message_id, m.id)
                report.sent += 1
            elif result.blocked:
                accepted.append(chat)  # nobody to reach there any more; do not retry forever
            else:
                report.failed += 1
        with s.repo.batch():
            for key in keys_to_record(r, accepted):
                s.repo.record_sent(key, r.measure_id, r.tier, now)
    if reminders:
        log.info("sweep at %s: %d planned, %d sent, %d failed", now, report.planned, report.sent, report.failed)
    return report


async def digest(s: Services, now: dt.datetime | None = None) -> int:
    """The weekly dispatch digest (调度) to the admins; returns messages sent."""
    now = now or s.now()
    measures = s.repo.measures()
    lines = render_digest(measures, s.repo.events(), now.date(), progress(measures, now.date()))
    chart = render_chart(measures, now.date(), s.policy.yellow_days)
    assert s.outbox is not None
    bot = s.outbox.bot

    async def send_chart(chat: int) -> Message:
        return await bot.send_photo(
            chat, InputFile(io.BytesIO(chart), filename="progress.png"), caption="各单位整改进度"
        )

    sent = 0
    for chat in s.admin_chats():
        for part in split_messages(lines):
            sent += (await notify.send(s, chat, part)).ok
        sent += (await s.outbox.send(chat, "", send=send_chart)).ok
    return sent
