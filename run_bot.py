#!/usr/bin/env python3
"""Duban (督办): the rectification deadline bot. Command-line entry point.

The one place that reads config.toml and the environment, and wires the store,
the bot and the jobs together. Exit codes: 0 ok, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import signal
import sys
import tomllib
from collections.abc import Iterator, Sequence
from typing import Any

from ledger.errors import DubanError
from ledger.ledgerwrite import export_rows, write_csv, write_toml, write_xlsx
from ledger.service import import_file
from ledger.tiers import colour
from ledger.views import headline, ledger_lines, measure_json, progress

HERE = os.path.dirname(os.path.abspath(__file__))


class UsageError(DubanError):
    """Bad command-line input."""


def load_config(path: str) -> dict[str, Any]:
    if not os.path.exists(path):
        raise UsageError(f"找不到配置文件 {path}。Config file not found.")
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"配置文件 {path} 格式错误：{e}") from None


def store_path(cfg: dict[str, Any], cfg_path: str) -> str:
    path = str(cfg.get("store", {}).get("path", "var/duban.json"))
    return path if os.path.isabs(path) else os.path.join(os.path.dirname(os.path.abspath(cfg_path)), path)


def open_repo(cfg: dict[str, Any], cfg_path: str):  # type: ignore[no-untyped-def]
    from store import Repository

    return Repository.open(store_path(cfg, cfg_path))


def parse_at(text: str | None) -> dt.datetime:
    if not text:
        return dt.datetime.now()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"无法识别的时间 {text!r}，请用 2024-03-25 或 2024-03-25T09:00。") from None


# -- commands -------------------------------------------------------------------
def cmd_import(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    repo = open_repo(cfg, args.config)
    try:
        now = parse_at(args.at)
        plan = import_file(repo, args.file, now, "cli:import", dry_run=args.dry_run)
        print(("（试运行，未写入）" if args.dry_run else "") + plan.summary())
        return 0
    finally:
        repo.close()


def cmd_export(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    repo = open_repo(cfg, args.config)
    try:
        today = parse_at(args.at).date()
        measures, problems = repo.measures(), repo.problems()
        ext = os.path.splitext(args.file)[1].lower()
        tiers = {m.id: colour(m, today) for m in measures}
        if ext == ".toml":
            data = write_toml(repo.report(), problems, measures, repo.units()).encode("utf-8")
        elif ext in (".csv", ".xlsx"):
            from ledger.ledgerwrite import TIER_LABELS

            rows = export_rows(problems, measures, {k: TIER_LABELS[v] for k, v in tiers.items()})
            if ext == ".csv":
                data = write_csv(rows)
            else:
                overdue = [rows[0]] + [r for r, m in zip(rows[1:], measures) if tiers[m.id] == "red"]
                data = write_xlsx(rows, [tiers[m.id] for m in measures], overdue)
        else:
            raise UsageError(f"不支持导出为 {ext or '(无扩展名)'}，请用 .toml、.csv 或 .xlsx。")
        tmp = args.file + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, args.file)
        print(f"已导出 {len(measures)} 条措施到 {args.file}")
        return 0
    finally:
        repo.close()


def cmd_list(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    repo = open_repo(cfg, args.config)
    try:
        today = parse_at(args.at).date()
        measures = repo.measures()
        if args.unit:
            measures = [m for m in measures if m.unit == args.unit or args.unit in m.co_units]
        if args.status:
            if args.status not in ("open", "submitted", "done"):
                raise UsageError("--status 只能是 open、submitted 或 done。")
            measures = [m for m in measures if m.status == args.status]
        if args.json:
            for m in measures:
                print(measure_json(m))
            return 0
        for line in ledger_lines(repo.problems(), measures, today):
            print(line)
        print(headline(progress(measures, today), repo.report()))
        return 0
    finally:
        repo.close()


def settings_of(cfg: dict[str, Any]):  # type: ignore[no-untyped-def]
    from bot.services import Settings

    b = cfg.get("bot", {})
    try:
        admins = frozenset(int(x) for x in b.get("admins", []))
        lang = str(b.get("language", "zh"))
        if lang not in ("zh", "en"):
            raise ValueError("language")
        return Settings(
            admins=admins,
            admin_chat=int(b.get("admin_chat", 0)),
            require_approval=bool(b.get("require_approval", True)),
            language=lang,
            invite_days=int(b.get("invite_days", 7)),
        )
    except (TypeError, ValueError) as e:
        raise UsageError(f"[bot] 配置有误（{e}）：admins 为用户 ID 列表，language 为 zh 或 en。") from None


def fresh_seeded_store(path: str, seed: str, now: dt.datetime):  # type: ignore[no-untyped-def]
    from store import Repository

    for p in (path, path + ".lock"):
        if os.path.exists(p):
            os.unlink(p)
    repo = Repository.open(path)
    import_file(repo, seed, now, "demo")
    return repo


def cmd_demo(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """The real bot against the built-in Bot API emulator, on a fresh store with the shipped ledger."""
    from bot.demo import demo

    policy = policy_of(cfg)
    at = local_now(args.at, policy)
    seed = os.path.join(HERE, str(cfg.get("ledger", {}).get("seed", "data/xuanwu-2024.toml")))
    repo = fresh_seeded_store(os.path.join(HERE, "var", "demo.json"), seed, at)
    try:
        summary = demo(repo, at, policy, os.path.join(HERE, args.out))
    finally:
        repo.close()
    return 0 if summary["files"] == 2 and not summary["telegram_errors"] else 1


def cmd_run(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Run the bot: polling (default) or webhook, with the daily sweep, catch-up and digest."""
    import logging

    tg = cfg.get("telegram", {})
    token = os.environ.get("TELEGRAM_BOT_TOKEN") or str(tg.get("token", ""))
    if not token:
        raise UsageError(
            "没有设置机器人令牌。请在 Telegram 中向 @BotFather 发送 /newbot 获取令牌，然后\n"
            "  export TELEGRAM_BOT_TOKEN=123456:ABC...\n"
            "再运行 run_bot.py run。不需要令牌即可体验：make demo\n"
            "No bot token: get one from @BotFather (/newbot), set TELEGRAM_BOT_TOKEN, "
            "or try `make demo` without one."
        )
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines would print the token
    from bot.app import build_application
    from bot.services import Services
    from jobs.schedule import schedule_jobs

    policy, settings = policy_of(cfg), settings_of(cfg)
    repo = open_repo(cfg, args.config)
    try:
        if not repo.measures():
            seed = os.path.join(HERE, str(cfg.get("ledger", {}).get("seed", "data/xuanwu-2024.toml")))
            now = dt.datetime.now(policy.tz)
            import_file(repo, seed, now, "run:seed")
        services = Services(repo=repo, policy=policy, settings=settings, clock=lambda: dt.datetime.now(policy.tz))
        app = build_application(services, token, tg.get("base_url") or None, tg.get("base_file_url") or None)
        schedule_jobs(app, services)
        if tg.get("mode", "polling") == "webhook":
            if not tg.get("webhook_url"):
                raise UsageError('[telegram] mode = "webhook" 需要 webhook_url。')
            app.run_webhook(
                listen=str(tg.get("webhook_listen", "127.0.0.1")),
                port=int(tg.get("webhook_port", 8443)),
                url_path="telegram",
                webhook_url=str(tg["webhook_url"]),
            )
        else:
            app.run_polling(allowed_updates=["message", "callback_query"])
        return 0
    finally:
        repo.close()


def cmd_invite(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Create an invite code for a unit; prints the deep link when the bot's name is known."""
    from ledger.actions import Actor, create_invite

    policy, settings = policy_of(cfg), settings_of(cfg)
    repo = open_repo(cfg, args.config)
    try:
        inv = create_invite(
            repo,
            Actor(user_id=0, chat_id=0, is_admin=True, name="cli"),
            args.unit,
            dt.datetime.now(policy.tz),
            settings.invite_days,
            args.multi,
        )
    finally:
        repo.close()
    name = str(cfg.get("telegram", {}).get("username", "")) or "<bot>"
    print(f"{inv['unit']}: https://t.me/{name}?start={inv['code']}  （{settings.invite_days}天内有效）")
    return 0


def policy_of(cfg: dict[str, Any]):  # type: ignore[no-untyped-def]
    from ledger.policy import Policy

    return Policy.from_config(cfg.get("schedule", {}))


def local_now(at: str | None, policy) -> dt.datetime:  # type: ignore[no-untyped-def]
    """`--at` is local time in the configured timezone; without it, now."""
    if not at:
        return dt.datetime.now(policy.tz)
    t = parse_at(at)
    return t.replace(tzinfo=policy.tz) if t.tzinfo is None else t


@contextlib.contextmanager
def session(args: argparse.Namespace, cfg: dict[str, Any]) -> Iterator[tuple[Any, Any, dt.datetime]]:
    """The store, the policy and the moment (`--at`, local time) for one command."""
    policy = policy_of(cfg)
    now = local_now(getattr(args, "at", None), policy)
    repo = open_repo(cfg, args.config)
    try:
        yield repo, policy, now
    finally:
        repo.close()


def cmd_check(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """Print what a sweep at --at would send; sends and records nothing."""
    import json

    from ledger.messages import render_reminder
    from ledger.planner import plan
    from ledger.service import build_directory

    with session(args, cfg) as (repo, policy, now):
        bot = cfg.get("bot", {})
        directory = build_directory(repo.members(), list(bot.get("admins", [])), int(bot.get("admin_chat", 0)))
        measures = {m.id: m for m in repo.measures()}
        reminders = plan(measures.values(), repo.sent_keys(), now, policy, directory, repo.report().date)
        for r in reminders:
            if args.json:
                print(
                    json.dumps(
                        {
                            "measure": r.measure_id,
                            "tier": r.tier,
                            "unit": r.unit,
                            "due": r.due.isoformat(),
                            "recipients": list(r.recipients),
                            "occurrence": r.occurrence,
                            "key": r.key,
                            "reason": r.reason,
                            "days": r.days,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                print(render_reminder(r, measures[r.measure_id], now.date()))
                print("   → " + (", ".join(map(str, r.recipients)) or "(无人可发送：单位未绑定)") + "\n")
        if not args.json:
            print(f"共 {len(reminders)} 条提醒（{now:%Y-%m-%d %H:%M %Z}）")
        return 0


def cmd_overdue(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    import json

    from ledger.messages import overdue_items, render_overdue

    with session(args, cfg) as (repo, _, now):
        today = now.date()
        items = overdue_items(repo.measures(), today)
        if args.json:
            for m, late in items:
                print(
                    json.dumps(
                        {
                            "measure": m.id,
                            "unit": m.unit,
                            "due": m.due.isoformat() if m.due else None,
                            "workdays_late": late,
                            "days_late": (today - m.due).days if m.due else None,
                            "status": m.status,
                        },
                        ensure_ascii=False,
                    )
                )
        else:
            for line in render_overdue(items):
                print(strip_html(line))
        return 0


def cmd_stats(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    import json

    from ledger.messages import render_progress

    with session(args, cfg) as (repo, _, now):
        today = now.date()
        measures = repo.measures()
        p = progress(measures, today)
        units = sorted({m.unit for m in measures})
        per_unit = {u: progress([m for m in measures if m.unit == u], today) for u in units}
        if args.json:

            def row(x):  # type: ignore[no-untyped-def]
                return {
                    "problems": x.problems_total,
                    "problems_done": x.problems_done,
                    "measures": x.measures_total,
                    "done": x.measures_done,
                    "submitted": x.submitted,
                    "overdue": x.overdue,
                    "ongoing": x.ongoing,
                    "rate": round(x.rate, 1),
                }

            print(
                json.dumps(
                    {
                        "overall": row(p),
                        "report": repo.report().to_dict(),
                        "units": {u: row(x) for u, x in per_unit.items()},
                    },
                    ensure_ascii=False,
                )
            )
            return 0
        print(headline(p, repo.report()))
        print(render_progress(p))  # submitted, overdue, standing
        for u, x in per_unit.items():
            print(
                f"  {u}: {x.measures_done}/{x.measures_total} 完成率{x.rate:.0f}% 逾期{x.overdue} 待销号{x.submitted}"
            )
        return 0


def strip_html(text: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def cmd_extract(args: argparse.Namespace, cfg: dict[str, Any]) -> int:
    """A published report (txt, docx, html) → a draft ledger to check, then `import`."""
    from ledger.extract import draft_json, draft_rows, draft_summary, extract_text
    from ledger.ledgerwrite import write_xlsx
    from ledger.report_text import read_report

    text = read_report(args.report)
    draft = extract_text(text, os.path.basename(args.report), default_ref=dt.date.today())
    if args.json:
        for line in draft_json(draft):
            print(line)
    if args.out:
        rows = [[str(c) for c in r] for r in draft_rows(draft)]
        with open(args.out, "wb") as f:
            f.write(write_xlsx(rows, ["done" if m.status == "done" else "" for m in draft.measures]))
    out = sys.stderr if args.json else sys.stdout
    for line in draft_summary(draft):
        print(line, file=out)
    if args.out:
        print(f"草稿台账已写入 {args.out}；核对后用 run_bot.py import {args.out} 导入。", file=out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run_bot.py", description="Duban 督办: rectification deadline bot")
    p.add_argument("--config", default=os.path.join(HERE, "config.toml"), help="config file (default config.toml)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("import", help="import a ledger file (.toml, .csv, .xlsx)")
    s.add_argument("file")
    s.add_argument("--dry-run", action="store_true", help="only report what would change")
    s.add_argument("--at", help="the moment of the import (default now)")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export", help="export the ledger (.toml, .csv, .xlsx)")
    s.add_argument("file")
    s.add_argument("--at", help="colour the ledger as of this date (default now)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("list", help="list measures")
    s.add_argument("--unit")
    s.add_argument("--status")
    s.add_argument("--json", action="store_true", help="one JSON object per measure per line")
    s.add_argument("--at", help="colour the ledger as of this date (default now)")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("demo", help="the real bot on the shipped ledger against a local emulator, offline")
    s.add_argument("--at", default="2024-12-13T09:00", help="the moment to play (local time)")
    s.add_argument("--out", default="demo-output", help="folder for the chart, the export and the transcript")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("run", help="run the bot (token from TELEGRAM_BOT_TOKEN)")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("invite", help="create an invite link for a unit")
    s.add_argument("unit")
    s.add_argument("--multi", action="store_true", help="usable by several people")
    s.set_defaults(func=cmd_invite)

    s = sub.add_parser("check", help="print what a sweep at --at would send (sends nothing)")
    s.add_argument("--at", help="local time, e.g. 2024-03-25T09:00 (default now)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("overdue", help="overdue measures with working days late")
    s.add_argument("--at")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_overdue)

    s = sub.add_parser("stats", help="progress figures, overall and per unit")
    s.add_argument("--at")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("extract", help="draft a ledger from a published report (.txt, .docx, .html)")
    s.add_argument("report")
    s.add_argument("--out", help="write the draft ledger as XLSX")
    s.add_argument("--json", action="store_true", help="one JSON object per measure, then the report metadata")
    s.set_defaults(func=cmd_extract)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `run_bot.py list | head` ends quietly
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        cfg = load_config(args.config)
        return int(args.func(args, cfg))
    except DubanError as e:
        print(f"错误 error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
