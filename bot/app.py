"""The python-telegram-bot Application: handlers, command menus and the outbox."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot import admin, unit
from bot.common import on_error
from bot.emulator import Emulator
from bot.outbox import Outbox
from bot.services import Services

log = logging.getLogger(__name__)

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
]


def build_application(
    services: Services,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    *,
    job_queue: bool = True,
) -> Application:
    """One Application, all handlers registered; `services` reaches them through bot_data."""
    builder = ApplicationBuilder().token(token).defaults(Defaults(tzinfo=services.policy.tz))
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if not job_queue:
        builder = builder.job_queue(None)  # type: ignore[arg-type]  # PTB accepts None: no JobQueue
    builder = builder.post_init(_post_init)
    app = builder.build()
    app.bot_data["services"] = services
    add_handlers(app)
    return app


def add_handlers(app: Application) -> None:
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
    ):
        app.add_handler(CommandHandler(name, fn))
    app.add_handler(CommandHandler("measure", unit.measure))
    app.add_handler(CallbackQueryHandler(unit.button, pattern=r"^[dxn]:"))
    app.add_handler(CallbackQueryHandler(admin.decide, pattern=r"^(s|b|ea|er):"))
    app.add_handler(CallbackQueryHandler(admin.page, pattern=r"^pg:"))
    app.add_handler(CallbackQueryHandler(_stale_button))
    app.add_handler(
        MessageHandler((filters.TEXT | filters.PHOTO | filters.Document.ALL) & ~filters.COMMAND, unit.message)
    )
    app.add_handler(MessageHandler(filters.COMMAND, _unknown_command))
    app.add_error_handler(on_error)


async def _stale_button(update: Update, context: object) -> None:
    if update.callback_query:
        await update.callback_query.answer("该按钮已失效。This button is no longer valid.")


async def _unknown_command(update: Update, context: object) -> None:
    if update.effective_chat and update.effective_chat.type == "private":
        await update.effective_chat.send_message("没有这个命令。发送 /help 查看可用命令。Unknown command; see /help.")


async def _post_init(app: Application) -> None:
    s: Services = app.bot_data["services"]
    if s.outbox is None:
        s.outbox = Outbox(app.bot)
    me = await app.bot.get_me()
    s.username = me.username or ""
    await register_commands(app, s)


async def register_commands(app: Application, s: Services) -> None:
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


@contextlib.asynccontextmanager
async def serve_on_emulator(
    services: Services,
    emu: Emulator,
    sleep: Callable[[float], Awaitable[None]],
    monotonic: Callable[[], float],
    *,
    job_queue: bool = True,
) -> AsyncIterator[Application]:
    """Run the real Application, polling the local Bot API emulator (tests and `make demo`)."""
    await emu.start()
    app = build_application(services, emu.token, emu.base_url, emu.base_file_url, job_queue=job_queue)
    services.outbox = Outbox(app.bot, clock=monotonic, sleep=sleep)
    await app.initialize()
    await _post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await emu.release_polls()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await emu.stop()
