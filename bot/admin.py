"""Handlers for the rectification office (admins): invites, sign-off, queries, spreadsheets."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from telegram.constants import ParseMode

from bot import acts, delivery
from bot.acts import Ask
from bot.keyboards import Button, pager, parse, review_keyboard
from bot.turn import Turn, handler
from ledger import actions, office, reports
from ledger.errors import DubanError, IllegalTransition
from ledger.hooks import hook_lines, kind_of, mask, mask_secret, parse_hook_args
from ledger.i18n import plain, status_label, t
from ledger.review import next_after, render_item, review_items, set_ongoing
from ledger.review import set_deadline as review_set_deadline


def _admin(turn: Turn) -> None:
    actions.require_admin(turn.actor)


@handler
async def invite(turn: Turn) -> None:
    """/invite 区教育局 [multi]: a deep link that binds whoever opens it to the unit."""
    s, rest = turn.s, turn.args
    if not rest:
        raise DubanError(turn.t("usage_invite"))
    multi = rest.endswith(" multi")
    unit = rest.removesuffix(" multi")
    inv = actions.create_invite(s.repo, turn.actor, unit, turn.now, s.settings.invite_days, multi)
    link = f"https://t.me/{s.username}?start={inv['code']}"
    use = turn.t("invite_multi" if multi else "invite_single")
    await turn.reply(turn.t("invite_link", unit=inv["unit"], days=s.settings.invite_days, use=use, link=link))


@handler
async def bind(turn: Turn) -> None:
    """/bind 区教育局 in a group: the group receives and acts for the unit."""
    if not turn.args:
        raise DubanError(turn.t("usage_bind"))
    chat = turn.update.effective_chat
    title = chat.title if chat and chat.title else ""
    member = actions.bind_group(turn.s.repo, turn.actor, turn.args, turn.chat_id, title)
    await turn.reply(turn.t("bound", unit=member.unit))
    await delivery.welcome(turn.s, turn.chat_id, member.unit)


@handler
async def pending(turn: Turn) -> None:
    """/pending: what awaits sign-off or a decision, oldest first."""
    _admin(turn)
    await turn.reply_lines(reports.pending_lines(turn.s.repo.measures(), turn.lang))


@handler
async def overdue(turn: Turn) -> None:
    """/overdue: grouped by unit, most days late first, paginated with buttons."""
    _admin(turn)
    text, pages = reports.overdue_page(turn.s.repo.measures(), turn.now.date(), 0, turn.lang)
    await turn.reply(text, pager("overdue", 0, pages, turn.lang))


@handler
async def page(turn: Turn) -> None:
    q = turn.query
    assert q is not None and q.data
    _admin(turn)
    _, view, n = q.data.split(":")
    number = int(n) if n.isdigit() else 0
    text, pages = reports.overdue_page(turn.s.repo.measures(), turn.now.date(), number, turn.lang)
    await q.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=pager(view, number, pages, turn.lang))
    await q.answer()


@handler
async def due(turn: Turn) -> None:
    """/due 14: open measures falling due in the next N days."""
    _admin(turn)
    arg = turn.args or "14"
    if not arg.isdigit() or not 0 < int(arg) <= 366:
        raise DubanError(turn.t("usage_due"))
    await turn.reply_lines(reports.due_lines(turn.s.repo.measures(), turn.now.date(), int(arg), turn.lang))


@handler
async def unit(turn: Turn) -> None:
    """/unit 区教育局: one unit's ledger."""
    _admin(turn)
    name = actions.resolve_unit(turn.s.repo, turn.args, turn.s.settings.aliases)
    await turn.reply_lines(reports.unit_lines(turn.s.repo.measures(), name, turn.now.date(), turn.lang))


@handler
async def alias(turn: Turn) -> None:
    """/alias 区环境集团有限公司 区环境集团: imports, /unit and invites understand that spelling from now on."""
    parts = turn.args.split()
    if len(parts) != 2:
        raise DubanError(turn.t("usage_alias"))
    unit = actions.add_alias(turn.s.repo, turn.actor, parts[0], parts[1])
    await turn.reply(turn.t("alias_added", alias=parts[0], unit=unit.name))


@handler
async def stats(turn: Turn) -> None:
    """/stats: overall and per-unit figures, beside the report's own headline, and the chart."""
    from bot.chart import render_chart  # matplotlib is loaded only when a chart is drawn

    _admin(turn)
    s, today = turn.s, turn.now.date()
    measures = s.repo.measures()
    warning = reports.calendar_warning(today, s.policy.lead_days, turn.lang)
    await turn.reply_lines(reports.stats_lines(measures, s.repo.report(), today, turn.lang, warning))
    chart = render_chart(measures, today, s.policy.yellow_days, turn.lang)
    await delivery.send_file(s, turn.chat_id, chart, "progress.png", turn.t("chart_caption"), photo=True)


@handler
async def find(turn: Turn) -> None:
    """/find 课桌椅: search measure text."""
    _admin(turn)
    if not turn.args:
        raise DubanError(turn.t("usage_find"))
    await turn.reply_lines(reports.find_lines(turn.s.repo.measures(), turn.args, turn.lang))


@handler
async def export(turn: Turn) -> None:
    """/export: the ledger as XLSX (traffic-light fills, an overdue sheet)."""
    _admin(turn)
    s, repo = turn.s, turn.s.repo
    measures = repo.measures()
    if len(measures) > 2000:
        await turn.reply(turn.t("export_working", n=len(measures)))
    # written in steps on the loop, giving others their turn between steps (a thread would fight for the GIL)
    out = io.BytesIO()
    for _ in reports.xlsx_export_steps(out, measures, repo.problems(), turn.now.date(), s.policy.yellow_days):
        await asyncio.sleep(0.002)  # a few ms of every step's time go to other chats' updates
    data = out.getvalue()
    name = turn.t("export_file", date=f"{turn.now:%Y%m%d}")
    await delivery.send_file(s, turn.chat_id, data, name, turn.t("export_caption", n=len(measures)))


@handler
async def reopen(turn: Turn) -> None:
    """/reopen P2-1 理由: a signed-off measure goes back to the unit (the problem came back)."""
    parts = turn.args.split(maxsplit=1)
    if len(parts) < 2:
        raise DubanError(turn.t("usage_reopen"))
    m = actions.reopen(turn.s.repo, turn.actor, parts[0], parts[1], turn.now)
    text = turn.t("reopened", mid=m.id, reason=parts[1])
    await delivery.to_unit(turn.s, m, text)
    await turn.reply(text)


@handler
async def reassign(turn: Turn) -> None:
    """/reassign P2-1 区住建局 理由: 转办 to another unit; history kept, both units told."""
    parts = turn.args.split(maxsplit=2)
    if len(parts) < 3:
        raise DubanError(turn.t("usage_reassign"))
    old = turn.s.repo.measure(parts[0])
    m = office.reassign(turn.s.repo, turn.actor, old.id, parts[1], parts[2], turn.now)
    text = turn.t("reassigned", mid=m.id, old=old.unit, new=m.unit, reason=parts[2])
    await delivery.to_unit(turn.s, old, text)
    await delivery.to_unit(turn.s, m, text)
    await turn.reply(text)


@handler
async def members(turn: Turn) -> None:
    """/members: which units have someone bound, and which still have nobody to remind."""
    _admin(turn)
    await turn.reply_lines(reports.members_lines(turn.s.repo.members(), turn.s.repo.measures(), turn.lang))


@handler
async def decide(turn: Turn) -> None:
    """✅ 销号 / ↩ 退回 / ✅ 同意 / ✖ 不同意. The first admin to press wins."""
    q = turn.query
    assert q is not None and q.data
    parsed = parse(q.data)
    if parsed is None:
        await q.answer()
        return
    action, token = parsed
    s, actor = turn.s, turn.actor
    actions.require_admin(actor)
    m0 = acts.button_measure(turn, token)
    mid = m0.id
    lang = s.settings.language  # the outcome goes to the unit too
    try:
        if action is Button.SIGN_OFF:
            m = actions.approve_signoff(s.repo, actor, mid, turn.now)
            outcome = t(lang, "signed_off", mid=mid)
        elif action is Button.SEND_BACK:
            if m0.status != "submitted":
                raise IllegalTransition("")
            await acts.ask(turn, Ask.SEND_BACK, mid)
            await q.answer()
            return
        elif action in (Button.APPROVE_EXTENSION, Button.REJECT_EXTENSION):
            approve = action is Button.APPROVE_EXTENSION
            m = actions.decide_extension(s.repo, actor, mid, approve, turn.now)
            date = m.due.isoformat() if m.due else "—"
            outcome = t(lang, "ext_approved" if approve else "ext_rejected", mid=mid, date=date)
        else:
            await q.answer()
            return
    except IllegalTransition:
        await q.answer(turn.t("already", state=status_label(m0.status, turn.lang))[:190], show_alert=True)
        return
    await q.answer()
    await delivery.to_unit(s, m, outcome)
    if q.message is not None:
        await q.edit_message_reply_markup(None)
        await turn.reply(outcome + t(lang, "decided_by", who=actor.name or actor.user_id))


@handler
async def review(turn: Turn) -> None:
    """/review: open measures without a deadline, one at a time: 设定时限 / 长期坚持 / 跳过."""
    _admin(turn)
    items = review_items(turn.s.repo.measures())
    if not items:
        await turn.reply(turn.t("review_none"))
        return
    await turn.reply(render_item(items, 0, turn.lang), review_keyboard(turn.s.repo.key_of(items[0].id), turn.lang))


@handler
async def review_button(turn: Turn) -> None:
    """🗓 asks for the date; ♾ marks a standing duty; ⏭ skips; ✅ saves the date as read."""
    q = turn.query
    assert q is not None and q.data
    _admin(turn)
    code, _, rest = q.data.partition(":")
    token, _, due = rest.partition(":")
    s = turn.s
    mid = acts.button_measure(turn, token).id
    if code == Button.REVIEW_DATE:
        await acts.ask(turn, Ask.REVIEW_DATE, mid)
        await q.answer()
        return
    if code == Button.REVIEW_SAVE:
        when = dt.date(int(due[:4]), int(due[4:6]), int(due[6:8]))
        review_set_deadline(s.repo, turn.actor, mid, when, turn.now)
        await q.answer()
        await turn.reply(turn.t("review_saved", mid=mid, date=when.isoformat()))
        return
    if code == Button.REVIEW_ONGOING:
        set_ongoing(s.repo, turn.actor, mid, turn.now)
        await q.answer(turn.t("review_ongoing", mid=mid))
    else:
        await q.answer()
    items, i = next_after(s.repo.measures(), mid)
    if i is None:
        await q.edit_message_text(turn.t("review_none"), parse_mode=ParseMode.HTML)
        return
    markup = review_keyboard(s.repo.key_of(items[i].id), turn.lang)
    await q.edit_message_text(render_item(items, i, turn.lang), parse_mode=ParseMode.HTML, reply_markup=markup)


@handler
async def hook(turn: Turn) -> None:
    """/hook 区教育局 <webhook-url> [secret]: the unit's WeCom/DingTalk/Feishu robot (or mailto:) gets its
    reminders too; `/hook` alone lists the bound addresses, masked (URLs and secrets are secrets)."""
    _admin(turn)
    parts, lang = turn.args.split(), turn.lang
    if not parts:
        await turn.reply_lines(hook_lines(turn.s.repo.hooks(), lang))
        return
    written, url, secret = parse_hook_args(parts)
    unit = actions.hook_unit(turn.s.repo, written, turn.s.settings.aliases)
    bound = turn.s.repo.put_hook(unit, kind_of(url), url, secret, "chat")
    kind = plain(lang, f"hook_kind.{bound.kind}")
    await turn.reply(turn.t("hook_bound", unit=unit, kind=kind, url=mask(url), secret=mask_secret(secret)))
