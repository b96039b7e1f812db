"""Copying the venue's write-ahead log into its database on a thread of its own.

SQLite's default has the committing connection run a checkpoint (copy the log's pages into the
database and ``fsync`` it) whenever the log passes 1,000 pages: that commit, and every
acknowledgement waiting on it, then takes several times longer (the paced benchmark's commit p99
went from 1.4 to 5.7 ms on disk). A serving venue turns that off on its writer connection and
runs passive checkpoints here instead, on a second connection: they never block the writer, and
SQLite releases the GIL while they run. Durability does not change: a commit is durable in the log
(``synchronous = FULL``) before it is acknowledged, checkpointed or not.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL_S = 0.25
"""Seconds between passive checkpoints: the log holds about this much intake at most."""


class WalCheckpointer:
    """Passive checkpoints of the database at ``path`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(self, path: str | Path, interval: float = INTERVAL_S) -> None:
        if interval <= 0:
            raise ValueError("the checkpoint interval must be positive")
        uri = f"{Path(path).absolute().as_uri()}?mode=rw"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA synchronous = FULL")  # the checkpoint syncs the database it wrote
        self._interval, self._stopping = interval, threading.Event()
        self.checkpoints = 0
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                self.checkpoints += 1
            except sqlite3.Error as error:  # e.g. a full disk: the log keeps every commit meanwhile
                log.warning("checkpoint of the venue's log failed: %s", error)

    def stop(self) -> None:
        """Stop after the checkpoint in progress, if any, and close the connection (idempotent)."""
        self._stopping.set()
        self._thread.join()
        self._conn.close()
