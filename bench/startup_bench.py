"""Start-up at 50 000 measures: `run_bot.py import` of a 50 000-row CSV, then `run_bot.py run` to its
first getUpdates, each as its own process (interpreter start and imports included), wall time.

The CSV is the bot latency bench's kind of spreadsheet (编号, 问题, 整改措施, 责任单位, 完成时限), 400 units,
deadlines spread over the next year. `run` polls the local emulator (`devtools/emulator.py`) with the
store the import wrote. Targets: import < 10 s, launch to first getUpdates < 1.5 s.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.figures import Figure, save
from devtools.emulator import Emulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(os.environ.get("STARTUP_MEASURES", "50000"))
AT = dt.datetime(2024, 4, 1, 9)


def write_csv(path: str, n: int) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        sheet = csv.writer(f)
        sheet.writerow(["编号", "问题", "整改措施", "责任单位", "完成时限"])
        for i in range(n):
            text = f"整改措施第{i}项：建立健全长效机制，加强日常巡查，确保问题整改到位、不反弹。"
            due = AT.date() + dt.timedelta(days=30 + i % 365)
            sheet.writerow([f"ZG-{i:05d}", f"问题{i // 5}", text, f"测试{i % 400:03d}局", f"{due:%Y/%m/%d}"])


def config(folder: str, emu: Emulator | None) -> str:
    path = os.path.join(folder, "config.toml")
    tg = f'[telegram]\nbase_url = "{emu.base_url}"\nbase_file_url = "{emu.base_file_url}"\n' if emu else ""
    with open(path, "w", encoding="utf-8") as f:
        f.write(f'[store]\npath = "{os.path.join(folder, "duban.json")}"\n{tg}[bot]\nadmins = [9001]\n')
    return path


def import_seconds(folder: str, sheet: str) -> float:
    t = time.perf_counter()
    args = [sys.executable, os.path.join(ROOT, "run_bot.py"), "--config", config(folder, None), "import"]
    subprocess.run([*args, "--at", AT.strftime("%Y-%m-%dT%H:%M"), sheet], check=True, capture_output=True)
    return time.perf_counter() - t


async def launch_seconds(folder: str, ask_help: bool = False) -> float:
    """From spawning `run` to the emulator seeing its first getUpdates (with `ask_help`: to the bot's
    answer to a /help sent at that moment, the catch-up sweep's decoding of every measure included)."""
    emu = Emulator()
    await emu.start()
    cfg = config(folder, emu)
    t = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        os.path.join(ROOT, "run_bot.py"),
        "--config",
        cfg,
        "run",
        env={**os.environ, "TELEGRAM_BOT_TOKEN": emu.token},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await emu.wait_for(lambda: emu.polls > 0, timeout=120)  # getUpdates is counted, not logged
        if ask_help:
            sent = emu.user_sends(9001, "/help")
            await emu.reply_in(9001, after=sent.message_id, timeout=120)
        return time.perf_counter() - t
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), timeout=60)
        except TimeoutError:
            proc.kill()
        await emu.release_polls()
        await emu.stop()


def main() -> None:
    label = f"{N:,}".replace(",", " ")
    with tempfile.TemporaryDirectory() as folder:
        sheet = os.path.join(folder, "台账.csv")
        write_csv(sheet, N)
        imported = import_seconds(folder, sheet)
        print(f"run_bot.py import of {label} rows: {imported:.2f} s", flush=True)
        first = Figure(f"import of a {label}-row CSV (process)", f"{imported:.2f} s", "< 10 s", imported < 10)
        save("startup", [first])  # stands even if the launches below are cut short
        launches = [asyncio.run(launch_seconds(folder)) for _ in range(3)]
        launches.sort()
        print(f"run_bot.py run to first getUpdates at {label} measures: {', '.join(f'{x:.2f}' for x in launches)} s")
        helped = asyncio.run(launch_seconds(folder, ask_help=True))
        print(f"run_bot.py run to its answer to a first /help at {label} measures: {helped:.2f} s", flush=True)
    save(
        "startup",
        [
            first,
            Figure(
                f"launch to first getUpdates, {label} (median of 3)",
                f"{launches[1]:.2f} s (min {launches[0]:.2f}, max {launches[2]:.2f})",
                "< 1.5 s",
                launches[1] < 1.5,
            ),
        ],
    )


if __name__ == "__main__":
    main()
