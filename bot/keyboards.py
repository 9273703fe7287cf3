"""Inline keyboards. Callback data carries only a short action code and a measure id
("d:P24-4"): at most 64 bytes, never Chinese text (3 bytes a character)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

LABELS = {
    "zh": {
        "d": "✅ 已完成",
        "x": "⏳ 申请延期",
        "n": "📝 进展",
        "s": "✅ 销号",
        "b": "↩ 退回",
        "ea": "✅ 同意",
        "er": "✖ 不同意",
        "prev": "◀ 上一页",
        "next": "下一页 ▶",
    },
    "en": {
        "d": "✅ Done",
        "x": "⏳ Extension",
        "n": "📝 Progress",
        "s": "✅ Sign off",
        "b": "↩ Send back",
        "ea": "✅ Approve",
        "er": "✖ Reject",
        "prev": "◀ Prev",
        "next": "Next ▶",
    },
}


def data(action: str, *parts: str) -> str:
    d = ":".join((action, *parts))
    if len(d.encode()) > 64:
        raise ValueError(f"callback data too long: {d!r}")
    return d


def _b(lang: str, action: str, *parts: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(LABELS.get(lang, LABELS["zh"])[action], callback_data=data(action, *parts))


def reminder_keyboard(measure_id: str, lang: str = "zh") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(lang, "d", measure_id), _b(lang, "x", measure_id), _b(lang, "n", measure_id)]])


def signoff_keyboard(measure_id: str, lang: str = "zh") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(lang, "s", measure_id), _b(lang, "b", measure_id)]])


def extension_keyboard(measure_id: str, lang: str = "zh") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_b(lang, "ea", measure_id), _b(lang, "er", measure_id)]])


def pager(view: str, page: int, pages: int, lang: str = "zh") -> InlineKeyboardMarkup | None:
    if pages <= 1:
        return None
    labels = LABELS.get(lang, LABELS["zh"])
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(labels["prev"], callback_data=data("pg", view, str(page - 1))))
    if page < pages - 1:
        row.append(InlineKeyboardButton(labels["next"], callback_data=data("pg", view, str(page + 1))))
    return InlineKeyboardMarkup([row])
