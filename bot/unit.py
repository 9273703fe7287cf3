"""Handlers for responsible units: binding, their measures, and acting on reminders."""

from __future__ import annotations

import re

from bot import acts, delivery
from bot.acts import Ask
from bot.keyboards import parse
from bot.turn import Turn, handler
from ledger import actions, reports
from ledger.errors import DubanError
from ledger.i18n import LANGS, t
from ledger.messages import render_measure
from ledger.models import Evidence

DONE_WORDS = re.compile(r"^\s*(已完成|完成|已整改|done|finished)\b[\s:：,，。]*", re.IGNORECASE)
MEASURE_ID = re.compile(r"^[Pp]\d{1,4}-\d{1,4}$")


@handler
async def start(turn: Turn) -> None:
    """/start [code]: bind to a unit with an invite code, else show help."""
    code = turn.args
    if not code:
        await turn.reply(help_text(turn))
        return
    user = turn.update.effective_user
    assert user is not None
    member = actions.redeem_invite(turn.s.repo, code, user.id, turn.chat_id, user.full_name, turn.now)
    await delivery.to_admins(
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
    if not parts or not MEASURE_ID.match(parts[0]) or (text_required and not rest):
        raise DubanError(turn.t(usage))
    return parts[0].upper(), rest


@handler
async def measure(turn: Turn) -> None:
    mid, _ = measure_arg(turn, "usage_measure")
    m = turn.s.repo.measure(mid)
    actions.require_member(turn.s.repo, turn.actor, m)
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
    if parsed is None or parsed[0] not in acts.BUTTON_ASKS or not MEASURE_ID.match(parsed[1]):
        await q.answer()
        return
    await acts.ask(turn, acts.BUTTON_ASKS[parsed[0]], parsed[1].upper())
    await q.answer()


@handler
async def message(turn: Turn) -> None:
    """Text, photos and files: an answer to a question we asked, or a reply “完成…” to a reminder."""
    s, msg = turn.s, turn.message
    if msg is None:
        return
    text = msg.text or msg.caption or ""
    q = acts.question(turn)
    if q:
        await acts.answer(turn, q, text)
        return
    target = msg.reply_to_message
    mid = s.repo.message_measure(turn.chat_id, target.message_id) if target else None
    if mid:
        done_words = DONE_WORDS.match(text)
        if done_words:
            await acts.submit(turn, mid, acts.evidence_of(msg, text[done_words.end() :] or text))
        else:
            await turn.reply(turn.t("reply_hint"))
        return
    if target is not None and target.from_user is not None and target.from_user.is_bot and DONE_WORDS.match(text):
        await turn.reply(turn.t("usage_done"))  # a reply to a message that names no measure
        return
    if turn.private:
        if msg.document and turn.actor.is_admin:
            await acts.import_document(turn)  # an admin sends a spreadsheet to import it
            return
        await turn.reply(turn.t("unknown"))
