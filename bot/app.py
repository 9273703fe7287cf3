"""The python-telegram-bot Application: handlers, command menus and the outbox."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import admin, cards, delivery, evidence, imports, unit, weblinks
from bot.inbox import InboxApplicationBuilder, InboxBot, acknowledge, replay
from bot.keyboards import DECISION_BUTTONS, IMPORT_BUTTONS, REVIEW_BUTTONS, UNIT_BUTTONS, Button, pattern
from bot.outbox import Outbox
from bot.services import Services
from bot.turn import Turn, handler, on_error
from bot.updates import PerChatUpdates
from ledger import reports
from ledger.i18n import t

log = logging.getLogger(__name__)
App = Application[Any, Any, Any, Any, Any, Any]  # the default context types, as ApplicationBuilder builds it

UNIT_COMMANDS = {
    "zh": [
        ("mine", "本单位未完成的措施"),
        ("measure", "措施详情 /measure P2-1"),
        ("done", "提交完成 /done P2-1 说明"),
        ("extend", "申请延期 /extend P2-1 6月底 理由"),
        ("note", "记录进展 /note P2-1 进展"),
        ("whoami", "我的绑定"),
        ("lang", "语言 zh|en"),
        ("help", "帮助"),
    ],
    "en": [
        ("mine", "your unit's open measures"),
        ("measure", "details: /measure P2-1"),
        ("done", "report done: /done P2-1 note"),
        ("extend", "ask for more time"),
        ("note", "record progress"),
        ("whoami", "your bindings"),
        ("lang", "language zh|en"),
        ("help", "help"),
    ],
}
ADMIN_COMMANDS = [
    ("pending", "待销号/待审批"),
    ("overdue", "逾期措施"),
    ("due", "近期到期 /due 14"),
    ("unit", "单位台账 /unit 区教育局"),
    ("stats", "整改进度"),
    ("find", "搜索措施"),
    ("export", "导出台账 XLSX"),
    ("invite", "邀请单位 /invite 区教育局"),
    ("bind", "绑定本群到单位"),
    ("members", "各单位绑定情况"),
    ("reopen", "重新打开已销号措施"),
    ("alias", "单位别名 /alias 写法 单位"),
    ("hook", "绑定群机器人 /hook 单位 webhook"),
    ("review", "设定缺少的时限"),
    ("reassign", "转办 /reassign P2-1 区住建局 理由"),
    ("web", "网页看板链接（/web revoke 使链接失效）"),
    ("archive", "佐证材料打包 /archive P2-1"),
]


def build_application(
    services: Services,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    *,
    job_queue: bool = True,
    proxy: str = "",
) -> App:
    """One Application, all handlers registered; `services` reaches them through bot_data."""
    builder: Any = InboxApplicationBuilder().token(token).defaults(Defaults(tzinfo=services.policy.tz))
    # chats side by side, each chat in order; a handled update leaves the durable inbox
    updates = PerChatUpdates(on_done=services.repo.inbox_done, handling=services.repo.handling)
    builder = builder.concurrent_updates(updates)
    # The bot's two HTTP clients (updates, everything else) as PTB's builder makes them, with one TLS
    # context between them: each client loading the CA bundle itself cost ~50 ms of every launch.
    # `proxy`: http://, https:// or socks5:// — in mainland China the Bot API is reached through one.
    tls = httpx.create_ssl_context()  # the CA bundle httpx would load (SSL_CERT_FILE/DIR honoured)
    for pool, set_request in ((256, builder.request), (1, builder.get_updates_request)):
        request = HTTPXRequest(connection_pool_size=pool, proxy=proxy or None, httpx_kwargs={"verify": tls})
        builder = set_request(request)
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if not job_queue:
        builder = builder.job_queue(None)  # PTB accepts None: no JobQueue
    builder = builder.post_init(post_init)
    app: App = builder.build()
    if isinstance(app.bot, InboxBot):
        app.bot.attach(services.repo)
    app.bot_data["services"] = services
    add_handlers(app)
    return app


def add_handlers(app: App) -> None:
    for name, fn in (
        ("start", unit.start),
        ("help", unit.help_),
        ("whoami", unit.whoami),
        ("lang", unit.lang),
        ("mine", unit.mine),
        ("done", unit.done),
        ("extend", unit.extend),
        ("note", unit.note),
        ("invite", admin.invite),
        ("bind", admin.bind),
        ("pending", admin.pending),
        ("overdue", admin.overdue),
        ("due", admin.due),
        ("unit", admin.unit),
        ("stats", admin.stats),
        ("find", admin.find),
        ("export", admin.export),
        ("reopen", admin.reopen),
        ("members", admin.members),
        ("alias", admin.alias),
        ("hook", admin.hook),
        ("review", admin.review),
        ("reassign", admin.reassign),
        ("web", weblinks.web),
        ("archive", evidence.archive_cmd),
    ):
        app.add_handler(CommandHandler(name, fn))
    app.add_handler(CommandHandler("measure", unit.measure))
    app.add_handler(CallbackQueryHandler(unit.button, pattern=pattern(UNIT_BUTTONS)))
    app.add_handler(CallbackQueryHandler(admin.decide, pattern=pattern(DECISION_BUTTONS)))
    app.add_handler(CallbackQueryHandler(admin.page, pattern=pattern((Button.PAGE,))))
    app.add_handler(CallbackQueryHandler(admin.review_button, pattern=pattern(REVIEW_BUTTONS)))
    app.add_handler(CallbackQueryHandler(imports.import_button, pattern=pattern(IMPORT_BUTTONS)))
    app.add_handler(CallbackQueryHandler(cards.card, pattern=pattern((Button.CARD,))))
    app.add_handler(CallbackQueryHandler(cards.bundle_page, pattern=pattern((Button.BUNDLE_PAGE,))))
    app.add_handler(CallbackQueryHandler(_stale_button))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, unit.migrated))
    app.add_handler(
        MessageHandler((filters.TEXT | filters.PHOTO | filters.Document.ALL) & ~filters.COMMAND, unit.message)
    )
    app.add_handler(MessageHandler(filters.COMMAND, _unknown_command))
    app.add_error_handler(on_error)


@handler
async def _stale_button(turn: Turn) -> None:
    if turn.query:
        await turn.query.answer(turn.t("stale_button"))


@handler
async def _unknown_command(turn: Turn) -> None:
    if turn.private:
        await turn.reply(turn.t("unknown_command"))


async def post_init(app: App) -> None:
    """The outbox, the bot's @name and the command menus, once the bot is reachable."""
    s: Services = app.bot_data["services"]
    if s.outbox is None:
        s.outbox = Outbox(app.bot)
    me = await app.bot.get_me()
    s.username = me.username or ""
    for update in replay(app.bot, s.repo):  # fetched before the last stop, never handled
        await app.update_queue.put(update)
    await acknowledge(  # applied before the last stop, but the answer never went out
        app.bot, s.repo, lambda chat, text: delivery.send(s, chat, t(s.lang(chat), "handled_before_restart", text=text))
    )
    await register_commands(app, s)
    await warn_calendar(s)


async def warn_calendar(s: Services) -> None:
    """Tell the office once (per missing year) that reminders will count Monday–Friday."""
    warning = reports.calendar_warning(s.now().date(), s.policy.lead_days, s.settings.language)
    if warning is None:
        return
    log.warning("%s", warning)
    if s.repo.pref(0, "calendar_warned") != warning:
        await delivery.to_office(s, warning)
        s.repo.set_pref(0, "calendar_warned", warning)


async def register_commands(app: App, s: Services) -> None:
    """Command menus per language; admin commands only in admins' chats."""
    try:
        await app.bot.set_my_commands(
            [BotCommand(c, d) for c, d in UNIT_COMMANDS["zh"]], scope=BotCommandScopeDefault()
        )
        await app.bot.set_my_commands(
            [BotCommand(c, d) for c, d in UNIT_COMMANDS["en"]], scope=BotCommandScopeDefault(), language_code="en"
        )
        admin_cmds = [BotCommand(c, d) for c, d in UNIT_COMMANDS["zh"] + ADMIN_COMMANDS]
        for chat in sorted(s.settings.admins | ({s.settings.admin_chat} if s.settings.admin_chat else set())):
            await app.bot.set_my_commands(admin_cmds, scope=BotCommandScopeChat(chat))
    except TelegramError as e:  # menus are a convenience; the bot works without them
        log.warning("could not register command menus: %s", e)
