"""Channel addresses bound to units: group robots (WeCom 企业微信, DingTalk 钉钉, Feishu 飞书) and e-mail.

A `Hook` is one address: its kind, the webhook URL (or `mailto:` address), an optional signing
secret, and whether it still works. URLs and secrets are secrets (anyone holding a robot's URL
can post to the group): they are never logged and always shown through `mask`. Each hook has a
stable recipient id (`"wecom:3"`) that the planner treats like a chat id, so the sent-log,
catch-up and bundling rules are the same on every channel. The unit `OFFICE` (整改办) is the
office's own address: it gets the office's bundle and the digest. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ledger.errors import DubanError
from ledger.i18n import plain, t

KINDS = ("wecom", "dingtalk", "feishu", "email")
OFFICE = "@office"  # `[[hooks]] unit = "@office"`: the rectification office's own group or mailbox
HOLDER_BASE = -(2**53)  # page-link holders of robots sit below every Telegram id (at most 52 bits)
HOSTS = {
    "qyapi.weixin.qq.com": "wecom",
    "oapi.dingtalk.com": "dingtalk",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
}


@dataclass(frozen=True)
class Hook:
    id: int
    unit: str
    kind: str
    url: str
    secret: str = ""
    active: bool = True
    source: str = "chat"  # "config" ([[hooks]]) or "chat" (/hook)

    @property
    def recipient(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def holder(self) -> int:
        """Whom the measure-page links it carries are issued to: the unit's group behind this robot,
        never a Telegram id; the page lets it act for the hook's unit while the hook is active."""
        return HOLDER_BASE - self.id


def hook_id_of(holder: int) -> int | None:
    """The hook a page-link holder stands for, or None for a Telegram user or chat."""
    return HOLDER_BASE - holder if holder < HOLDER_BASE else None


def kind_of(url: str) -> str:
    """The channel a webhook URL belongs to, from its host; `mailto:` is e-mail."""
    if url.startswith("mailto:"):
        if not re.fullmatch(r"mailto:[^@\s]+@[^@\s]+\.[^@\s]+", url):
            raise DubanError(f"邮箱地址有误：{mask(url)}。Not an e-mail address.")
        return "email"
    parts = urlsplit(url)
    kind = HOSTS.get(parts.hostname or "")
    if parts.scheme != "https" or kind is None:
        raise DubanError(
            "不认识的机器人地址：应为企业微信 https://qyapi.weixin.qq.com/…、钉钉 https://oapi.dingtalk.com/…、"
            "飞书 https://open.feishu.cn/… 的 webhook，或 mailto:邮箱。Unknown webhook URL."
        )
    return kind


def mask(url: str) -> str:
    """A URL as it may be shown: host and path kept, every credential cut to its ends (`key=ab…yz`)."""
    if url.startswith("mailto:"):
        user, _, domain = url[len("mailto:") :].partition("@")
        return f"mailto:{user[:2]}…@{domain}"
    parts = urlsplit(url)
    path = re.sub(r"/hook/([^/]+)$", lambda m: f"/hook/{_ends(m.group(1))}", parts.path)
    query = re.sub(r"(key|access_token)=([^&]+)", lambda m: f"{m.group(1)}={_ends(m.group(2))}", parts.query)
    query = re.sub(r"(timestamp|sign)=[^&]+&?", "", query).rstrip("&")
    return f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")


def mask_secret(secret: str) -> str:
    return _ends(secret) if secret else "—"


def _ends(s: str) -> str:
    return f"{s[:2]}…{s[-2:]}" if len(s) > 6 else "…"


def parse_hook_args(args: list[str]) -> tuple[str, str, str]:
    """`/hook 区教育局 <webhook-url> [secret]` → (unit, url, secret)."""
    if len(args) < 2 or len(args) > 3:
        raise DubanError("用法：/hook 单位 <webhook地址> [加签密钥]。Usage: /hook UNIT URL [SECRET]")
    unit, url, secret = args[0], args[1], args[2] if len(args) == 3 else ""
    kind_of(url)
    return unit, url, secret


def hook_lines(hooks: list[Hook], lang: str) -> list[str]:
    """The bound addresses, masked, with their state (`/hook` alone, `run_bot.py hooks list`); HTML."""
    lines = [t(lang, "hook_list_head")] if hooks else [t(lang, "hook_none")]
    for h in hooks:
        state = plain(lang, f"hook_state.{'active' if h.active else 'inactive'}")
        kind = plain(lang, f"hook_kind.{h.kind}")
        lines.append(t(lang, "hook_list_item", unit=h.unit, kind=kind, url=mask(h.url), state=state))
    return lines
