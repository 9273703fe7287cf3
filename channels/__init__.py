"""Channels beside Telegram: group robots (WeCom 企业微信, DingTalk 钉钉, Feishu 飞书) and e-mail.

One-way: they deliver reminders, bundles, progress requests and the digest, with a link to the
measure's web page when `[web] base_url` is set; acting on a measure happens there (or in
Telegram). The planner does not know they exist: a bound address is a recipient id like
`"wecom:3"` in the same `Directory`, so the sent-log, catch-up and bundling rules are Telegram's.
This layer may import `ledger` and `store`; `bot/delivery.py` reaches it through `Services.channels`.
"""
