"""Handlers for responsible units: binding, their measures, and acting on reminders."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot import acts, delivery, imports
from bot.acts import Ask
from bot.keyboards import parse
from bot.turn import Turn, handler, services_of
from ledger import actions, reports
from ledger.chatwords import done_report
from ledger.errors import DubanError, InviteError
from ledger.i18n import LANGS, t
from ledger.messages import render_measure
from ledger.models import Evidence

INVITE_TRIES, INVITE_COOLDOWN = 5, dt.timedelta(minutes=10)  # wrong invite codes per person, then a pause
log = logging.getLogger(__name__)


@handler
async def start(turn: Turn) -> None:
    """/start [code]: bind to a unit with an invite code, else show help."""
    code = turn.args
    if not code:
        await turn.reply(help_text(turn))
        return
    user = turn.update.effective_user
    assert user is not None
    recent = [t0 for t0 in turn.s.invite_failures.get(user.id, []) if turn.now - t0 < INVITE_COOLDOWN]
    if len(recent) >= INVITE_TRIES:
        log.warning("invite: user %s is over %d wrong codes; refused without checking", user.id, INVITE_TRIES)
        raise DubanError(turn.t("invite_too_many"))
    try:
        member = actions.redeem_invite(turn.s.repo, code, user.id, turn.chat_id, user.full_name, turn.now)
    except InviteError:
        turn.s.invite_failures[user.id] = [*recent, turn.now]
        log.warning("invite: user %s in chat %s gave a code that binds nothing", user.id, turn.chat_id)
        raise
    await delivery.to_office(
        turn.s, t(turn.s.settings.language, "bound_notice", who=user.full_name, uid=user.id, unit=member.unit)
    )
    await turn.reply(turn.t("bound", unit=member.unit))  # the reply comes last: the work is done
    await delivery.welcome(turn.s, turn.chat_id, member.unit)


def help_text(turn: Turn) -> str:
    return turn.t("help_unit") + (turn.t("help_admin") if turn.actor.is_admin else "")


@handler
async def help_(turn: Turn) -> None:
    await turn.reply(help_text(turn))


@handler
async def whoami(turn: Turn) -> None:
    units = sorted(actions.units_of(turn.s.repo, turn.actor))
    text = turn.t("whoami", uid=turn.actor.user_id, units="、".join(units) or turn.t("none"), admin="")
    await turn.reply(text + (turn.t("admin_mark") if turn.actor.is_admin else ""))


@handler
async def lang(turn: Turn) -> None:
    choice = turn.args.lower()
    if choice not in LANGS:
        await turn.reply(turn.t("lang_usage"))
        return
    turn.s.repo.set_pref(turn.actor.user_id, "lang", choice)
    await turn.reply(t(choice, "lang_set"))


@handler
async def mine(turn: Turn) -> None:
    """/mine: the open measures of the units this chat acts for."""
    s = turn.s
    units = actions.units_of(s.repo, turn.actor)
    if not units:
        await turn.reply(turn.t("not_bound"))
        return
    await turn.reply_lines(
        reports.mine_lines(s.repo.measures(), units, turn.now.date(), s.policy.yellow_days, turn.lang)
    )


def measure_arg(turn: Turn, usage: str, text_required: bool = False) -> tuple[str, str]:
    """("P24-4", the rest) from "/cmd P24-4 the rest"; the usage (as an error reply) otherwise."""
    parts = turn.args.split(maxsplit=1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not parts or len(parts[0]) > 40 or (text_required and not rest):
        raise DubanError(turn.t(usage))
    return parts[0], rest  # the office's own id, looked up ignoring case and full-width forms


@handler
async def measure(turn: Turn) -> None:
    mid, _ = measure_arg(turn, "usage_measure")
    m = actions.member_measure(turn.s.repo, turn.actor, mid)
    await turn.reply_lines(render_measure(m, turn.lang))


@handler
async def done(turn: Turn) -> None:
    """/done P24-4 note: submit with the note as evidence (or ask for it)."""
    mid, note = measure_arg(turn, "usage_done")
    if not note:
        await acts.ask(turn, Ask.EVIDENCE, mid)
        return
    await acts.submit(turn, mid, Evidence(note=note))


@handler
async def extend(turn: Turn) -> None:
    """/extend P24-4 2024-09-30 reason."""
    mid, rest = measure_arg(turn, "usage_extend", text_required=True)
    await acts.extension_from_text(turn, mid, rest)


@handler
async def note(turn: Turn) -> None:
    """/note P24-4 progress."""
    mid, text = measure_arg(turn, "usage_note", text_required=True)
    await acts.add_note(turn, mid, text)


@handler
async def button(turn: Turn) -> None:
    """✅ / ⏳ / 📝 under a reminder: ask for the evidence, the date or the note."""
    q = turn.query
    assert q is not None and q.data
    parsed = parse(q.data)
    if parsed is None or parsed[0] not in acts.BUTTON_ASKS:
        await q.answer()
        return
    m = acts.button_measure(turn, parsed[1])
    await acts.ask(turn, acts.BUTTON_ASKS[parsed[0]], m.id)
    await q.answer()


@handler
async def message(turn: Turn) -> None:
    """Text, photos and files: an answer to a question we asked, or a reply “完成…” to a reminder."""
    s, msg = turn.s, turn.message
    if msg is None:
        return
    text = msg.text or msg.caption or ""
    target = msg.reply_to_message
    mid = s.repo.message_measure(turn.chat_id, target.message_id) if target else None
    if mid:  # a reply to a reminder names its measure, whatever question is pending
        note = done_report(text)
        if note is not None:
            acts.set_question(turn, None)
            await acts.submit(turn, mid, acts.evidence_of(msg, note or text))
        else:
            await turn.reply(turn.t("reply_hint"))
        return
    q = acts.question(turn)
    if q:
        await acts.answer(turn, q, text)
        return
    to_bot = target is not None and target.from_user is not None and target.from_user.is_bot
    if to_bot and done_report(text) is not None:
        await turn.reply(turn.t("usage_done"))  # a reply to a message that names no measure
        return
    if turn.private:
        if msg.document and turn.actor.is_admin:
            await imports.import_document(turn)  # an admin sends a spreadsheet to import it
            return
        await turn.reply(turn.t("unknown"))


async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its bindings follow it at once (not at the next failed send).

    Telegram posts the change in both chats; either one moves the bindings, the second finds
    nothing left to move. Service messages may carry no sender, so this handler needs no Turn.
    """
    msg, chat = update.effective_message, update.effective_chat
    if msg is None or chat is None:
        return
    repo = services_of(context).repo
    if msg.migrate_to_chat_id:
        actions.migrate_chat(repo, chat.id, msg.migrate_to_chat_id)
    elif msg.migrate_from_chat_id:
        actions.migrate_chat(repo, msg.migrate_from_chat_id, chat.id)
