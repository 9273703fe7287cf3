"""Domain errors: each carries a message a user can act on."""

from __future__ import annotations


class DubanError(Exception):
    """Base of every error Duban reports to a user."""


class LedgerImportError(DubanError):
    """A ledger file that cannot be imported; nothing was changed."""

    def __init__(self, message: str, *, file: str = "", row: int | None = None, column: str | None = None):
        self.file = file
        self.row = row
        self.column = column
        where = file
        if row is not None:
            where += f", row {row}"
        if column:
            where += f", column {column}"
        super().__init__(f"{where}: {message}" if where else message)


class DeadlineParseError(DubanError):
    """A date the user typed could not be read as a deadline."""


class PermissionDenied(DubanError):
    """The person asking may not act on this measure."""


class IllegalTransition(DubanError):
    """A status change the lifecycle does not allow."""


class InviteError(DubanError):
    """An invite code that does not bind anyone (unknown, expired or used)."""


class UnknownUnit(DubanError):
    """A unit name the ledger does not know."""


class UnknownMeasure(DubanError):
    """No measure with this id."""


class StoreError(DubanError):
    """The store file cannot be used (unknown schema, locked by another process)."""


class CorruptStore(StoreError):
    """The store file exists but is empty, `null` or unreadable; it is refused and left untouched."""


class StoreWriteError(StoreError):
    """A change could not reach the disk (disk full, read-only folder); it was undone in memory too."""


class NoBotToken(DubanError):
    """`run` without a Telegram token: where to get one, and how to try the bot without it."""

    def __init__(self) -> None:
        super().__init__(
            "没有设置机器人令牌。请在 Telegram 中向 @BotFather 发送 /newbot 获取令牌，然后\n"
            "  export TELEGRAM_BOT_TOKEN=123456:ABC...\n再运行 run_bot.py run。不需要令牌即可体验：make demo\n"
            "No bot token: get one from @BotFather (/newbot), set TELEGRAM_BOT_TOKEN, or try `make demo` without one."
        )
