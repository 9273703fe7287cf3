"""Handlers for the rectification office (admins): invites, sign-off, queries, spreadsheets."""

from __future__ import annotations

import datetime as dt
import io
import os

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot import notify
from bot.chart import render_chart
from bot.common import actor_of, args_text, guarded, lang_of, reply, services
from bot.keyboards import pager
from bot.texts import t
from ledger import actions
from ledger.errors import DubanError, IllegalTransition
from ledger.ledgerfile import read_ledger_bytes
from ledger.ledgerwrite import TIER_LABELS, export_rows, write_xlsx
from ledger.messages import h, overdue_items, render_measure, render_overdue, render_progress
from ledger.service import apply_import, plan_import
from ledger.status import STATUS_LABELS_ZH
from ledger.tiers import colour
from ledger.views import headline, progress, shorten

PAGE = 25


def _admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actions.require_admin(actor_of(update, context))


@guarded
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invite 区教育局 [multi]: a deep link that binds whoever opens it to the unit."""
    s = services(context)
    rest = args_text(update)
    if not rest:
        raise DubanError("用法：/invite 单位名称 [multi]，如 /invite 区教育局")
    multi = rest.endswith(" multi")
    unit = rest[: -len(" multi")] if multi else rest
    inv = actions.create_invite(s.repo, actor_of(update, context), unit, s.now(), s.settings.invite_days, multi)
    link = f"https://t.me/{s.username}?start={inv['code']}"
    await reply(
        update,
        context,
        f"{h(inv['unit'])} 的邀请链接（{s.settings.invite_days}天内有效，"
        f"{'可多人使用' if multi else '仅限一人'}）：\n{h(link)}",
    )


@guarded
async def bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bind 区教育局 in a group: the group receives and acts for the unit."""
    s, chat = services(context), update.effective_chat
    assert chat
    rest = args_text(update)
    if not rest:
        raise DubanError("用法：在单位工作群内发送 /bind 单位名称")
    member = actions.bind_group(s.repo, actor_of(update, context), rest, chat.id, chat.title or "")
    await reply(update, context, t(lang_of(update, context), "bound", unit=member.unit))


@guarded
async def pending(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pending: what awaits sign-off, oldest first."""
    _admin(update, context)
    s = services(context)
    items = []
    for m in s.repo.measures():
        if m.status == "submitted":
            since = next((e.at for e in reversed(m.history) if e.action == "submit"), None)
            items.append((since or dt.datetime.min.replace(tzinfo=dt.UTC), m))
        elif m.extension is not None:
            items.append((m.extension.requested_at, m))
    if not items:
        await reply(update, context, "没有待销号或待审批的事项。")
        return
    items.sort(key=lambda x: x[0])
    lines = [f"<b>待处理 {len(items)} 项</b>（最早的在前）"]
    for at, m in items:
        kind = "待销号" if m.status == "submitted" else f"延期至{m.extension.new_due}"  # type: ignore[union-attr]
        lines.append(f"{h(m.id)} {h(m.unit)} {kind} · {at:%m-%d %H:%M} · {h(shorten(m.evidence.note or m.text, 30))}")
    await reply(update, context, "\n".join(lines))


def overdue_page(s, page: int, lang: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    items = overdue_items(s.repo.measures(), s.now().date())
    pages = max(1, (len(items) + PAGE - 1) // PAGE)
    page = min(max(page, 0), pages - 1)
    lines = render_overdue(items[page * PAGE : (page + 1) * PAGE], lang)
    if items:
        lines[0] = f"🔴 <b>逾期整改措施 {len(items)} 条</b>（第{page + 1}/{pages}页）"
    return "\n".join(lines), pages


@guarded
async def overdue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/overdue: grouped by unit, most days late first, paginated with buttons."""
    _admin(update, context)
    s, lang = services(context), lang_of(update, context)
    text, pages = overdue_page(s, 0, lang)
    await reply(update, context, text, pager("overdue", 0, pages, lang))


@guarded
async def page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    q = update.callback_query
    assert q and q.data
    _admin(update, context)
    _, view, n = q.data.split(":")
    s, lang = services(context), lang_of(update, context)
    text, pages = overdue_page(s, int(n), lang)
    await q.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=pager(view, int(n), pages, lang))
    await q.answer()


@guarded
async def due(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/due 14: open measures falling due in the next N days."""
    _admin(update, context)
    s = services(context)
    arg = args_text(update) or "14"
    if not arg.isdigit() or not 0 < int(arg) <= 366:
        raise DubanError("用法：/due 天数，如 /due 14")
    today = s.now().date()
    until = today + dt.timedelta(days=int(arg))
    ms = sorted(
        (m for m in s.repo.measures() if m.status != "done" and m.due and today <= m.due <= until),
        key=lambda m: (m.due, m.id),
    )
    lines = [f"<b>{arg}天内到期 {len(ms)} 条</b>"]
    lines += [f"{h(m.id)} {m.due} {h(m.unit)} · {h(shorten(m.text, 30))}" for m in ms]
    await reply(update, context, "\n".join(lines))


@guarded
async def unit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unit 区教育局: one unit's ledger."""
    _admin(update, context)
    s = services(context)
    name = actions.resolve_unit(s.repo, args_text(update))
    today = s.now().date()
    ms = [m for m in s.repo.measures() if m.unit == name]
    lines = [f"<b>{h(name)}</b>：{h(headline(progress(ms, today)))}"]
    for m in ms:
        lines.append(f"{h(m.id)} {STATUS_LABELS_ZH[m.status]} {m.due or '—'} · {h(shorten(m.text, 30))}")
    await reply(update, context, "\n".join(lines))


def stats_text(s, lang: str) -> str:  # type: ignore[no-untyped-def]
    measures = s.repo.measures()
    today = s.now().date()
    p = progress(measures, today)
    lines = [f"<b>整改进度</b>（{today}）", h(headline(p, s.repo.report())), h(render_progress(p, lang))]
    per_unit = {name: progress([m for m in measures if m.unit == name], today) for name in {m.unit for m in measures}}
    lines.append("单位：完成/总数（完成率） 推进中 待销号 逾期 长期")
    for name, x in sorted(per_unit.items(), key=lambda kv: (-kv[1].overdue, kv[1].rate, kv[0])):
        in_progress = x.measures_total - x.measures_done - x.submitted
        lines.append(
            f"{h(name)}：{x.measures_done}/{x.measures_total}（{x.rate:.0f}%） 推进中{in_progress}"
            f" 待销号{x.submitted} 逾期{x.overdue} 长期{x.ongoing}"
        )
    return "\n".join(lines)


@guarded
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: overall and per-unit figures, beside the report's own headline, and the chart."""
    _admin(update, context)
    s = services(context)
    await reply(update, context, stats_text(s, lang_of(update, context)))
    chart = render_chart(s.repo.measures(), s.now().date(), s.policy.yellow_days)
    if update.effective_chat:
        await update.effective_chat.send_photo(
            InputFile(io.BytesIO(chart), filename="progress.png"), caption="各单位整改进度"
        )


@guarded
async def find(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/find 课桌椅: search measure text."""
    _admin(update, context)
    s = services(context)
    word = args_text(update)
    if not word:
        raise DubanError("用法：/find 关键词，如 /find 课桌椅")
    ms = [m for m in s.repo.measures() if word in m.text or word in m.unit or word == m.id]
    lines = [f"<b>含“{h(word)}”的措施 {len(ms)} 条</b>"]
    lines += [f"{h(m.id)} {h(m.unit)} {STATUS_LABELS_ZH[m.status]} · {h(shorten(m.text, 40))}" for m in ms[:60]]
    await reply(update, context, "\n".join(lines))


@guarded
async def measure_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    s = services(context)
    mid = args_text(update).split(maxsplit=1)[0] if args_text(update) else ""
    m = s.repo.measure(mid)
    await reply(update, context, "\n".join(render_measure(m, lang_of(update, context))))


def export_bytes(s) -> bytes:  # type: ignore[no-untyped-def]
    measures, problems = s.repo.measures(), s.repo.problems()
    today = s.now().date()
    tiers = {m.id: colour(m, today, s.policy.yellow_days) for m in measures}
    rows = export_rows(problems, measures, {k: TIER_LABELS[v] for k, v in tiers.items()})
    overdue_rows = [rows[0]] + [r for r, m in zip(rows[1:], measures) if tiers[m.id] == "red"]
    return write_xlsx(rows, [tiers[m.id] for m in measures], overdue_rows)


@guarded
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: the ledger as XLSX (traffic-light fills, an overdue sheet)."""
    _admin(update, context)
    s = services(context)
    data = export_bytes(s)
    assert update.effective_chat
    await update.effective_chat.send_document(
        InputFile(io.BytesIO(data), filename=f"整改台账-{s.now():%Y%m%d}.xlsx"),
        caption=f"整改台账（{len(s.repo.measures())}条措施）",
    )


@guarded
async def import_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin sends an XLSX/CSV/TOML: import it with the CLI's validation, all or nothing."""
    _admin(update, context)
    s = services(context)
    msg = update.effective_message
    assert msg and msg.document
    name = msg.document.file_name or "ledger"
    ext = os.path.splitext(name)[1].lower()
    if ext not in (".xlsx", ".csv", ".toml"):
        raise DubanError(f"不支持的文件类型 {ext or '(无扩展名)'}，请发送 .xlsx、.csv 或 .toml 台账。")
    if (msg.document.file_size or 0) > 20 * 1024 * 1024:
        raise DubanError("文件太大（超过 20 MB）。")
    f = await msg.document.get_file()
    raw = bytes(await f.download_as_bytearray())
    parsed = read_ledger_bytes(raw, name, ext, s.repo.problems())
    plan = plan_import(parsed, s.repo, s.now(), name)
    apply_import(plan, s.repo, s.now(), actor=actor_of(update, context).tag)
    await reply(update, context, "✅ 导入完成：" + h(plan.summary()))


@guarded
async def reopen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reopen P2-1 理由: a signed-off measure goes back to the unit (the problem came back)."""
    s = services(context)
    parts = args_text(update).split(maxsplit=1)
    if len(parts) < 2:
        raise DubanError("用法：/reopen 措施编号 理由，如 /reopen P24-4 回头看发现问题反弹")
    m = actions.reopen(s.repo, actor_of(update, context), parts[0].upper(), parts[1], s.now())
    text = f"↺ 措施 {h(m.id)} 已重新打开：{h(parts[1])}"
    await notify.to_unit(s, m, text)
    await reply(update, context, text)


@guarded
async def members(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/members: which units have someone bound, and which still have nobody to remind."""
    _admin(update, context)
    s = services(context)
    bound: dict[str, list[str]] = {}
    for mb in s.repo.members():
        if mb.active:
            bound.setdefault(mb.unit, []).append(mb.name or str(mb.user_id))
    units = sorted({m.unit for m in s.repo.measures() if m.status != "done"})
    missing = [u for u in units if u not in bound]
    lines = [f"<b>已绑定 {len([u for u in units if u in bound])}/{len(units)} 个有未完成措施的单位</b>"]
    lines += [f"✅ {h(u)}：{h('、'.join(bound[u]))}" for u in units if u in bound]
    lines += [f"⚪ {h(u)}：尚未绑定（提醒转发给整改办）" for u in missing]
    lines += [
        f"👤 {h(u[len('leader:') :])}（牵头领导）：{h('、'.join(v))}"
        for u, v in bound.items()
        if u.startswith("leader:")
    ]
    await reply(update, context, "\n".join(lines))


# -- sign-off and extension decisions -------------------------------------------------------
@guarded
async def decide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """✅ 销号 / ↩ 退回 / ✅ 同意 / ✖ 不同意. The first admin to press wins."""
    q = update.callback_query
    assert q and q.data
    action, _, mid = q.data.partition(":")
    s, actor = services(context), actor_of(update, context)
    actions.require_admin(actor)
    m0 = s.repo.measure(mid)
    try:
        if action == "s":
            m = actions.approve_signoff(s.repo, actor, mid, s.now())
            outcome = t(s.settings.language, "signed_off", mid=mid)
        elif action == "b":
            if m0.status != "submitted":
                raise IllegalTransition("")
            from bot.unit import ask

            await ask(update, context, "sendback", mid)
            await q.answer()
            return
        elif action in ("ea", "er"):
            m = actions.decide_extension(s.repo, actor, mid, action == "ea", s.now())
            key = "ext_approved" if action == "ea" else "ext_rejected"
            outcome = t(s.settings.language, key, mid=mid, date=m.due.isoformat() if m.due else "—")
        else:
            await q.answer()
            return
    except IllegalTransition:
        await q.answer(t(lang_of(update, context), "already", state=STATUS_LABELS_ZH[m0.status])[:190], show_alert=True)
        return
    await q.answer()
    await notify.to_unit(s, m, outcome)
    if q.message is not None:
        await q.edit_message_reply_markup(None)
        await reply(update, context, outcome + f"（{h(actor.name or actor.user_id)}）")


async def send_back(update: Update, context: ContextTypes.DEFAULT_TYPE, mid: str, reason: str) -> None:
    s, actor = services(context), actor_of(update, context)
    try:
        m = actions.send_back(s.repo, actor, mid, reason, s.now())
    except IllegalTransition:
        await reply(
            update, context, t(lang_of(update, context), "already", state=STATUS_LABELS_ZH[s.repo.measure(mid).status])
        )
        return
    text = t(s.settings.language, "sent_back", mid=mid, reason=reason)
    await notify.to_unit(s, m, text)
    await reply(update, context, text)
