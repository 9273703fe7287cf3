"""Every user-facing text of Duban, Chinese first and English second, keyed by message id.

One table for the bot, the CLI and the renderers in `ledger.messages`: a renderer takes `lang`
and calls `t(lang, key, **values)`. Values are escaped for Telegram HTML as they are filled in,
so ledger text (measure wording, unit names, notes) can never inject markup. A key missing in
English falls back to Chinese; a test checks both tables have the same keys.
"""

from __future__ import annotations

from html import escape

LANGS = ("zh", "en")

_ZH: dict[str, str] = {
    # -- help and binding
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
    "bound_notice": "🔗 {who}（{uid}）已绑定 {unit}",
    "whoami": "您的 Telegram ID：{uid}\n绑定单位：{units}{admin}",
    "admin_mark": "\n身份：整改办管理员",
    "none": "无",
    "lang_set": "语言已设为中文。",
    "lang_usage": "用法：/lang zh 或 /lang en",
    "unknown_command": "没有这个命令。发送 /help 查看可用命令。",
    "stale_button": "该按钮已失效。",
    # -- questions the bot asks, and their answers
    "ask_evidence": "请发送措施 {mid} 的完成说明、照片或文件作为佐证（发送“取消”放弃）。",
    "ask_date": "请发送措施 {mid} 新的完成时限（如“6月底”“2024-06-30”），可在日期后写理由。",
    "ask_reason": "新时限 {date}。请发送申请延期的理由。",
    "ask_note": "请发送措施 {mid} 的进展情况。",
    "ask_sendback": "请发送退回措施 {mid} 的理由（将转告责任单位）。",
    "cancelled": "已取消。",
    "empty_answer": "内容不能为空。",
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
    "usage_invite": "用法：/invite 单位名称 [multi]，如 /invite 区教育局",
    "usage_bind": "用法：在单位工作群内发送 /bind 单位名称",
    "usage_due": "用法：/due 天数，如 /due 14",
    "usage_find": "用法：/find 关键词，如 /find 课桌椅",
    "usage_reopen": "用法：/reopen 措施编号 理由，如 /reopen P24-4 回头看发现问题反弹",
    "no_open": "{units}目前没有未完成的整改措施。",
    "also_waiting": "另有 {n} 条已提交，待整改办销号。",
    "mine_head": "<b>{units}</b>：未完成 {n} 条",
    "reply_hint": "如已完成，请以“完成”开头回复并附说明或照片；申请延期或记录进展请点按钮。",
    "unknown": "没看懂这条消息。发送 /help 查看用法。",
    "error": "抱歉，处理时出错了，请稍后再试。如果问题持续，请联系整改办。",
    # -- requests to the office and decisions
    "signoff_request": "📥 <b>待销号</b> · {mid}（{unit}）\n{text}\n单位说明：{note}",
    "ext_request": "⏳ <b>延期申请</b> · {mid}（{unit}）\n{text}\n现时限：{old} → 申请：{new}\n理由：{reason}",
    "signed_off": "✅ 措施 {mid} 已销号。",
    "sent_back": "↩ 措施 {mid} 被退回：{reason}\n请补充后重新提交。",
    "ext_approved": "✅ 措施 {mid} 延期申请已同意，新时限 {date}。",
    "ext_rejected": "✖ 措施 {mid} 延期申请未获同意，时限仍为 {date}。",
    "decided_by": "（{who}）",
    "reopened": "↺ 措施 {mid} 已重新打开：{reason}",
    "already": "该事项已由其他管理员处理：{state}",
    "blocked_admin": "⚠️ {who}（{unit}）已屏蔽机器人，提醒无法送达，已停止向其发送。",
    # -- admin queries
    "invite_link": "{unit} 的邀请链接（{days}天内有效，{use}）：\n{link}",
    "invite_multi": "可多人使用",
    "invite_single": "仅限一人",
    "pending_none": "没有待销号或待审批的事项。",
    "pending_head": "<b>待处理 {n} 项</b>（最早的在前）",
    "pending_signoff": "待销号",
    "pending_extension": "延期至{date}",
    "due_head": "<b>{days}天内到期 {n} 条</b>",
    "find_head": "<b>含“{word}”的措施 {n} 条</b>",
    "stats_head": "<b>整改进度</b>（{today}）",
    "stats_units_head": "单位：完成/总数（完成率） 推进中 待销号 逾期 长期",
    "stats_unit": "{unit}：{done}/{total}（{rate}%） 推进中{open} 待销号{submitted} 逾期{overdue} 长期{ongoing}",
    "chart_caption": "各单位整改进度",
    "export_caption": "整改台账（{n}条措施）",
    "export_file": "整改台账-{date}.xlsx",
    "import_done": "✅ 导入完成：{summary}",
    "import_type": "不支持的文件类型 {ext}，请发送 .xlsx、.csv 或 .toml 台账。",
    "import_too_big": "文件太大（超过 20 MB）。",
    "members_head": "<b>已绑定 {bound}/{total} 个有未完成措施的单位</b>",
    "members_bound": "✅ {unit}：{names}",
    "members_missing": "⚪ {unit}：尚未绑定（提醒转发给整改办）",
    "members_leader": "👤 {name}（牵头领导）：{names}",
    "progress_line": "待销号{submitted}条，逾期{overdue}条，长期/周期性{ongoing}条",
    "headline": "{problems}个问题中已完成{problems_done}个；{measures}条措施中已完成{done}条，完成率{rate}%",
    "headline_report": "（通报口径：{problems}个问题中已完成{problems_done}个；{measures}条措施中已完成{done}条）",
    # -- reminders
    "check_held": "{now} 不在发送时间（工作日 {send_at}–{end}），此刻不发送任何提醒。",
    "check_held_until": "欠发的提醒将在 {at} 发出（每条一次）。",
    "period_due": "本期{label}（{due}）到期",
    "period_late": "上期{label}未报",
    "periods_sep": "；",
    "bundle_head": "📋 <b>本次督办提醒</b>：{n} 项，最紧急的在前",
    "bundle_foot": "点下方编号打开措施卡片，可 ✅ 完成 / ⏳ 申请延期 / 📝 记录进展。",
    "bundle_bound": "已绑定{n}个会话",
    "bundle_unbound": "⚠ 尚未绑定",
    "bundle_no_progress": "<b>📝 未报进展</b>（定期调度期满未报）",
    "office_bundle_head": "📋 <b>整改办督办汇总</b>（{today}）：{n} 项",
    "progress_request_head": (
        "📝 <b>定期调度 · 请报送进展</b>（{period}）\n{unit}：以下 {n} 项措施没有明确时限，请在本期内报送进展："
    ),
    "progress_request_foot": "点下方“📝 编号”或发送 /note 编号 进展；本期记录过进展的措施即视为已报。",
    "no_progress_unit": "{unit}：{n} 项未报（{ids}）",
    "btn.progress": "📝 {mid}",
    "check_chats_head": "— 按会话 —",
    "check_chat": "{chat}（{who}）：{n} 条提醒，逐条发送（{ids}）",
    "check_chat_bundle": "{chat}（{who}）：{n} 条提醒，合并为 1 条汇总（{ids}）",
    "check_chat_office": "{chat}（整改办）：1 条汇总，{n} 项（{ids}）",
    "check_chat_progress": "；定期调度 1 条（{n} 项）",
    "check_chat_no_progress": "；未报进展：{units}",
    "tier.green": "整改提醒",
    "tier.yellow": "临期预警",
    "tier.due": "今日到期",
    "tier.due_early": "到期提醒",
    "tier.overdue": "逾期警示",
    "tier.escalation": "逾期督办",
    "tier.signoff": "待销号超期",
    "unbound": "（该单位尚未绑定，请转告或邀请）",
    "label.unit": "责任单位",
    "label.co_units": "配合",
    "label.deadline": "时限",
    "label.evidence": "佐证",
    "label.files": "附件{n}个",
    "label.extension": "延期申请：{date}（{reason}）待审批",
    "office_copy": "（督办抄送整改办{late}）",
    "office_copy_late": "，已逾期{n}个工作日",
    "reply_done_hint": "完成后请点“✅ 已完成”或回复本消息“完成 + 说明/照片”。",
    "left.today": "今日到期",
    "left.workdays": "还剩{n}个工作日",
    "left.no_workday": "{days}天后到期（期间无工作日，请今天办结）",
    "left.late": "已逾期{n}个工作日",
    "overdue_none": "没有逾期的整改措施。",
    "overdue_head": "🔴 <b>逾期整改措施 {n} 条</b>",
    "overdue_head_page": "🔴 <b>逾期整改措施 {n} 条</b>（第{page}/{pages}页）",
    "overdue_late": "逾期{n}个工作日",
    "digest_head": "📋 <b>整改调度周报</b>（{today}）",
    "digest_total": "措施{total}条，已完成{done}条，完成率{rate}%",
    "digest_unit": "<b>{unit}</b>：新增{new} 推进落实{open} 已办结销号{signed} 待销号{submitted} 长期坚持{ongoing}",
    "digest_late": " 逾期：{items}",
    "digest_late_item": "{mid}(逾期{n}个工作日)",
    # -- statuses, colours and deadline kinds (one mapping for every view)
    "status.open": "推进中",
    "status.submitted": "待销号",
    "status.done": "已销号",
    "colour.red": "🔴 逾期",
    "colour.yellow": "🟡 临期",
    "colour.green": "🟢 推进中",
    "colour.submitted": "📥 待销号",
    "colour.": "⚪ 长期/周期性",
    "chart.done": "已销号",
    "chart.submitted": "待销号",
    "chart.red": "逾期",
    "chart.yellow": "临期",
    "chart.green": "推进中",
    "chart.": "长期/无时限",
    "chart_title": "各单位整改进度（{today}）：{n}条措施，已销号{done}条",
    "chart_xlabel": "措施数",
    "recur.daily": "每日",
    "recur.weekly": "每周",
    "recur.monthly": "每月",
    "recur.quarterly": "每季度",
    "recur.half-yearly": "每半年",
    "recur.yearly": "每年",
    "recur.unspecified": "定期",
    "kind.ongoing": "长期坚持",
    # -- keyboards
    "btn.d": "✅ 已完成",
    "btn.x": "⏳ 申请延期",
    "btn.n": "📝 进展",
    "btn.s": "✅ 销号",
    "btn.b": "↩ 退回",
    "btn.ea": "✅ 同意",
    "btn.er": "✖ 不同意",
    "btn.prev": "◀ 上一页",
    "btn.next": "下一页 ▶",
}

_EN: dict[str, str] = {
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
    "bound_notice": "🔗 {who} ({uid}) is now bound to {unit}",
    "whoami": "Your Telegram id: {uid}\nUnits: {units}{admin}",
    "admin_mark": "\nRole: admin",
    "none": "none",
    "lang_set": "Language set to English.",
    "lang_usage": "Usage: /lang zh or /lang en",
    "unknown_command": "Unknown command; see /help.",
    "stale_button": "This button is no longer valid.",
    "ask_evidence": "Send a note, photo or file as evidence for {mid} (or “cancel”).",
    "ask_date": "Send the new due date for {mid} (e.g. 2024-06-30), optionally followed by the reason.",
    "ask_reason": "New date {date}. Send the reason for the extension.",
    "ask_note": "Send the progress on {mid}.",
    "ask_sendback": "Send the reason for sending {mid} back (the unit will see it).",
    "cancelled": "Cancelled.",
    "empty_answer": "Please send some text.",
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
    "usage_invite": "Usage: /invite UNIT [multi], e.g. /invite 区教育局",
    "usage_bind": "Usage: send /bind UNIT in the unit's group",
    "usage_due": "Usage: /due DAYS, e.g. /due 14",
    "usage_find": "Usage: /find WORD",
    "usage_reopen": "Usage: /reopen MEASURE reason",
    "no_open": "{units}: no open measures.",
    "also_waiting": "{n} more submitted, awaiting sign-off.",
    "mine_head": "<b>{units}</b>: {n} open",
    "reply_hint": "If done, reply starting with “done” plus a note or photo; use the buttons for the rest.",
    "unknown": "I did not understand that. Send /help.",
    "error": "Sorry, something went wrong. Please try again later.",
    "signoff_request": "📥 <b>Sign-off</b> · {mid} ({unit})\n{text}\nUnit's note: {note}",
    "ext_request": "⏳ <b>Extension</b> · {mid} ({unit})\n{text}\nNow: {old} → asked: {new}\nReason: {reason}",
    "signed_off": "✅ {mid} signed off.",
    "sent_back": "↩ {mid} was sent back: {reason}\nPlease complete and submit again.",
    "ext_approved": "✅ Extension of {mid} approved: new date {date}.",
    "ext_rejected": "✖ Extension of {mid} rejected; the date stays {date}.",
    "decided_by": " ({who})",
    "reopened": "↺ {mid} reopened: {reason}",
    "already": "Already handled by another admin: {state}",
    "blocked_admin": "⚠️ {who} ({unit}) blocked the bot; reminders to them have stopped.",
    "invite_link": "Invite link for {unit} (valid {days} days, {use}):\n{link}",
    "invite_multi": "several people",
    "invite_single": "one person",
    "pending_none": "Nothing awaits sign-off or approval.",
    "pending_head": "<b>{n} waiting</b> (oldest first)",
    "pending_signoff": "sign-off",
    "pending_extension": "extension to {date}",
    "due_head": "<b>{n} due within {days} days</b>",
    "find_head": "<b>{n} measures mention “{word}”</b>",
    "stats_head": "<b>Progress</b> ({today})",
    "stats_units_head": "Unit: done/total (rate) open submitted overdue standing",
    "stats_unit": (
        "{unit}: {done}/{total} ({rate}%) open {open} submitted {submitted} overdue {overdue} standing {ongoing}"
    ),
    "chart_caption": "Progress by unit",
    "export_caption": "Ledger ({n} measures)",
    "export_file": "ledger-{date}.xlsx",
    "import_done": "✅ Imported: {summary}",
    "import_type": "Unsupported file type {ext}; send an .xlsx, .csv or .toml ledger.",
    "import_too_big": "The file is too large (over 20 MB).",
    "members_head": "<b>{bound}/{total} units with open measures have someone bound</b>",
    "members_bound": "✅ {unit}: {names}",
    "members_missing": "⚪ {unit}: nobody bound yet (reminders go to the office)",
    "members_leader": "👤 {name} (lead official): {names}",
    "progress_line": "{submitted} awaiting sign-off, {overdue} overdue, {ongoing} standing/recurring",
    "headline": "{problems_done} of {problems} problems done; {done} of {measures} measures done, {rate}%",
    "headline_report": "(report: {problems_done} of {problems} problems; {done} of {measures} measures)",
    "check_held": "{now} is outside the sending window (working days {send_at}–{end}): nothing is sent now.",
    "check_held_until": "What is owed goes out at {at} (each once).",
    "period_due": "this period {label} due {due}",
    "period_late": "period {label} not reported",
    "periods_sep": "; ",
    "bundle_head": "📋 <b>Reminders</b>: {n} items, most urgent first",
    "bundle_foot": "Tap an id below to open the measure: ✅ done / ⏳ extension / 📝 progress.",
    "bundle_bound": "{n} chat(s) bound",
    "bundle_unbound": "⚠ nobody bound",
    "bundle_no_progress": "<b>📝 No progress reported</b> (period request unanswered)",
    "office_bundle_head": "📋 <b>Office summary</b> ({today}): {n} items",
    "progress_request_head": (
        "📝 <b>Progress update requested</b> ({period})\n"
        "{unit}: {n} measures without a deadline; please report progress this period:"
    ),
    "progress_request_foot": "Tap “📝 id” below or send /note ID progress; a note this period counts as reported.",
    "no_progress_unit": "{unit}: {n} not reported ({ids})",
    "btn.progress": "📝 {mid}",
    "check_chats_head": "— per chat —",
    "check_chat": "{chat} ({who}): {n} reminders, one message each ({ids})",
    "check_chat_bundle": "{chat} ({who}): {n} reminders in 1 bundle ({ids})",
    "check_chat_office": "{chat} (office): 1 bundle, {n} items ({ids})",
    "check_chat_progress": "; 1 progress request ({n} measures)",
    "check_chat_no_progress": "; no progress reported: {units}",
    "tier.green": "Reminder",
    "tier.yellow": "Due soon",
    "tier.due": "Due today",
    "tier.due_early": "Due soon",
    "tier.overdue": "Overdue",
    "tier.escalation": "Escalation",
    "tier.signoff": "Awaiting sign-off too long",
    "unbound": "(no one in this unit is bound yet: please pass on or invite)",
    "label.unit": "Unit",
    "label.co_units": "with",
    "label.deadline": "Deadline",
    "label.evidence": "Evidence",
    "label.files": "{n} file(s)",
    "label.extension": "Extension asked: {date} ({reason}), awaiting approval",
    "office_copy": "(copy to the office{late})",
    "office_copy_late": ", {n} working day(s) late",
    "reply_done_hint": "When done, press ✅ or reply to this message “done” with a note or photo.",
    "left.today": "due today",
    "left.workdays": "{n} working day(s) left",
    "left.no_workday": "due in {days} day(s)",
    "left.late": "{n} working day(s) late",
    "overdue_none": "Nothing is overdue.",
    "overdue_head": "🔴 <b>{n} overdue</b>",
    "overdue_head_page": "🔴 <b>{n} overdue</b> (page {page}/{pages})",
    "overdue_late": "{n} wd late",
    "digest_head": "📋 <b>Weekly dispatch digest</b> ({today})",
    "digest_total": "{total} measures, {done} done, {rate}%",
    "digest_unit": "<b>{unit}</b>: new {new} open {open} signed off {signed} submitted {submitted} standing {ongoing}",
    "digest_late": " overdue: {items}",
    "digest_late_item": "{mid}({n} wd late)",
    "status.open": "open",
    "status.submitted": "awaiting sign-off",
    "status.done": "signed off",
    "colour.red": "🔴 Overdue",
    "colour.yellow": "🟡 Due soon",
    "colour.green": "🟢 In progress",
    "colour.submitted": "📥 Awaiting sign-off",
    "colour.": "⚪ Standing/recurring",
    "chart.done": "signed off",
    "chart.submitted": "awaiting sign-off",
    "chart.red": "overdue",
    "chart.yellow": "due soon",
    "chart.green": "in progress",
    "chart.": "standing/undated",
    "chart_title": "Progress by unit ({today}): {n} measures, {done} signed off",
    "chart_xlabel": "measures",
    "recur.daily": "daily",
    "recur.weekly": "weekly",
    "recur.monthly": "monthly",
    "recur.quarterly": "quarterly",
    "recur.half-yearly": "half-yearly",
    "recur.yearly": "yearly",
    "recur.unspecified": "regularly",
    "kind.ongoing": "standing duty",
    "btn.d": "✅ Done",
    "btn.x": "⏳ Extension",
    "btn.n": "📝 Progress",
    "btn.s": "✅ Sign off",
    "btn.b": "↩ Send back",
    "btn.ea": "✅ Approve",
    "btn.er": "✖ Reject",
    "btn.prev": "◀ Prev",
    "btn.next": "Next ▶",
}

TEXTS: dict[str, dict[str, str]] = {"zh": _ZH, "en": _EN}


def t(lang: str, key: str, **values: object) -> str:
    """The text `key` in `lang`, every value escaped for Telegram HTML."""
    table = TEXTS.get(lang, _ZH)
    template = table.get(key) or _ZH[key]
    return template.format(**{k: escape(str(v), quote=False) for k, v in values.items()})


def fill(lang: str, key: str, **html: str) -> str:
    """The text `key` with values that are already safe Telegram HTML (built by `t`)."""
    table = TEXTS.get(lang, _ZH)
    return (table.get(key) or _ZH[key]).format(**html)


def plain(lang: str, key: str) -> str:
    """A fixed label (no values), e.g. a status or a button."""
    return TEXTS.get(lang, _ZH).get(key) or _ZH[key]


def status_label(status: str, lang: str = "zh") -> str:
    return plain(lang, f"status.{status}")
