"""An admin sends a ledger file in chat: imported at once when nothing in it is a guess, else
shown first with 确认导入 / 取消.

The pending import is kept in the store (not in memory, so a restart keeps it) as the office's
one waiting import: a short id on its buttons, the Telegram file id and the file's hash. A second
upload replaces it, so an old button finds a different id and does nothing. On 确认导入 the file is
downloaded and planned again; if the plan is no longer the one shown, it is shown again instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.keyboards import Button, data
from bot.turn import Turn, handler
from ledger import actions
from ledger.errors import DubanError
from ledger.i18n import plain
from ledger.ledgerfile import read_ledger_bytes
from ledger.messages import TELEGRAM_LIMIT
from ledger.review import review_items
from ledger.service import ImportPlan, apply_import, confirm_reasons, plan_import

IMPORT_TYPES = (".xlsx", ".xls", ".csv", ".toml", ".docx")
OFFICE_PREFS = 0  # prefs of no user: what the office as a whole waits on
PENDING = "import_pending"


def import_options(caption: str) -> dict[str, Any]:
    """Options written in the file's caption, as on the command line: `--match text`,
    `--accept-changes`, `--strict-units`, `--no-split`, `--sheet 名称` (or 按内容匹配 / 确认修改 / 不拆分)."""
    words = caption.split()
    opts: dict[str, Any] = {}
    if "按内容匹配" in caption or ("--match" in words and "text" in words):
        opts["match"] = "text"
    if "--accept-changes" in words or "确认修改" in caption:
        opts["accept_changes"] = True
    if "--strict-units" in words:
        opts["strict_units"] = True
    if "--no-split" in words or "不拆分" in caption:
        opts["split"] = False
    if "--sheet" in words and words.index("--sheet") + 1 < len(words):
        opts["sheet"] = words[words.index("--sheet") + 1]
    return opts


@dataclass(frozen=True)
class Pending:
    """An import shown to the office and not yet confirmed."""

    id: str
    file_id: str
    sha: str
    name: str
    caption: str
    by: int
    at: str  # ISO time; lapses like the bot's other questions (`ask_expires_minutes`)
    digest: str  # of the summary shown: confirming applies only the plan the admin saw

    def dump(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def load(cls, raw: str | None) -> Pending | None:
        try:
            return cls(**json.loads(raw)) if raw else None
        except (ValueError, TypeError):
            return None


async def import_document(turn: Turn) -> None:
    """An admin sends a ledger (XLSX, XLS, CSV, TOML): imported with the CLI's validation, all or
    nothing; the file is read off the event loop, so nobody else waits while a large one parses."""
    actions.require_admin(turn.actor)
    msg = turn.message
    assert msg is not None and msg.document is not None
    name = msg.document.file_name or "ledger"
    ext = os.path.splitext(name)[1].lower()
    if ext not in IMPORT_TYPES:
        raise DubanError(turn.t("import_type", ext=ext or "(无扩展名)"))
    if (msg.document.file_size or 0) > 20 * 1024 * 1024:
        raise DubanError(turn.t("import_too_big"))
    raw = bytes(await (await msg.document.get_file()).download_as_bytearray())
    caption = msg.caption or ""
    plan = await _plan(turn, raw, name, caption)
    reasons = confirm_reasons(plan)
    if not reasons:
        turn.s.repo.set_pref(OFFICE_PREFS, PENDING, "")  # a newer upload supersedes a waiting one
        await _apply(turn, plan)
        return
    sha = hashlib.sha256(raw).hexdigest()
    pending = Pending(
        id=hashlib.sha256(f"{sha}{caption}{msg.document.file_id}{turn.now.isoformat()}".encode()).hexdigest()[:10],
        file_id=msg.document.file_id,
        sha=sha,
        name=name,
        caption=caption,
        by=turn.actor.user_id,
        at=turn.now.isoformat(),
        digest=_digest(plan),
    )
    await _offer(turn, plan, reasons, pending)


@handler
async def import_button(turn: Turn) -> None:
    """确认导入 applies the waiting import (any admin may); 取消 drops it; the store is untouched until then."""
    q = turn.query
    assert q is not None and q.data
    actions.require_admin(turn.actor)
    code, _, sid = q.data.partition(":")
    repo = turn.s.repo
    pending = Pending.load(repo.pref(OFFICE_PREFS, PENDING))
    if pending is None or pending.id != sid or _lapsed(pending, turn):
        await q.answer(turn.t("import_stale"), show_alert=True)
        return
    repo.set_pref(OFFICE_PREFS, PENDING, "")
    if code == Button.IMPORT_CANCEL:
        await q.answer()
        await turn.reply(turn.t("import_cancelled"))
        return
    raw = bytes(await (await q.get_bot().get_file(pending.file_id)).download_as_bytearray())
    if hashlib.sha256(raw).hexdigest() != pending.sha:
        raise DubanError(turn.t("import_stale"))
    plan = await _plan(turn, raw, pending.name, pending.caption)
    if _digest(plan) != pending.digest:  # the ledger changed since: show what would happen now
        fresh = Pending(**{**pending.__dict__, "at": turn.now.isoformat(), "digest": _digest(plan)})
        await q.answer()
        await _offer(turn, plan, confirm_reasons(plan), fresh, again=True)
        return
    await q.answer()
    await _apply(turn, plan)


async def _plan(turn: Turn, raw: bytes, name: str, caption: str) -> ImportPlan:
    repo, opts = turn.s.repo, import_options(caption)
    sheet, split = opts.pop("sheet", None), opts.pop("split", True)
    ext = os.path.splitext(name)[1].lower()
    parsed = await asyncio.to_thread(read_ledger_bytes, raw, name, ext, repo.problems(), sheet=sheet, split=split)
    return plan_import(parsed, repo, turn.now, name, aliases=turn.s.settings.aliases, **opts)


async def _apply(turn: Turn, plan: ImportPlan) -> None:
    repo = turn.s.repo
    apply_import(plan, repo, turn.now, actor=turn.actor.tag)
    await turn.reply(turn.t("import_done", summary=plan.summary()))
    lacking = len(review_items(repo.measures()))
    if lacking:
        await turn.reply(turn.t("review_after_import", n=lacking))


async def _offer(turn: Turn, plan: ImportPlan, reasons: list[str], pending: Pending, again: bool = False) -> None:
    turn.s.repo.set_pref(OFFICE_PREFS, PENDING, pending.dump())
    await turn.reply(confirm_text(turn.lang, plan, reasons, again), confirm_keyboard(turn.lang, pending.id))


def confirm_text(lang: str, plan: ImportPlan, reasons: list[str], again: bool = False) -> str:
    """The summary and why it waits, escaped, cut (whole lines) to fit one Telegram message."""
    from ledger.i18n import t

    key = "import_confirm_again" if again else "import_confirm"
    lines = plan.summary().split("\n")
    shown = len(lines)
    while True:
        more = "" if shown == len(lines) else "\n" + t(lang, "import_more", n=len(lines) - shown)
        text = t(lang, key, reasons="；".join(reasons), summary="\n".join(lines[:shown])) + more
        if len(text) <= TELEGRAM_LIMIT - 96 or shown <= 1:
            return text[: TELEGRAM_LIMIT - 96]
        shown -= 1


def confirm_keyboard(lang: str, sid: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(lang, "btn.ic"), callback_data=data(Button.IMPORT_CONFIRM, sid)),
                InlineKeyboardButton(plain(lang, "btn.ix"), callback_data=data(Button.IMPORT_CANCEL, sid)),
            ]
        ]
    )


def _digest(plan: ImportPlan) -> str:
    return hashlib.sha256(plan.summary().encode()).hexdigest()[:16]


def _lapsed(p: Pending, turn: Turn) -> bool:
    age = turn.now - dt.datetime.fromisoformat(p.at)
    return age > dt.timedelta(minutes=turn.s.settings.ask_expires_minutes)
