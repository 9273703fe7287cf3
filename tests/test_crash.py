"""SIGKILL a writer at random moments: the store always loads with every acknowledged write.

No sleeping: the parent waits for a random number of acknowledgements (0 to 4) and kills the
child at once, while it is somewhere inside its next write (or still opening the store).
"""

from __future__ import annotations

import os
import random
import signal

from ledger.models import Measure
from store import Repository


def _writer(path: str, start: int, ack_fd: int) -> None:
    repo = Repository.open(path, lock=False)
    i = start
    while True:
        repo.put_measure(Measure(id=f"P1-{i}", problem=1, text="一是" + "整改" * 200, unit="区教育局"))
        os.write(ack_fd, f"{i}\n".encode())
        i += 1


def test_killed_writer_never_corrupts_or_loses_acknowledged_writes(tmp_path) -> None:
    path = str(tmp_path / "s.json")
    rng = random.Random(20240315)
    acked: set[int] = set()
    next_id = 1
    kills = 200
    for _ in range(kills):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: write until killed
            os.close(r)
            try:
                _writer(path, next_id, w)
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
        repo = Repository.open(path, lock=False)  # must load, whatever moment the kill hit
        ids = {m.id for m in repo.measures()}
        missing = {f"P1-{i}" for i in acked} - ids
        assert not missing, f"acknowledged writes lost: {sorted(missing)[:5]}"
        repo.close()
    assert len(acked) > kills  # the writers really wrote
    leftovers = [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")]
    assert len(leftovers) <= kills  # temp files of killed writes are harmless, never read
