"""Inline keyboards and the button vocabulary.

Callback data is a `Button` code and short arguments ("d:k1z": the measure's store key, not the
office's id, which may hold CJK at 3 bytes a character), so it always fits Telegram's 64 bytes.
Whatever a button's data says, every action is checked again on the server (`ledger.actions`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ledger.i18n import plain

CALLBACK_LIMIT = 64


class Button(StrEnum):
    """What a pressed button asks for; the value is the code in its callback data."""

    DONE = "d"  # unit: report done (asks for evidence)
    EXTEND = "x"  # unit: ask for more time (asks for a date)
    NOTE = "n"  # unit: record progress (asks for the note)
    SIGN_OFF = "s"  # admin: 销号
    SEND_BACK = "b"  # admin: 退回 (asks for the reason)
    APPROVE_EXTENSION = "ea"
    REJECT_EXTENSION = "er"
    PAGE = "pg"  # a page of a long list
    CARD = "c"  # open a measure's card (from a bundle or a progress request)
    BUNDLE_PAGE = "bp"  # a page of a bundled message
    REVIEW_DATE = "rd"  # admin: set a missing deadline (asks for the date)
    REVIEW_ONGOING = "ro"  # admin: mark it 长期坚持
    REVIEW_SKIP = "rs"  # admin: the next measure lacking a deadline
    REVIEW_SAVE = "rk"  # admin: save the date as read ("rk:P2-1:20240630")
    IMPORT_CONFIRM = "ic"  # admin: apply the waiting import ("ic:<pending id>")
    IMPORT_CANCEL = "ix"  # admin: drop the waiting import


UNIT_BUTTONS = (Button.DONE, Button.EXTEND, Button.NOTE)
REVIEW_BUTTONS = (Button.REVIEW_DATE, Button.REVIEW_ONGOING, Button.REVIEW_SKIP, Button.REVIEW_SAVE)
IMPORT_BUTTONS = (Button.IMPORT_CONFIRM, Button.IMPORT_CANCEL)
DECISION_BUTTONS = (Button.SIGN_OFF, Button.SEND_BACK, Button.APPROVE_EXTENSION, Button.REJECT_EXTENSION)


def data(action: Button, *parts: str) -> str:
    d = ":".join((action.value, *parts))
    if len(d.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data too long: {d!r}")
    return d


def parse(raw: str) -> tuple[Button, str] | None:
    """("d", "P24-4") from "d:P24-4"; None for data that is not ours."""
    code, _, rest = raw.partition(":")
    try:
        return Button(code), rest
    except ValueError:
        return None


def pattern(buttons: tuple[Button, ...]) -> str:
    return "^(" + "|".join(b.value for b in buttons) + "):"


def _b(lang: str, action: Button, *parts: str, label: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(label or plain(lang, f"btn.{action.value}"), callback_data=data(action, *parts))


def _web_row(lang: str, url: str) -> list[list[InlineKeyboardButton]]:
    """ "🌐 网页处理" opening the measure's page (only http(s) URLs: Telegram refuses others)."""
    return [[InlineKeyboardButton(plain(lang, "btn.web"), url=url)]] if url.startswith(("https://", "http://")) else []


def reminder_keyboard(key: str, lang: str = "zh", url: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(lang, b, key) for b in UNIT_BUTTONS], *_web_row(lang, url)])


def signoff_keyboard(key: str, lang: str = "zh", url: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_b(lang, Button.SIGN_OFF, key), _b(lang, Button.SEND_BACK, key)], *_web_row(lang, url)]
    )


def extension_keyboard(key: str, lang: str = "zh", url: str = "") -> InlineKeyboardMarkup:
    row = [_b(lang, Button.APPROVE_EXTENSION, key), _b(lang, Button.REJECT_EXTENSION, key)]
    return InlineKeyboardMarkup([row, *_web_row(lang, url)])


def pager(view: str, page: int, pages: int, lang: str = "zh") -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    row = []
    if page > 0:
        row.append(_b(lang, Button.PAGE, view, str(page - 1), label=plain(lang, "btn.prev")))
    if page < pages - 1:
        row.append(_b(lang, Button.PAGE, view, str(page + 1), label=plain(lang, "btn.next")))
    return InlineKeyboardMarkup([row])


def _same(measure_id: str) -> str:
    return measure_id


def bundle_keyboard(
    ids: Sequence[str], page: int, pages: int, lang: str = "zh", key_of: Callable[[str], str] = _same
) -> InlineKeyboardMarkup | None:
    """A card button per measure (labelled with its id, carrying its key; four a row), then ◀ ▶."""
    rows = [[_b(lang, Button.CARD, key_of(mid), label=mid) for mid in ids[i : i + 4]] for i in range(0, len(ids), 4)]
    nav = []
    if page > 0:
        nav.append(_b(lang, Button.BUNDLE_PAGE, str(page - 1), label=plain(lang, "btn.prev")))
    if page < pages - 1:
        nav.append(_b(lang, Button.BUNDLE_PAGE, str(page + 1), label=plain(lang, "btn.next")))
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None


def progress_keyboard(
    ids: Sequence[str], lang: str = "zh", key_of: Callable[[str], str] = _same
) -> InlineKeyboardMarkup:
    """A 📝 button per measure of a progress request (three a row)."""
    label = plain(lang, "btn.progress")
    buttons = [_b(lang, Button.NOTE, key_of(mid), label=label.format(mid=mid)) for mid in ids]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def review_keyboard(measure_id: str, lang: str = "zh") -> InlineKeyboardMarkup:
    buttons = (Button.REVIEW_DATE, Button.REVIEW_ONGOING, Button.REVIEW_SKIP)
    return InlineKeyboardMarkup([[_b(lang, b, measure_id) for b in buttons]])


def review_save_keyboard(measure_id: str, due: str, lang: str = "zh") -> InlineKeyboardMarkup:
    """✅ 保存 with the date as read (YYYYMMDD), or 🗓 to type it again."""
    return InlineKeyboardMarkup(
        [[_b(lang, Button.REVIEW_SAVE, measure_id, due.replace("-", "")), _b(lang, Button.REVIEW_DATE, measure_id)]]
    )
