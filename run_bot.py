#!/usr/bin/env python3
"""Duban (督办): the rectification deadline bot. Command-line entry point.

The one place that reads config.toml and the environment, and wires the store, the bot and
the jobs together; what each command computes lives in `ledger.reports` and `ledger.service`.
Exit codes: 0 ok, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import pathlib
import signal
import sys
import tomllib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ledger import reports
from ledger.config import check_config, unit_aliases
from ledger.errors import DubanError, NoBotToken
from ledger.policy import Policy
from ledger.progress import Rendered
from ledger.service import import_file

if TYPE_CHECKING:
    from store import Repository

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_LEDGER = "data/xuanwu-2024.toml"  # the shipped Xuanwu ledger the demo plays on
Config = dict[str, Any]
READ_ONLY = ("list", "overdue", "stats", "check", "export", "review")  # run beside the bot, from a snapshot


def load_config(path: str) -> Config:
    """config.toml, with every unknown section or key refused naming the nearest known one."""
    if not os.path.exists(path):
        raise DubanError(f"找不到配置文件 {path}。Config file not found.")
    try:
        with open(path, "rb") as f:
            cfg = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise DubanError(f"配置文件 {path} 格式错误：{e}") from None
    check_config(cfg, path)
    return cfg


def store_path(cfg: Config, cfg_path: str) -> str:
    path = str(cfg.get("store", {}).get("path", "var/duban.json"))
    return path if os.path.isabs(path) else os.path.join(os.path.dirname(os.path.abspath(cfg_path)), path)


def local_now(at: str | None, policy: Policy) -> dt.datetime:
    """`--at` is local time in the configured timezone; without it, now. The one clock read."""
    if not at:
        return dt.datetime.now(policy.tz)
    try:
        t = dt.datetime.fromisoformat(at)
    except ValueError:
        raise DubanError(f"无法识别的时间 {at!r}，请用 2024-03-25 或 2024-03-25T09:00。") from None
    return t.replace(tzinfo=policy.tz) if t.tzinfo is None else t


@contextlib.contextmanager
def session(args: argparse.Namespace, cfg: Config) -> Iterator[tuple[Repository, Policy, dt.datetime]]:
    """The store, the policy and the moment (`--at`, local time) for one command."""
    from store import Repository

    policy = Policy.from_config(cfg.get("schedule", {}))
    use_holiday_file(cfg, args.config)
    now = local_now(getattr(args, "at", None), policy)
    opener = Repository.open_or_snapshot if args.command in READ_ONLY else Repository.open
    repo = opener(store_path(cfg, args.config))  # beside a running bot, read commands read a snapshot
    try:
        yield repo, policy, now
    finally:
        repo.close()


def use_holiday_file(cfg: Config, cfg_path: str) -> list[int]:
    """Install `[calendar] file` (years the holiday package does not know yet); the years it adds."""
    from ledger.calendar_cn import install_holidays
    from ledger.holidays import parse_holidays

    name = str(cfg.get("calendar", {}).get("file", ""))
    if not name:
        return []
    path = name if os.path.isabs(name) else os.path.join(os.path.dirname(os.path.abspath(cfg_path)), name)
    try:
        with open(path, "rb") as f:
            years = parse_holidays(tomllib.load(f), name)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DubanError(f"[calendar] file {name}：无法读取（{e}）。") from None
    install_holidays(years)
    return sorted(years)


def cmd_calendar(args: argparse.Namespace, cfg: Config) -> int:
    """Which years' holidays are known, and whether the reminders' horizon is covered."""
    policy = Policy.from_config(cfg.get("schedule", {}))
    from_file = use_holiday_file(cfg, args.config)
    lines, covered = reports.calendar_lines(local_now(args.at, policy).date(), policy.lead_days, from_file)
    print("\n".join(lines))
    return 0 if covered else 1


def write_file(path: str, data: bytes) -> None:
    pathlib.Path(path + ".tmp").write_bytes(data)
    os.replace(path + ".tmp", path)  # a reader never sees half a file


def emit(rows: Sequence[object]) -> None:
    sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def cmd_import(args: argparse.Namespace, cfg: Config) -> int:
    with session(args, cfg) as (repo, _, now):
        flags = {k: getattr(args, k) for k in ("dry_run", "match", "accept_changes", "sheet", "strict_units")}
        flags["progress"] = Rendered(sys.stderr.write, tty=sys.stderr.isatty(), flush=sys.stderr.flush)  # large files
        plan = import_file(
            repo, args.file, now, "cli:import", split=not args.no_split, aliases=unit_aliases(cfg), **flags
        )
        print(("（试运行，未写入）" if args.dry_run else "") + plan.summary())
    return 0


def cmd_export(args: argparse.Namespace, cfg: Config) -> int:
    with session(args, cfg) as (repo, policy, now):
        measures = repo.measures()
        fmt = reports.export_format(args.file)
        data = reports.export_bytes(
            fmt, measures, repo.problems(), repo.report(), repo.units(), now.date(), policy.yellow_days
        )
    write_file(args.file, data)
    print(f"已导出 {len(measures)} 条措施到 {args.file}")
    return 0


def cmd_list(args: argparse.Namespace, cfg: Config) -> int:
    from ledger.views import headline, ledger_lines, measure_json, progress

    with session(args, cfg) as (repo, _, now):
        known = [u.name for u in repo.units()]
        measures = reports.select(repo.measures(), known, args.unit, args.status, unit_aliases(cfg))
        if args.json:
            print("\n".join(measure_json(m) for m in measures))
            return 0
        print("\n".join(ledger_lines(repo.problems(), measures, now.date())))
        print(headline(progress(measures, now.date()), repo.report()))
    return 0


def cmd_check(args: argparse.Namespace, cfg: Config) -> int:
    """Print what a sweep at --at would send; sends and records nothing."""
    from ledger.service import build_directory
    from ledger.sweep_preview import check_output

    bot_cfg = cfg.get("bot", {})
    with session(args, cfg) as (repo, policy, now):
        directory = build_directory(repo.members(), list(bot_cfg.get("admins", [])), int(bot_cfg.get("admin_chat", 0)))
        measures = {m.id: m for m in repo.measures()}
        lines = check_output(measures, repo.sent_keys(), now, policy, directory, repo.report().date, args.json)
    print("\n".join(lines))
    return 0


def cmd_overdue(args: argparse.Namespace, cfg: Config) -> int:
    from ledger.messages import plain_text, render_overdue
    from ledger.views import overdue_items

    with session(args, cfg) as (repo, _, now):
        measures = repo.measures()
    if args.json:
        emit(reports.overdue_json(measures, now.date()))
    else:
        print("\n".join(plain_text(line) for line in render_overdue(overdue_items(measures, now.date()))))
    return 0


def cmd_stats(args: argparse.Namespace, cfg: Config) -> int:
    with session(args, cfg) as (repo, _, now):
        measures, report = repo.measures(), repo.report()
    if args.json:
        emit([reports.stats_json(measures, report, now.date())])
    else:
        print("\n".join(reports.stats_cli_lines(measures, report, now.date())))
    return 0


def cmd_review(args: argparse.Namespace, cfg: Config) -> int:
    """Open measures without a deadline, for the office to settle (the bot's /review)."""
    from ledger.messages import plain_text
    from ledger.review import review_json, review_lines

    with session(args, cfg) as (repo, _, _now):
        measures = repo.measures()
    if args.json:
        emit(review_json(measures))
    else:
        print("\n".join(plain_text(line) for line in review_lines(measures)))
    return 0


def cmd_extract(args: argparse.Namespace, cfg: Config) -> int:
    """A published report (txt, docx, html) → a draft ledger to check, then `import`."""
    from ledger.extract import draft_json, draft_summary, draft_xlsx, extract_text
    from ledger.report_text import read_report

    today = local_now(None, Policy.from_config(cfg.get("schedule", {}))).date()
    draft = extract_text(read_report(args.report), os.path.basename(args.report), default_ref=today)
    if args.json:
        print("\n".join(draft_json(draft)))
    if args.out:
        write_file(args.out, draft_xlsx(draft))
    out = sys.stderr if args.json else sys.stdout
    print("\n".join(draft_summary(draft)), file=out)
    if args.out:
        print(f"草稿台账已写入 {args.out}；核对后用 run_bot.py import {args.out} 导入。", file=out)
    return 0


def cmd_invite(args: argparse.Namespace, cfg: Config) -> int:
    """Create an invite code for a unit; prints the deep link when the bot's name is known."""
    from bot.services import Settings
    from ledger.actions import Actor, create_invite

    settings = Settings.from_config(cfg.get("bot", {}))
    with session(args, cfg) as (repo, _, now):
        cli = Actor(user_id=0, chat_id=0, is_admin=True, name="cli")
        inv = create_invite(repo, cli, args.unit, now, settings.invite_days, args.multi)
    name = str(cfg.get("telegram", {}).get("username", "")) or "<bot>"
    print(f"{inv['unit']}: https://t.me/{name}?start={inv['code']}  （{settings.invite_days}天内有效）")
    return 0


def cmd_archive(args: argparse.Namespace, cfg: Config) -> int:
    """The evidence package: a folder per measure (its files and a cover sheet), and the ledger XLSX."""
    from bot.evidence import archive_package

    with session(args, cfg) as (repo, policy, now):
        root = os.path.join(os.path.dirname(store_path(cfg, args.config)), "evidence")  # var/evidence/
        data, n = archive_package(repo, policy, now, root, args.unit, args.done, unit_aliases(cfg))
    write_file(args.out, data)
    print(f"已写入 {args.out}：{n} 条措施的佐证材料与封面，及整改台账。")
    return 0


def cmd_demo(args: argparse.Namespace, cfg: Config) -> int:
    """The real bot against the built-in Bot API emulator, on a fresh store with the shipped ledger."""
    from devtools.demo import play

    policy = Policy.from_config(cfg.get("schedule", {}))
    seed = str(cfg.get("ledger", {}).get("seed") or DEMO_LEDGER)
    return play(HERE, seed, local_now(args.at, policy), policy, args.out)


def cmd_sweep(args: argparse.Namespace, cfg: Config) -> int:
    """One real sweep at --at (default now) on every channel, then exit; the store lock is honoured."""
    from jobs.once import ENV, run_once

    with session(args, cfg) as (repo, policy, now):
        print(run_once(repo, policy, now, cfg, {k: os.environ.get(k, "") for k in ENV}))
    return 0


def cmd_hooks(args: argparse.Namespace, cfg: Config) -> int:
    """`hooks list`: the bound robots and mailboxes, masked; `hooks test UNIT`: a test message to each
    (exit 1 unless every one arrived)."""
    from channels.probe import hook_command

    with session(args, cfg) as (repo, _, _now):  # the SMTP password from the environment, as for sweeps
        lines, ok = hook_command(repo, cfg, os.environ.get("DUBAN_SMTP_PASSWORD", ""), args.action, args.unit)
    print("\n".join(lines))
    return 0 if ok else 1


def cmd_run(args: argparse.Namespace, cfg: Config) -> int:
    """Run the bot: polling (default) or webhook, with the daily sweep, catch-up and digest."""
    import asyncio
    import gc
    import logging

    gc.disable()  # start-up makes ~100 000 objects kept for good and no garbage: collections cost 0.1 s

    from bot.app import build_application
    from bot.network import Webhook, redact_logs, serve, wait_until_reachable
    from bot.services import Services, Settings
    from bot.sweeping import Retention
    from jobs.once import ENV, wire_channels
    from jobs.schedule import schedule_jobs
    from web.wiring import wire as wire_web  # web.app (aiohttp, jinja2) only with a [web] section

    tg = cfg.get("telegram", {})
    token = os.environ.get("TELEGRAM_BOT_TOKEN") or str(tg.get("token", ""))
    if not token:
        raise NoBotToken()
    webhook, proxy = Webhook.from_config(tg), str(tg.get("proxy", ""))
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the token in the URL
    redact_logs(token)
    settings = Settings.from_config(cfg.get("bot", {}), unit_aliases(cfg))
    seed = str(cfg.get("ledger", {}).get("seed", ""))
    with session(args, cfg) as (repo, policy, now):
        empty = not repo.has_measures()  # O(1): decoding 50 000 measures to see none took 1.8 s
        if empty and seed:
            import_file(repo, os.path.join(HERE, seed), now, "run:seed")
        elif empty:
            logging.warning("台账为空：请用 run_bot.py import 台账.xlsx 导入，或由管理员把台账文件发给机器人。")
        asyncio.run(wait_until_reachable(token, tg.get("base_url") or None, proxy))
        services = Services(repo=repo, policy=policy, settings=settings, clock=lambda: dt.datetime.now(policy.tz))
        app = build_application(
            services, token, tg.get("base_url") or None, tg.get("base_file_url") or None, proxy=proxy
        )
        evidence = os.path.join(os.path.dirname(store_path(cfg, args.config)), "evidence")
        wire_web(app, services, cfg.get("web", {}), os.environ.get("DUBAN_WEB_SECRET", ""), evidence)
        wire_channels(services, cfg, {k: os.environ.get(k, "") for k in ENV}, telegram=True)
        schedule_jobs(app, services, retention=Retention.from_config(cfg.get("store", {})))
        gc.freeze()  # (an error before this ends the process) what start-up made is never scanned again
        gc.enable()
        serve(app, webhook=webhook)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run_bot.py", description="Duban 督办: rectification deadline bot")
    p.add_argument("--config", default=os.path.join(HERE, "config.toml"), help="config file (default config.toml)")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, func: Any, help_: str, *, at: str | None = "", as_json: bool = False) -> Any:
        s = sub.add_parser(name, help=help_)
        s.set_defaults(func=func)
        if at is not None:
            s.add_argument("--at", default=at or None, help="local time, e.g. 2024-03-25T09:00 (default now)")
        if as_json:
            s.add_argument("--json", action="store_true", help="one JSON object per line")
        return s

    s = command("import", cmd_import, "import a ledger file (.xlsx, .xls, .csv, .toml, .docx table)")
    s.add_argument("file")
    s.add_argument("--dry-run", action="store_true", help="only report what would change")
    s.add_argument("--match", choices=["id", "text"], default="id", help="pair rows with stored measures by id or text")
    s.add_argument("--accept-changes", action="store_true", help="changed texts under the same id are edits")
    s.add_argument("--sheet", help="import only this sheet")
    s.add_argument("--strict-units", action="store_true", help="refuse units the directory does not know")
    s.add_argument("--no-split", action="store_true", help="keep a cell of numbered measures (1.…；2.…) as one")
    command("export", cmd_export, "export the ledger (.toml, .csv, .xlsx)").add_argument("file")
    s = command("list", cmd_list, "list measures", as_json=True)
    s.add_argument("--unit")
    s.add_argument("--status")
    command("check", cmd_check, "print what a sweep at --at would send (sends nothing)", as_json=True)
    command("overdue", cmd_overdue, "overdue measures with working days late", as_json=True)
    command("stats", cmd_stats, "progress figures, overall and per unit", as_json=True)
    command("review", cmd_review, "open measures without a deadline (the bot's /review)", at=None, as_json=True)
    s = command(
        "extract",
        cmd_extract,
        "draft a ledger from a published report (.txt, .docx incl. ledger tables, .html, text .pdf)",
        at=None,
    )
    s.add_argument("report")
    s.add_argument("--out", help="write the draft ledger as XLSX")
    s.add_argument("--json", action="store_true", help="one JSON object per measure, then the report metadata")
    s = command("invite", cmd_invite, "create an invite link for a unit", at=None)
    s.add_argument("unit")
    s.add_argument("--multi", action="store_true", help="usable by several people")
    s = command("calendar", cmd_calendar, "which years' holidays are known (exit 1 if the horizon is not)")
    s.add_argument("action", choices=["check"])
    s = command("archive", cmd_archive, "the evidence package: a folder per measure and the ledger XLSX")
    s.add_argument("out")
    s.add_argument("--unit")
    s.add_argument("--done", action="store_true", help="only measures signed off")
    command("run", cmd_run, "run the bot (token from TELEGRAM_BOT_TOKEN)", at=None)
    command("sweep", cmd_sweep, "one real sweep on all channels, then exit").add_argument("--once", action="store_true")
    s = command("hooks", cmd_hooks, "robots and mailboxes: list them (masked), or send UNIT's a test message", at=None)
    s.add_argument("action", choices=["list", "test"])
    s.add_argument("unit", nargs="?", default="", help="for test: the unit, any spelling or alias, or @office")
    s = command("demo", cmd_demo, "the real bot on the shipped ledger against a local emulator", at="2024-12-13T09:00")
    s.add_argument("--out", default="demo-output", help="folder for the chart, the export and the transcript")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `run_bot.py list | head` ends quietly
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, load_config(args.config)))
    except DubanError as e:
        print(f"错误 error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the store's folder is missing, read-only or full: say which file, not a traceback
        print(f"错误 error: 无法读写 {e.filename or ''}：{e.strerror or e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
