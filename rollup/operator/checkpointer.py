"""Copying the venue's write-ahead log into its database on a thread of its own, and letting the
log start over.

SQLite's default has the committing connection run a checkpoint (copy the log's pages into the
database and ``fsync`` it) whenever the log passes 1,000 pages: that commit, and every
acknowledgement waiting on it, then takes several times longer (the paced benchmark's commit p99
went from 1.4 to 5.7 ms on disk). A serving venue turns that off on its writer connection and
runs checkpoints here instead, on a second connection, where SQLite releases the GIL.

A passive checkpoint beside a busy writer never finishes: the writer commits again while the
database is synced, and the log restarts from its beginning only after a checkpoint that left
nothing behind. Under steady intake it would grow without end (about 17 KiB a request), and every
commit would append to it, which costs the ``fsync`` a metadata write. So each round is two
checkpoints: a passive one beside the writer, which copies nearly everything, then a short one
while the store's write gate (``Store.transaction``) is held, which copies the few commits made
meanwhile and so finishes; the writer's next transaction then overwrites the log from its start.
The writer waits for that second checkpoint only (a fraction of a millisecond a round).

Durability does not change: a commit is durable in the log (``synchronous = FULL``) before it is
acknowledged, checkpointed or not.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import AbstractContextManager as Gate
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL_S = 0.1
"""Seconds between rounds: the log holds about this much intake at most."""


class WalCheckpointer:
    """A round of checkpoints of the database at ``path`` every ``interval`` seconds until
    :meth:`stop`; ``gate`` is the lock the writer holds through each of its transactions."""

    def __init__(self, path: str | Path, gate: Gate[bool], interval: float = INTERVAL_S) -> None:
        if interval <= 0:
            raise ValueError("the checkpoint interval must be positive")
        uri = f"{Path(path).absolute().as_uri()}?mode=rw"
        self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA synchronous = FULL")  # the checkpoint syncs the database it wrote
        self._gate, self._interval, self._stopping = gate, interval, threading.Event()
        self.checkpoints = 0  # rounds done
        self.restarts = 0  # rounds after which the log starts over (nothing left in it uncopied)
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint(self) -> bool:
        """One passive checkpoint; whether it copied every frame of the log."""
        busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return not busy and frames == copied

    def round(self) -> bool:
        """Copy the log beside the writer, then finish between its transactions; whether the log
        was left with nothing uncopied (a reader's older snapshot can keep frames in it)."""
        self._checkpoint()
        with self._gate:
            finished = self._checkpoint()
        self.checkpoints += 1
        self.restarts += finished
        return finished

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.round()
            except sqlite3.Error as error:  # e.g. a full disk: the log keeps every commit meanwhile
                log.warning("checkpoint of the venue's log failed: %s", error)

    def stop(self) -> None:
        """Stop after the round in progress, if any, and close the connection (idempotent)."""
        self._stopping.set()
        self._thread.join()
        self._conn.close()
