"""User-facing texts of the bot, Chinese first, English second (`/lang en`)."""

from __future__ import annotations

from html import escape

TEXTS: dict[str, dict[str, str]] = {
    "zh": {
        "help_unit": (
            "督办机器人：整改措施到期前提醒，逾期预警。\n"
            "• 收到提醒后点“✅ 已完成”或回复“完成 + 说明/照片/文件”提交佐证\n"
            "• 点“⏳ 申请延期”给出新时限（如“6月底”）和理由；点“📝 进展”记录进展\n"
            "/mine 本单位未完成的措施\n/measure P2-1 措施详情\n"
            "/done P2-1 说明 · /extend P2-1 2024-06-30 理由 · /note P2-1 进展\n"
            "/whoami 我的绑定 · /lang en English"
        ),
        "help_admin": (
            "\n\n管理员：/invite 单位 生成邀请链接 · /bind 单位（群内）\n"
            "/pending 待销号 · /overdue 逾期 · /due 14 近期到期 · /unit 单位 · /stats 进度\n"
            "/find 关键词 · /export 导出台账 · /members 绑定情况 · /reopen 编号 理由\n"
            "发送 XLSX/CSV 文件即导入"
        ),
        "not_bound": "您尚未绑定责任单位。请使用整改办发给您的邀请链接。",
        "bound": "已绑定：{unit}。此后该单位的整改提醒会发到这里。",
        "whoami": "您的 Telegram ID：{uid}\n绑定单位：{units}{admin}",
        "admin_mark": "\n身份：整改办管理员",
        "none": "无",
        "ask_evidence": "请发送措施 {mid} 的完成说明、照片或文件作为佐证（发送“取消”放弃）。",
        "ask_date": "请发送措施 {mid} 新的完成时限（如“6月底”“2024-06-30”），可在日期后写理由。",
        "ask_reason": "新时限 {date}。请发送申请延期的理由。",
        "ask_note": "请发送措施 {mid} 的进展情况。",
        "ask_sendback": "请发送退回措施 {mid} 的理由（将转告责任单位）。",
        "cancelled": "已取消。",
        "submitted": "已提交措施 {mid} 的完成情况，等待整改办审核销号。",
        "done_now": "措施 {mid} 已标记完成。",
        "occurrence_done": "已记录措施 {mid} 本期（{label}）完成。",
        "ext_requested": "已提交措施 {mid} 延期至 {date} 的申请，等待整改办审批。",
        "noted": "已记录措施 {mid} 的进展。",
        "bad_date": "无法识别日期“{text}”。请写成“6月底”或“2024-06-30”。",
        "usage_done": "用法：/done 措施编号 说明，如 /done P24-4 已完成更换",
        "usage_extend": "用法：/extend 措施编号 新时限 理由，如 /extend P24-4 2024-09-30 供货延迟",
        "usage_note": "用法：/note 措施编号 进展，如 /note P24-4 已完成招标",
        "usage_measure": "用法：/measure 措施编号，如 /measure P24-4",
        "no_open": "{units}目前没有未完成的整改措施。",
        "reply_hint": "如已完成，请以“完成”开头回复并附说明或照片；申请延期或记录进展请点按钮。",
        "unknown": "没看懂这条消息。发送 /help 查看用法。",
        "error": "抱歉，处理时出错了，请稍后再试。如果问题持续，请联系整改办。",
        "signoff_request": "📥 <b>待销号</b> · {mid}（{unit}）\n{text}\n单位说明：{note}",
        "ext_request": "⏳ <b>延期申请</b> · {mid}（{unit}）\n{text}\n现时限：{old} → 申请：{new}\n理由：{reason}",
        "signed_off": "✅ 措施 {mid} 已销号。",
        "sent_back": "↩ 措施 {mid} 被退回：{reason}\n请补充后重新提交。",
        "ext_approved": "✅ 措施 {mid} 延期申请已同意，新时限 {date}。",
        "ext_rejected": "✖ 措施 {mid} 延期申请未获同意，时限仍为 {date}。",
        "already": "该事项已由其他管理员处理：{state}",
        "blocked_admin": "⚠️ {who}（{unit}）已屏蔽机器人，提醒无法送达，已停止向其发送。",
        "lang_set": "语言已设为中文。",
        "lang_usage": "用法：/lang zh 或 /lang en",
    },
    "en": {
        "help_unit": (
            "Duban reminds responsible units before rectification deadlines and warns when late.\n"
            "• On a reminder press ✅ or reply “done” with a note, photo or file as evidence\n"
            "• ⏳ asks for a new date (e.g. 2024-06-30) and a reason; 📝 records progress\n"
            "/mine your unit's open measures\n/measure P2-1 details\n"
            "/done P2-1 note · /extend P2-1 2024-06-30 reason · /note P2-1 text\n"
            "/whoami your bindings · /lang zh 中文"
        ),
        "help_admin": (
            "\n\nAdmins: /invite UNIT · /bind UNIT (in a group)\n"
            "/pending · /overdue · /due 14 · /unit UNIT · /stats · /find WORD · /export · "
            "/members · /reopen ID reason · send an XLSX/CSV file to import"
        ),
        "not_bound": "You are not bound to a unit yet. Please open the invite link from the office.",
        "bound": "Bound to {unit}. Its reminders will come here.",
        "whoami": "Your Telegram id: {uid}\nUnits: {units}{admin}",
        "admin_mark": "\nRole: admin",
        "none": "none",
        "ask_evidence": "Send a note, photo or file as evidence for {mid} (or “cancel”).",
        "ask_date": "Send the new due date for {mid} (e.g. 2024-06-30), optionally followed by the reason.",
        "ask_reason": "New date {date}. Send the reason for the extension.",
        "ask_note": "Send the progress on {mid}.",
        "ask_sendback": "Send the reason for sending {mid} back (the unit will see it).",
        "cancelled": "Cancelled.",
        "submitted": "{mid} submitted; waiting for sign-off.",
        "done_now": "{mid} marked done.",
        "occurrence_done": "{mid}: this period ({label}) recorded as done.",
        "ext_requested": "Extension of {mid} to {date} requested; waiting for approval.",
        "noted": "Progress on {mid} recorded.",
        "bad_date": "Cannot read the date “{text}”. Write e.g. 2024-06-30.",
        "usage_done": "Usage: /done MEASURE note, e.g. /done P24-4 replaced",
        "usage_extend": "Usage: /extend MEASURE DATE reason, e.g. /extend P24-4 2024-09-30 supplier late",
        "usage_note": "Usage: /note MEASURE text",
        "usage_measure": "Usage: /measure MEASURE, e.g. /measure P24-4",
        "no_open": "{units}: no open measures.",
        "reply_hint": "If done, reply starting with “done” plus a note or photo; use the buttons for the rest.",
        "unknown": "I did not understand that. Send /help.",
        "error": "Sorry, something went wrong. Please try again later.",
        "signoff_request": "📥 <b>Sign-off</b> · {mid} ({unit})\n{text}\nUnit's note: {note}",
        "ext_request": "⏳ <b>Extension</b> · {mid} ({unit})\n{text}\nNow: {old} → asked: {new}\nReason: {reason}",
        "signed_off": "✅ {mid} signed off.",
        "sent_back": "↩ {mid} was sent back: {reason}\nPlease complete and submit again.",
        "ext_approved": "✅ Extension of {mid} approved: new date {date}.",
        "ext_rejected": "✖ Extension of {mid} rejected; the date stays {date}.",
        "already": "Already handled by another admin: {state}",
        "blocked_admin": "⚠️ {who} ({unit}) blocked the bot; reminders to them have stopped.",
        "lang_set": "Language set to English.",
        "lang_usage": "Usage: /lang zh or /lang en",
    },
}


def t(lang: str, key: str, **kw: object) -> str:
    """A text in `lang`; every value filled in is escaped for Telegram HTML."""
    table = TEXTS.get(lang, TEXTS["zh"])
    return table.get(key, TEXTS["zh"][key]).format(**{k: escape(str(v), quote=False) for k, v in kw.items()})
