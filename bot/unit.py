"""Handlers for responsible units: binding, their measures, and acting on reminders."""

from __future__ import annotations

import datetime as dt
import json
import re

from telegram import Message, Update
from telegram.ext import ContextTypes

from bot import notify
from bot.common import actor_of, args_text, guarded, lang_of, reply, services
from bot.texts import t
from ledger import actions
from ledger.deadlines import parse_user_date
from ledger.errors import DubanError
from ledger.messages import h, left_label, render_measure
from ledger.models import Evidence, Measure
from ledger.tiers import colour
from ledger.views import deadline_label, shorten

DONE_WORDS = re.compile(r"^\s*(已完成|完成|已整改|done|finished)\b[\s:：,，。]*", re.IGNORECASE)
CANCEL_WORDS = {"取消", "cancel", "/cancel"}
MEASURE_ID = re.compile(r"^[Pp]\d{1,4}-\d{1,4}$")


@guarded
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: bind to a unit with an invite code, else show help."""
    s = services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user and chat
    lang = lang_of(update, context)
    if context.args:
        member = actions.redeem_invite(s.repo, context.args[0], user.id, chat.id, user.full_name, s.now())
        for admin_chat in s.admin_chats():
            await notify.send(s, admin_chat, f"🔗 {h(user.full_name)}（{user.id}）已绑定 {h(member.unit)}")
        await reply(update, context, t(lang, "bound", unit=member.unit))  # the reply comes last: the work is done
        return
    await help_(update, context)


@guarded
async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update, context)
    text = t(lang, "help_unit")
    if actor_of(update, context).is_admin:
        text += t(lang, "help_admin")
    await reply(update, context, text)


@guarded
async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s, actor, lang = services(context), actor_of(update, context), lang_of(update, context)
    units = sorted(actions.units_of(s.repo, actor))
    await reply(
        update,
        context,
        t(lang, "whoami", uid=actor.user_id, units="、".join(units) or t(lang, "none"), admin="")
        + (t(lang, "admin_mark") if actor.is_admin else ""),
    )


@guarded
async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    choice = (context.args or [""])[0].lower()
    if choice not in ("zh", "en"):
        await reply(update, context, t(lang_of(update, context), "lang_usage"))
        return
    assert update.effective_user
    s.repo.set_pref(update.effective_user.id, "lang", choice)
    await reply(update, context, t(choice, "lang_set"))


TIER_ORDER = {"red": 0, "yellow": 1, "green": 2, "": 3}
TIER_HEAD = {
    "red": "🔴 逾期",
    "yellow": "🟡 临期",
    "green": "🟢 推进中",
    "": "⚪ 长期/周期性",
    "submitted": "📥 待销号",
}


def render_mine(measures: list[Measure], today: dt.date, yellow_days: int, lang: str) -> list[str]:
    """A unit's open measures grouped by colour, most urgent first, with due dates and days left."""
    groups: dict[str, list[Measure]] = {}
    for m in measures:
        key = "submitted" if m.status == "submitted" else colour(m, today, yellow_days)
        groups.setdefault(key, []).append(m)
    lines: list[str] = []
    for key in ("red", "yellow", "green", "submitted", ""):
        ms = sorted(groups.get(key, []), key=lambda m: (m.due or dt.date.max, m.id))
        if not ms:
            continue
        lines.append(f"<b>{TIER_HEAD[key]}</b>（{len(ms)}）")
        for m in ms:
            when = f"{m.due} {left_label(m.due, today, lang)}" if m.due else deadline_label(m)
            lines.append(f"{h(m.id)} · {h(when)} · {h(shorten(m.text, 36))}")
    return lines


@guarded
async def mine(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mine: the open measures of the units this chat acts for."""
    s, actor, lng = services(context), actor_of(update, context), lang_of(update, context)
    units = actions.units_of(s.repo, actor)
    if not units:
        await reply(update, context, t(lng, "not_bound"))
        return
    mine_ = [m for m in s.repo.measures() if m.unit in units]
    open_ = [m for m in mine_ if m.status == "open"]
    waiting = sum(m.status == "submitted" for m in mine_)
    foot = [f"另有 {waiting} 条已提交，待整改办销号。"] if waiting else []
    if not open_:
        await reply(update, context, "\n".join([t(lng, "no_open", units="、".join(sorted(units))), *foot]))
        return
    head = f"<b>{h('、'.join(sorted(units)))}</b>：未完成 {len(open_)} 条"
    await reply(
        update, context, "\n".join([head, *render_mine(open_, s.now().date(), s.policy.yellow_days, lng), *foot])
    )


def _measure_arg(
    update: Update, context: ContextTypes.DEFAULT_TYPE, usage: str, text_required: bool = False
) -> tuple[str, str]:
    """("P24-4", the rest) from "/cmd P24-4 the rest"; a usage message (via `guarded`) otherwise."""
    parts = args_text(update).split(maxsplit=1)
    rest = parts[1].strip() if len(parts) > 1 else ""
    if not parts or not MEASURE_ID.match(parts[0]) or (text_required and not rest):
        raise DubanError(t(lang_of(update, context), usage))
    return parts[0].upper(), rest


@guarded
async def measure(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s, lng = services(context), lang_of(update, context)
    mid, _ = _measure_arg(update, context, "usage_measure")
    m = s.repo.measure(mid)
    actions.require_member(s.repo, actor_of(update, context), m)
    await reply(update, context, "\n".join(render_measure(m, lng)))


@guarded
async def done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/done P24-4 note: submit with the note as evidence (or ask for it)."""
    mid, note = _measure_arg(update, context, "usage_done")
    if not note:
        await ask(update, context, "evidence", mid)
        return
    await submit(update, context, mid, Evidence(note=note))


@guarded
async def extend(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/extend P24-4 2024-09-30 reason."""
    mid, rest = _measure_arg(update, context, "usage_extend", text_required=True)
    await extension_from_text(update, context, mid, rest)


@guarded
async def note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/note P24-4 progress."""
    mid, text = _measure_arg(update, context, "usage_note", text_required=True)
    s = services(context)
    m = actions.add_note(s.repo, actor_of(update, context), mid, text, s.now())
    await reply(update, context, t(lang_of(update, context), "noted", mid=m.id))


# -- acting on a measure ------------------------------------------------------------------
async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str, mid: str, extra: str = "") -> None:
    """Wait for the user's next message as the evidence / date / reason / note for `mid`."""
    s = services(context)
    m = s.repo.measure(mid)
    if kind == "sendback":
        actions.require_admin(actor_of(update, context))
    else:
        actions.require_member(s.repo, actor_of(update, context), m)
    set_question(update, context, (kind, mid, extra))
    key = {
        "evidence": "ask_evidence",
        "ext_date": "ask_date",
        "ext_reason": "ask_reason",
        "note": "ask_note",
        "sendback": "ask_sendback",
    }[kind]
    await reply(update, context, t(lang_of(update, context), key, mid=mid, date=extra))


def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, str, str] | None:
    """What the bot asked this person and waits for; kept in the store, so a restart keeps it."""
    user = update.effective_user
    raw = services(context).repo.pref(user.id, "await") if user else None
    if not raw:
        return None
    try:
        kind, mid, extra = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return str(kind), str(mid), str(extra)


def set_question(update: Update, context: ContextTypes.DEFAULT_TYPE, q: tuple[str, str, str] | None) -> None:
    user = update.effective_user
    if user is not None:
        services(context).repo.set_pref(user.id, "await", json.dumps(q) if q else "")


def evidence_of(message: Message, text: str) -> Evidence:
    files: list[str] = []
    if message.photo:
        files.append(message.photo[-1].file_id)
    if message.document:
        files.append(message.document.file_id)
    return Evidence(note=text.strip(), files=tuple(files))


async def submit(update: Update, context: ContextTypes.DEFAULT_TYPE, mid: str, evidence: Evidence) -> None:
    s, lng = services(context), lang_of(update, context)
    m = actions.submit(s.repo, actor_of(update, context), mid, evidence, s.now(), s.settings.require_approval)
    if m.history and m.history[-1].action == "occurrence_done":
        await reply(update, context, t(lng, "occurrence_done", mid=m.id, label=m.history[-1].note.split(" ", 1)[0]))
        return
    if m.status == "submitted":
        await notify.signoff_request(s, m, update.effective_message)
        await reply(update, context, t(lng, "submitted", mid=m.id))
    else:
        await reply(update, context, t(lng, "done_now", mid=m.id))


async def extension_from_text(update: Update, context: ContextTypes.DEFAULT_TYPE, mid: str, text: str) -> None:
    """ "6月底 供货延迟" → a date and a reason; ask for what is missing."""
    s, lng = services(context), lang_of(update, context)
    words = text.split(maxsplit=1)
    new_due = parse_user_date(words[0], s.now().date()) if words else None
    reason = words[1] if len(words) > 1 else ""
    if new_due is None:
        new_due, reason = parse_user_date(text, s.now().date()), ""
    if new_due is None:
        await reply(update, context, t(lng, "bad_date", text=words[0] if words else text))
        return
    if not reason:
        await ask(update, context, "ext_reason", mid, new_due.isoformat())
        return
    await request_extension(update, context, mid, new_due, reason)


async def request_extension(
    update: Update, context: ContextTypes.DEFAULT_TYPE, mid: str, new_due: dt.date, reason: str
) -> None:
    s, lng = services(context), lang_of(update, context)
    m = actions.request_extension(s.repo, actor_of(update, context), mid, new_due, reason, s.now())
    await notify.extension_request(s, m)
    await reply(update, context, t(lng, "ext_requested", mid=m.id, date=new_due.isoformat()))


@guarded
async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """✅ / ⏳ / 📝 under a reminder: ask for the evidence, the date or the note."""
    q = update.callback_query
    assert q is not None and q.data
    action, _, mid = q.data.partition(":")
    if not MEASURE_ID.match(mid):
        await q.answer()
        return
    kind = {"d": "evidence", "x": "ext_date", "n": "note"}[action]
    await ask(update, context, kind, mid.upper())
    await q.answer()


@guarded
async def message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text, photos and files: an answer to a question we asked, or a reply “完成…” to a reminder."""
    s, lng = services(context), lang_of(update, context)
    msg = update.effective_message
    chat = update.effective_chat
    if msg is None or chat is None:
        return
    text = msg.text or msg.caption or ""
    state = question(update, context)
    if state:
        if text.strip().lower() in CANCEL_WORDS:
            set_question(update, context, None)
            await reply(update, context, t(lng, "cancelled"))
            return
        await answer_question(update, context, state, text)
        return
    target = msg.reply_to_message
    mid = s.repo.message_measure(chat.id, target.message_id) if target else None
    if mid:
        m = DONE_WORDS.match(text)
        if m:
            await submit(update, context, mid, evidence_of(msg, text[m.end() :] or text))
        else:
            await reply(update, context, t(lng, "reply_hint"))
        return
    if target is not None and target.from_user is not None and target.from_user.is_bot and DONE_WORDS.match(text):
        await reply(update, context, t(lng, "usage_done"))  # a reply to a message that names no measure
        return
    if chat.type == "private":
        from bot import admin  # admin sends a spreadsheet to import it

        if msg.document and actor_of(update, context).is_admin:
            await admin.import_document(update, context)
            return
        await reply(update, context, t(lng, "unknown"))


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, state: tuple[str, str, str], text: str
) -> None:
    kind, mid, extra = state
    msg = update.effective_message
    assert msg is not None
    s = services(context)
    if kind == "ext_date":
        set_question(update, context, None)
        await extension_from_text(update, context, mid, text)
        return
    if not text.strip() and not (msg.photo or msg.document):
        raise DubanError("内容不能为空。Please send some text.")
    set_question(update, context, None)
    if kind == "evidence":
        await submit(update, context, mid, evidence_of(msg, text))
    elif kind == "ext_reason":
        await request_extension(update, context, mid, dt.date.fromisoformat(extra), text)
    elif kind == "note":
        actions.add_note(s.repo, actor_of(update, context), mid, text, s.now())
        await reply(update, context, t(lang_of(update, context), "noted", mid=mid))
    elif kind == "sendback":
        from bot import admin

        await admin.send_back(update, context, mid, text)
