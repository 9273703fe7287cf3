"""What handlers and jobs share, handed to them through `application.bot_data["services"]`."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.actions import Actor
from ledger.errors import DubanError
from ledger.i18n import LANGS
from ledger.planner import Directory
from ledger.policy import Policy
from ledger.service import build_directory
from ledger.webtokens import WebLinks

if TYPE_CHECKING:
    from bot.outbox import Outbox
    from channels.seam import Channels
    from store import Repository
    from store.evidence import EvidenceDir


@dataclass(frozen=True)
class Settings:
    """The `[bot]` part of config.toml."""

    admins: frozenset[int] = frozenset()
    admin_chat: int = 0
    require_approval: bool = True
    require_evidence: bool = False  # a 完成 without a photo or file is asked for one first
    language: str = "zh"
    invite_days: int = 7
    ask_expires_minutes: int = 30  # a follow-up question the person has not answered lapses after this
    unit_aliases: tuple[tuple[str, str], ...] = ()  # `[units] aliases`: written name → unit

    @property
    def aliases(self) -> dict[str, str]:
        return dict(self.unit_aliases)

    @classmethod
    def from_config(cls, b: Mapping[str, Any], aliases: Mapping[str, Any] | None = None) -> Settings:
        try:
            lang = str(b.get("language", "zh"))
            if lang not in LANGS:
                raise ValueError("language")
            return cls(
                admins=frozenset(int(x) for x in b.get("admins", [])),
                admin_chat=int(b.get("admin_chat", 0)),
                require_approval=bool(b.get("require_approval", True)),
                require_evidence=bool(b.get("require_evidence", False)),
                language=lang,
                invite_days=int(b.get("invite_days", 7)),
                ask_expires_minutes=int(b.get("ask_expires_minutes", 30)),
                unit_aliases=tuple((str(k), str(v)) for k, v in (aliases or {}).items()),
            )
        except (TypeError, ValueError) as e:
            raise DubanError(f"[bot] 配置有误（{e}）：admins 为用户 ID 列表，language 为 zh 或 en。") from None


@dataclass
class Services:
    repo: Repository
    policy: Policy
    settings: Settings
    clock: Callable[[], dt.datetime]  # aware datetime in the policy's timezone
    outbox: Outbox | None = None  # None: Telegram is off (`sweep --once` with only robot channels)
    channels: Channels | None = None  # WeCom, DingTalk, Feishu, e-mail (channels/)
    username: str = ""
    told_blocked: set[int] = field(default_factory=set)
    handler_errors: list[str] = field(default_factory=list)  # unexpected exceptions, for tests and logs
    invite_failures: dict[int, list[dt.datetime]] = field(default_factory=dict)  # wrong codes per person
    digest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sweep_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # the catch-up and the daily sweep never overlap
    web: WebLinks | None = None  # `[web] base_url` and the secret: links to the web pages under messages
    evidence: EvidenceDir | None = None  # the evidence archive (var/evidence/); None: files are not kept

    def measure_url(self, holder: int, measure_id: str) -> str:
        """The web page of a measure for `holder` (a person or a unit's group), or "" without `[web] base_url`."""
        if self.web is None or not self.web.base_url:
            return ""
        return self.web.measure_url(self.repo, holder, self.repo.key_of(measure_id), self.now())

    def now(self) -> dt.datetime:
        return self.clock().astimezone(self.policy.tz)

    def actor(self, user_id: int, chat_id: int, name: str = "") -> Actor:
        return Actor(user_id=user_id, chat_id=chat_id, is_admin=user_id in self.settings.admins, name=name)

    def directory(self) -> Directory:
        return build_directory(self.repo.members(), sorted(self.settings.admins), self.settings.admin_chat)

    def admin_chats(self) -> tuple[int, ...]:
        return (self.settings.admin_chat,) if self.settings.admin_chat else tuple(sorted(self.settings.admins))

    def last_run(self, job: str) -> dt.datetime | None:
        """When the sweep or the digest last ran (kept in the store, so a restart knows)."""
        raw = self.repo.pref(0, f"last_{job}")
        return dt.datetime.fromisoformat(raw) if raw else None

    def set_last_run(self, job: str, at: dt.datetime) -> None:
        self.repo.set_pref(0, f"last_{job}", at.isoformat())

    def lang(self, user_id: int | str) -> str:
        """A person's `/lang` choice; groups (negative ids), channel addresses and others get the configured one."""
        person = isinstance(user_id, int) and user_id > 0
        return (self.repo.pref(int(user_id), "lang") if person else None) or self.settings.language
