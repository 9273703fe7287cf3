"""A measure's card opened from a bundle, and the pages of a bundled message."""

from __future__ import annotations

from telegram.constants import ParseMode

from bot import acts
from bot.keyboards import bundle_keyboard, parse, reminder_keyboard
from bot.turn import Turn, handler
from ledger import actions
from ledger.messages import fit, render_measure


@handler
async def card(turn: Turn) -> None:
    """A measure's id under a bundle: its card with ✅/⏳/📝; replying 完成 to it works as to a reminder."""
    q = turn.query
    assert q is not None and q.data
    parsed = parse(q.data)
    assert parsed is not None
    m = acts.button_measure(turn, parsed[1])
    actions.require_member(turn.s.repo, turn.actor, m)
    markup = reminder_keyboard(turn.s.repo.key_of(m.id), turn.lang)
    msg = await turn.reply(fit("\n".join(render_measure(m, turn.lang))), markup)
    if msg is not None:
        turn.s.repo.remember_message(turn.chat_id, msg.message_id, m.id)
    await q.answer()


@handler
async def bundle_page(turn: Turn) -> None:
    """◀ ▶ under a bundled message: show another of its pages in place."""
    q = turn.query
    assert q is not None and q.data and q.message is not None
    parsed = parse(q.data)
    pages = turn.s.repo.bundle(turn.chat_id, q.message.message_id)
    if parsed is None or not pages or not parsed[1].isdigit():
        await q.answer(turn.t("stale_button"))
        return
    n = min(int(parsed[1]), len(pages) - 1)
    page = pages[n]
    markup = bundle_keyboard(tuple(page["ids"]), n, len(pages), turn.lang, turn.s.repo.key_of)
    await q.edit_message_text(page["text"], parse_mode=ParseMode.HTML, reply_markup=markup)
    await q.answer()
