"""`make demo`: the real bot against the built-in Bot API emulator, offline, on the shipped ledger.

The story, at a moment where every reminder tier occurs (default 2024-12-13 09:00, a Friday):
units are invited and bind, the morning sweep sends its reminders, 区教育局 replies 完成 with a
photo to one and reports another done, 区环境集团 asks for an extension, the office signs one
off, sends one back, approves the extension (a second sweep then reminds on the new date), and
asks /overdue and /stats. Every message is printed in order; the chart and the XLSX export are
written to `demo-output/`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections.abc import Callable

from bot.services import Services, Settings
from bot.sweeping import sweep
from devtools.emulator import Emulator, Sent, VirtualClock
from devtools.serve import serve_on_emulator
from ledger.messages import plain_text
from ledger.policy import Policy
from store import Repository

ADMIN = 9001
PEOPLE = {ADMIN: "整改办·陈主任", 501: "区教育局·王老师", 502: "区环境集团·李工", 503: "区商务局·赵科长"}
UNITS = {501: "区教育局", 502: "区环境集团", 503: "区商务局"}


def render_transcript(log: list[Sent], names: dict[int, str]) -> list[str]:
    """Who said what to whom, in order."""
    out = []
    for m in log:
        if m.sender == "bot":
            who = f"🤖 督办 → {names.get(m.chat_id, m.chat_id)}"
        else:
            who = f"👤 {names.get(int(m.sender.split(':')[1]), m.sender)} → 🤖"
        body = plain_text(m.text)
        if m.kind != "text":
            body = f"[{'照片' if m.kind == 'photo' else '文件'} {m.file_name}] " + body
        if m.buttons:
            body += "\n   " + "  ".join(f"[{label}]" for label, _ in m.buttons)
        indented = body.replace("\n", "\n   ")
        out.append(f"{who}\n   {indented}")
    return out


async def run_demo(
    repo: Repository, at: dt.datetime, policy: Policy, out_dir: str, echo: Callable[[str], None] = print
) -> dict[str, int]:
    emu = Emulator(names={k: v.split("·")[-1] for k, v in PEOPLE.items()})
    clock = VirtualClock(at)
    s = Services(
        repo=repo, policy=policy, clock=clock, settings=Settings(admins=frozenset({ADMIN}), require_approval=True)
    )
    async with serve_on_emulator(s, emu, clock.sleep, clock.monotonic, job_queue=False):
        return await _play(s, emu, clock, at, policy, out_dir, echo)


async def _play(
    s: Services,
    emu: Emulator,
    clock: VirtualClock,
    at: dt.datetime,
    policy: Policy,
    out_dir: str,
    echo: Callable[[str], None],
) -> dict[str, int]:
    repo = s.repo
    shown = 0

    def show(title: str) -> None:
        nonlocal shown
        echo(f"\n——— {title} ———")
        for line in render_transcript(emu.log[shown:], PEOPLE):
            echo(line)
        shown = len(emu.log)

    async def say(user: int, text: str = "", **kw) -> Sent:  # type: ignore[no-untyped-def]
        before = max((m.message_id for m in emu.transcripts.get(user, [])), default=0)
        emu.user_sends(user, text, **kw)
        return await emu.reply_in(user, after=before)

    async def press(user: int, message: Sent, data: str) -> None:
        before = max((m.message_id for m in emu.transcripts.get(message.chat_id, [])), default=0)
        emu.press(user, message, data)
        await emu.reply_in(message.chat_id, after=before)

    def find(chat: int, *needles: str) -> Sent:
        return next(m for m in reversed(emu.bot_messages(chat)) if all(n in m.text for n in needles))

    echo(f"督办 Duban 演示：{at:%Y-%m-%d %H:%M}（{at.tzinfo}），台账：{repo.report().title}")
    for user, unit in UNITS.items():
        link = await say(ADMIN, f"/invite {unit}")
        if "start=" not in link.text:
            raise RuntimeError(f"invite failed: {link.text}")
        code = link.text.rsplit("start=", 1)[1].strip()
        bound = await say(user, f"/start {code}")
        await emu.reply_in(user, after=bound.message_id)  # the unit's summary, sent right after binding
    show("1. 整改办邀请责任单位，联系人打开链接完成绑定")

    report = await sweep(s)
    show(f"2. 早上 {policy.send_at:%H:%M} 的例行扫描：发出 {report.sent} 条提醒（绿/黄/到期/逾期/督办）")

    r = find(501, "P24-4")
    await say(501, "完成 课桌椅已全部更换，附验收单", reply_to=r.message_id, photo=True)
    r = find(501, "P30-2")
    await press(501, r, "d:P30-2")
    await say(501, "南理工实小改扩建工程已竣工交付，附竣工验收备案表")
    show("3. 区教育局回复“完成”并附照片；另一条措施点“✅ 已完成”后提交说明")

    r = find(502, "P22-1")
    await press(502, r, "x:P22-1")
    await say(502, "12月20日")
    await say(502, "苗木供应延迟，12月20日前完成补植")
    show("4. 区环境集团申请延期")

    await press(ADMIN, find(ADMIN, "待销号", "P30-2"), "s:P30-2")
    await press(ADMIN, find(ADMIN, "待销号", "P24-4"), "b:P24-4")
    await say(ADMIN, "照片看不清验收单，请补充验收单扫描件")
    await press(ADMIN, find(ADMIN, "延期申请", "P22-1"), "ea:P22-1")
    show("5. 整改办销号一条、退回一条（附理由）、同意延期")

    clock.now = at + dt.timedelta(minutes=5)
    report2 = await sweep(s)
    show(f"6. 再次扫描：延期后的新时限重新开始提醒（{report2.sent} 条）")

    await say(ADMIN, "/overdue")
    before = len(emu.log)
    emu.user_sends(ADMIN, "/stats")
    await emu.wait_for(lambda: any(m.kind == "photo" for m in emu.log[before:]), timeout=60)
    emu.user_sends(ADMIN, "/export")
    await emu.wait_for(lambda: any(m.kind == "document" for m in emu.log[before:]), timeout=60)
    show("7. 整改办查询逾期、进度（含图表）并导出台账")

    os.makedirs(out_dir, exist_ok=True)
    from devtools.webshot import board_screenshot

    why = await board_screenshot(s, ADMIN, os.path.join(out_dir, "board.png"))
    show(f"8. 网页看板截图{'：' + why + '，跳过' if why else ' → ' + out_dir + '/board.png'}")
    files = {}
    for m in emu.log:
        if m.sender == "bot" and m.kind in ("photo", "document") and m.file_bytes:
            name = "progress.png" if m.kind == "photo" else "ledger.xlsx"
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(m.file_bytes)
            files[name] = len(m.file_bytes)
    with open(os.path.join(out_dir, "transcript.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(render_transcript(emu.log, PEOPLE)) + "\n")
    measures = repo.measures()
    summary = {
        "messages": len(emu.log),
        "reminders": report.sent + report2.sent,
        "submitted": sum(m.status == "submitted" for m in measures),
        "done": sum(m.status == "done" for m in measures),
        "files": len(files),
        "telegram_errors": len(emu.errors),
    }
    echo("\n——— 小结 ———")
    echo(
        f"消息 {summary['messages']} 条，其中提醒 {summary['reminders']} 条；待销号 {summary['submitted']} 条，"
        f"已销号 {summary['done']} 条；输出文件："
        + "、".join(f"{out_dir}/{n}（{size // 1024} KB）" for n, size in files.items())
    )
    if emu.errors:
        echo("Telegram 拒绝的请求：" + "; ".join(emu.errors))
    return summary


def demo(repo: Repository, at: dt.datetime, policy: Policy, out_dir: str) -> dict[str, int]:
    return asyncio.run(run_demo(repo, at, policy, out_dir))


def play(here: str, seed: str, at: dt.datetime, policy: Policy, out: str) -> int:
    """`run_bot.py demo`: a fresh store (var/demo.json), the seed ledger, the demo; 0 when it went as it should."""
    from ledger.service import import_file

    repo = fresh_store(os.path.join(here, "var", "demo.json"))
    try:
        import_file(repo, os.path.join(here, seed), at, "demo")
        summary = demo(repo, at, policy, os.path.join(here, out))
    finally:
        repo.close()
    return 0 if summary["files"] == 2 and not summary["telegram_errors"] else 1


def fresh_store(path: str) -> Repository:
    """An empty store at `path`, replacing the previous demo's."""
    for p in (path, path + ".lock"):
        if os.path.exists(p):
            os.unlink(p)
    return Repository.open(path)
