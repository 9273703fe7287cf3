"""One process per store: an exclusive, non-blocking lock on `<store>.lock`."""

from __future__ import annotations

import fcntl
import os
from typing import Self

from ledger.errors import StoreError


class StoreLock:
    """Held for the life of a process that writes the store; released on exit or crash."""

    def __init__(self, store_path: str) -> None:
        self.path = os.path.realpath(store_path) + ".lock"  # a symlink to the store takes the same lock
        self._fd: int | None = None

    def acquire(self) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            with open(fd, closefd=True) as f:
                holder = f.read().strip()
            raise StoreError(
                f"另一个 Duban 进程正在使用数据文件 {self.path[:-5]}（进程 {holder or '未知'}）。"
                f" Another Duban process already uses this store; stop it first, "
                f"so that reminders are not sent twice. 运行中导入台账：请把文件发给机器人。"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
