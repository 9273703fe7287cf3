"""SIGKILL a writer at random moments: the store always loads with every acknowledged write.

No sleeping: the parent waits for a random number of acknowledgements (0 to 4) and kills the
child at once, while it is somewhere inside its next write (or still opening the store, which
folds the journal into the snapshot). A second test makes the journal compact every few
writes on a larger store, so that many kills land inside a compaction.
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Callable

from ledger.models import Measure
from store import Repository
from store.journal import COMPACT_BYTES, SEALED, JournaledStorage
from store.table import JournaledDB


def _measure(i: int) -> Measure:
    return Measure(id=f"P1-{i}", problem=1, text="一是" + "整改" * 200, unit="区教育局")


def _writer(path: str, start: int, ack_fd: int, compact_bytes: int, background: bool = True) -> None:
    share = 0.25 if compact_bytes == COMPACT_BYTES else 0.0  # a small threshold: compact every few writes
    db = JournaledDB(
        path, storage=JournaledStorage, compact_bytes=compact_bytes, compact_share=share, background=background
    )
    repo = Repository(db)
    i = start
    while True:
        repo.put_measure(_measure(i))
        os.write(ack_fd, f"{i}\n".encode())
        i += 1


def _nothing_lost_or_doubled(repo: Repository, acked: set[int], kills: int, point: str = "") -> None:
    """Every acknowledged write is there, none twice, and beside them at most the one write in
    flight at each kill (on disk, not yet acknowledged)."""
    ids = [m.id for m in repo.measures() if int(m.id.split("-")[1]) < 100_000]  # not the compaction test's filler
    assert len(ids) == len(set(ids)), f"{point}: a write applied twice"
    missing = {f"P1-{i}" for i in acked} - set(ids)
    assert not missing, f"{point}: acknowledged writes lost: {sorted(missing)[:5]}"
    assert len(set(ids) - {f"P1-{i}" for i in acked}) <= kills, f"{point}: more than one write in flight per kill"


def _kill_writers(path: str, kills: int, seed: int, compact_bytes: int = COMPACT_BYTES, first: int = 1) -> set[int]:
    """Start and kill a writer `kills` times, checking after each kill; the acknowledged ids."""
    rng = random.Random(seed)
    acked: set[int] = set()
    next_id = first
    for kill in range(kills):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: write until killed
            os.close(r)
            try:
                _writer(path, next_id, w, compact_bytes)
            finally:
                os._exit(0)
        os.close(w)
        wanted = rng.randint(0, 4)
        data = b""
        while data.count(b"\n") < wanted and (chunk := os.read(r, 65536)):
            data += chunk
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        got = [int(x) for x in data.decode().split()]
        acked.update(got)
        next_id = max([next_id - 1, *got]) + 1
        repo = Repository.open(path, lock=False, compact_bytes=compact_bytes)  # must load, whatever the kill hit
        _nothing_lost_or_doubled(repo, acked, kill + 1)
        repo._db.storage._size = 0  # type: ignore[attr-defined]  # no compaction at close: keep the crash's files
        repo.close()
    return acked


def test_killed_writer_never_corrupts_or_loses_acknowledged_writes(tmp_path) -> None:
    kills = 200
    acked = _kill_writers(str(tmp_path / "s.json"), kills, seed=20240315)
    assert len(acked) > kills  # the writers really wrote
    leftovers = [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")]
    assert len(leftovers) <= kills  # temp files of killed writes are harmless, never read


def _self_killing_writer(
    path: str, start: int, arm: Callable[[], None], background: bool = True
) -> tuple[list[int], int]:
    """A forked writer that `arm` makes SIGKILL itself inside a compaction: (the ids it acknowledged
    before dying, its wait status)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            arm()
            _writer(path, start, w, compact_bytes=4_000, background=background)
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):  # until the writer killed itself
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    return [int(x) for x in data.decode().split()], status


CRASH_POINTS = ("before-rename", "after-rename", "after-truncate")


def _crash_inside_compaction(point: str, nth: int) -> None:
    """In this (forked) writer only: SIGKILL itself at `point` of its `nth` compaction."""
    real_replace, real_truncate = os.replace, os.ftruncate
    seen = [0]

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def replace(src: str, dst: str) -> None:
        seen[0] += 1
        if seen[0] == nth and point == "before-rename":
            die()
        real_replace(src, dst)
        if seen[0] == nth and point == "after-rename":
            die()

    def truncate(fd: int, length: int) -> None:
        real_truncate(fd, length)
        if length == 0 and seen[0] == nth and point == "after-truncate":
            die()

    os.replace, os.ftruncate = replace, truncate  # type: ignore[assignment]


def test_writer_killed_at_each_step_of_a_compaction_loses_nothing_acknowledged(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path)
    repo.put_measures([_measure(i) for i in range(100_000, 100_200)])
    repo.close()
    rng = random.Random(20240317)
    acked: set[int] = set()
    next_id = 1
    for round_ in range(30):
        point = CRASH_POINTS[round_ % 3]
        nth = rng.randint(1, 3)
        got, _ = _self_killing_writer(path, next_id, lambda: _crash_inside_compaction(point, nth), background=False)
        acked.update(got)
        next_id = max([next_id - 1, *got]) + 1
        check = Repository.open(path, lock=False)
        _nothing_lost_or_doubled(check, acked, round_ + 1, point)
        check._db.storage._size = 0  # type: ignore[attr-defined]
        check.close()
    assert len(acked) >= 30
    assert any(f.startswith(".tmp-") for f in os.listdir(tmp_path))  # the before-rename kills left theirs


BACKGROUND_POINTS = ("after-seal", "before-rename", "after-rename", "after-unlink")


def _crash_inside_background_compaction(point: str, nth: int) -> None:
    """In this (forked) writer only: SIGKILL itself at `point` of its `nth` background compaction: right
    after sealing the journal (loop thread), or in the worker thread around its snapshot's rename or
    after it removed the sealed journal (a kill from either thread ends the whole process)."""
    real_rename, real_replace, real_unlink = os.rename, os.replace, os.unlink
    seals = [0]

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def rename(src: str, dst: str) -> None:
        real_rename(src, dst)
        if dst.endswith(SEALED):
            seals[0] += 1
            if seals[0] == nth and point == "after-seal":
                die()

    def replace(src: str, dst: str) -> None:
        if seals[0] == nth and point == "before-rename":
            die()
        real_replace(src, dst)
        if seals[0] == nth and point == "after-rename":
            die()

    def unlink(name: str) -> None:
        real_unlink(name)
        if name.endswith(SEALED) and seals[0] == nth and point == "after-unlink":
            die()

    os.rename, os.replace, os.unlink = rename, replace, unlink  # type: ignore[assignment]


def test_writer_killed_at_each_step_of_a_background_compaction_loses_nothing_acknowledged(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    repo = Repository.open(path)
    repo.put_measures([_measure(i) for i in range(100_000, 100_200)])
    repo.close()
    rng = random.Random(20240318)
    acked: set[int] = set()
    next_id = 1
    sealed_seen = 0
    for round_ in range(40):
        point = BACKGROUND_POINTS[round_ % len(BACKGROUND_POINTS)]
        nth = rng.randint(1, 3)
        got, status = _self_killing_writer(path, next_id, lambda: _crash_inside_background_compaction(point, nth))
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, point
        acked.update(got)
        next_id = max([next_id - 1, *got]) + 1
        sealed_seen += os.path.exists(path + SEALED)
        check = Repository.open(path, lock=False)  # replays snapshot, sealed journal, live journal
        _nothing_lost_or_doubled(check, acked, round_ + 1, point)
        assert not os.path.exists(path + SEALED)  # folded in at open
        check._db.storage._size = 0  # type: ignore[attr-defined]
        check.close()
    assert len(acked) >= 40
    assert sealed_seen >= 20  # the kills after sealing and inside the worker left a sealed journal
