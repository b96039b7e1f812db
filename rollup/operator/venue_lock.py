"""One writer per venue: an exclusive ``flock`` on ``<database>.lock``, held while a writing store
is open. The operator's books and open batch are a cache of the database in its process's memory,
so a second process writing behind it would fork the venue. The kernel drops the lock with the
last descriptor, so a process that dies (even by SIGKILL) leaves no stale lock behind."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class VenueInUse(OSError):
    """Another process (or another open store of this one) writes the venue."""


def lock_path(database: str | Path) -> Path:
    return Path(f"{database}.lock")


class VenueLock:
    """The venue's writer lock, taken at once or refused (never waited for); the holder's pid is
    written into the lock file so that a refusal can name it."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, database: str | Path) -> VenueLock:
        path = lock_path(database)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            who = f"process {holder}" if holder else "another process"
            raise VenueInUse(f"{database}: the venue is open for writing by {who} "
                             "(is `zkclear serve` running?)") from None  # fmt: skip
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return cls(fd, path)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Unlock (the file stays: removing it would race with a process about to lock it)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.ftruncate(fd, 0)
        os.close(fd)


def _holder(fd: int) -> int | None:
    """The pid the holder wrote, if it has (it writes just after locking)."""
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
