"""Progress of a long import, told to whoever shows it (the CLI's stderr, the bot's one edited message).

The domain only calls `progress(stage, done, total)`; it never prints, sleeps or reads the clock.
A stage is one of STAGES; `done` counts up to `total` and ends at `total` exactly once.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]
Tick = Callable[[int], None]

STAGES = ("read", "check", "plan", "write")  # rows of the sheets, measures checked, compared, written
STAGE_LABELS = {"read": "读取行", "check": "校验措施", "plan": "比对台账", "write": "写入"}
LARGE = 2_000  # rows from which the CLI and the bot show progress


def _nothing(done: int) -> None:
    return None


def ticker(progress: Progress | None, stage: str, total: int, parts: int = 100) -> Tick:
    """A cheap call per item that passes on (stage, done, total) about `parts` times, and at `total`."""
    if progress is None or total <= 0:
        return _nothing
    report = progress
    step = max(1, total // parts)
    state = [step]  # the next count worth reporting

    def tick(done: int) -> None:
        if done < state[0] and done < total:
            return
        if done >= total:
            state[0] = total + 1  # the end is told once
            report(stage, total, total)
        else:
            state[0] = done + step
            report(stage, done, total)

    return tick


class Rendered:
    """Progress as text through `write` (no I/O here), for stages of at least `least` items.

    Not a terminal (a log, a pipe): one line per tenth of each stage. A terminal: one bar redrawn
    in place with a carriage return, a new line when the stage ends.
    """

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        tty: bool = False,
        least: int = LARGE,
        flush: Callable[[], None] | None = None,
    ) -> None:
        self._write, self._tty, self._least, self._flush = write, tty, least, flush
        self._shown: dict[str, int] = {}  # stage → the last step written (a percent on a terminal, else a tenth)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < self._least:
            return
        pct = 100 * done // total
        step = pct if self._tty else pct // 10
        if step <= self._shown.get(stage, -1):
            return
        self._shown[stage] = step
        line = f"{STAGE_LABELS.get(stage, stage)} {bar(done, total)} {pct:3d}% ({done}/{total})"
        if self._tty:
            self._write(f"\r{line}" + ("\n" if done >= total else ""))
        else:
            self._write(line + "\n")
        if self._flush is not None:
            self._flush()


def bar(done: int, total: int, width: int = 20) -> str:
    """[#########-----------] for done of total."""
    filled = width * done // total if total else width
    return "[" + "#" * filled + "-" * (width - filled) + "]"
