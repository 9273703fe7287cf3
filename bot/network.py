"""Reaching Telegram: the start-up check, polling or a webhook, and keeping the token out of logs.

A server often boots before its network (or its proxy) is up: the start-up check retries with
backoff, one log line per failure, until Telegram answers; a token Telegram rejects ends the
process with one line that does not repeat the token.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.app import App
from ledger.errors import DubanError

log = logging.getLogger(__name__)
TOKEN_REJECTED = "Telegram 拒绝了机器人令牌（token rejected）：请检查 TELEGRAM_BOT_TOKEN，或向 @BotFather 重新获取。"


@dataclass(frozen=True)
class Webhook:
    """`[telegram] mode = "webhook"`: where Telegram posts updates; polling when `url` is empty.

    Every update must carry a secret token set with setWebhook (random per start), so a forged
    POST to the URL is refused.
    """

    url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443

    @classmethod
    def from_config(cls, tg: Mapping[str, Any]) -> Webhook:
        if tg.get("mode", "polling") != "webhook":
            return cls()
        if not tg.get("webhook_url"):
            raise DubanError('[telegram] mode = "webhook" 需要 webhook_url。')
        return cls(
            str(tg["webhook_url"]), str(tg.get("webhook_listen", "127.0.0.1")), int(tg.get("webhook_port", 8443))
        )


def serve(app: App, *, webhook: Webhook) -> None:
    """Run until stopped: long polling, or a webhook server when one is configured."""
    try:
        if webhook.url:
            app.run_webhook(
                listen=webhook.listen,
                port=webhook.port,
                url_path="telegram",
                webhook_url=webhook.url,
                secret_token=secrets.token_urlsafe(32),
                bootstrap_retries=-1,
            )
        else:
            app.run_polling(allowed_updates=["message", "callback_query"], bootstrap_retries=-1)
    except InvalidToken:
        raise DubanError(TOKEN_REJECTED) from None


async def wait_until_reachable(
    token: str,
    base_url: str | None,
    proxy: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_wait: float = 60.0,
) -> str:
    """Ask Telegram who we are until it answers; the bot's @name. Retries network errors forever."""
    request = HTTPXRequest(proxy=proxy or None, connect_timeout=10, read_timeout=10)
    bot = Bot(token, base_url=base_url or "https://api.telegram.org/bot", request=request)
    delay = 1.0
    while True:
        try:
            async with bot:
                return bot.username
        except InvalidToken:
            raise DubanError(TOKEN_REJECTED) from None
        except (NetworkError, TimedOut) as e:
            log.warning("Telegram 暂时无法连接（%s），%.0f 秒后重试。Telegram unreachable; retrying.", e, delay)
            await sleep(delay)
            delay = min(delay * 2, max_wait)


class RedactSecrets(logging.Filter):
    """Replaces secrets (the bot token) in every log line, tracebacks included."""

    def __init__(self, *secrets_: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets_ if s]

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        record.msg, record.args, record.exc_text = text, (), None
        return True


def redact_logs(*secrets_: str) -> None:
    """Install `RedactSecrets` on every handler of the root logger."""
    f = RedactSecrets(*secrets_)
    for h in logging.getLogger().handlers:
        h.addFilter(f)
