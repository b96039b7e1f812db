"""Background checkpoints: a serving venue's commits no longer copy the log into the database
themselves; a second connection does, and what it copied is in the database file; nothing is lost
across a close and reopen; a read-only store cannot start one. Each round finishes between the
writer's transactions, so the log starts over and stays small under steady writes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from rollup.operator.checkpointer import WalCheckpointer
from rollup.operator.store import Store, StoreError


def write_rows(store: Store, count: int) -> None:
    for k in range(count):
        with store.transaction():
            store.set_meta(f"row-{k}", "x" * 2_000)


def in_database_file(path: Path, key: str) -> bool:
    """Whether the database file itself (the log ignored) holds ``key``: the log was copied into it."""
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return conn.execute("SELECT 1 FROM meta WHERE key = ?", (key,)).fetchone() is not None
    finally:
        conn.close()


def wait_for_checkpoints(checkpointer: WalCheckpointer, count: int) -> None:
    deadline = time.monotonic() + 10
    target = checkpointer.checkpoints + count
    while checkpointer.checkpoints < target:
        assert time.monotonic() < deadline, "no background checkpoint ran"
        time.sleep(0.01)


def test_commits_leave_the_log_to_the_background_checkpoints(tmp_path):
    store = Store.open(tmp_path / "db")
    store.checkpoint_in_background(interval=0.02)
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    write_rows(store, 600)  # more than the 1,000 pages at which a commit would checkpoint itself
    wait_for_checkpoints(store.checkpointer, 2)
    assert in_database_file(tmp_path / "db", "row-599")
    store.close()
    reopened = Store.open(tmp_path / "db")
    assert reopened.get_meta("row-599") == "x" * 2_000 and reopened.get_meta("row-0") == "x" * 2_000


def test_without_checkpoints_the_log_keeps_the_commits_from_the_database_file(tmp_path):
    """The control: the rows reach the file only through a checkpoint."""
    store = Store.open(tmp_path / "db")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the schema into the file
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    write_rows(store, 50)
    assert not in_database_file(tmp_path / "db", "row-49")
    assert store.get_meta("row-49") == "x" * 2_000


def test_a_read_only_store_does_not_checkpoint_and_intervals_are_positive(tmp_path):
    Store.open(tmp_path / "db").close()
    reader = Store.open_read_only(tmp_path / "db")
    with pytest.raises(StoreError, match="read-only"):
        reader.checkpoint_in_background()
    with pytest.raises(ValueError, match="positive"):
        WalCheckpointer(tmp_path / "db", threading.RLock(), interval=0)


def log_frames(path: Path) -> int:
    """Frames in the venue's log since it last started over (a passive checkpoint reports them)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    finally:
        conn.close()


def test_after_a_round_the_next_commit_starts_the_log_over(tmp_path):
    store = Store.open(tmp_path / "db")
    store.checkpoint_in_background(interval=3_600)  # rounds only when the test runs one
    write_rows(store, 200)
    assert log_frames(tmp_path / "db") >= 200
    assert store.checkpointer.round() is True
    write_rows(store, 1)
    assert log_frames(tmp_path / "db") < 10  # the log was overwritten from its start
    assert store.get_meta("row-0") == "x" * 2_000 and in_database_file(tmp_path / "db", "row-199")
    store.close()


def test_a_round_waits_for_the_transaction_in_progress(tmp_path):
    store = Store.open(tmp_path / "db")
    store.checkpoint_in_background(interval=3_600)
    finished = threading.Event()
    with store.transaction():
        store.set_meta("open", 1)
        rounder = threading.Thread(target=lambda: (store.checkpointer.round(), finished.set()))
        rounder.start()
        assert not finished.wait(0.2)  # held at the write gate until the commit
    assert finished.wait(10)
    rounder.join()
    store.close()


class CountingGate:
    """The writer's gate, counting how often a checkpoint held it."""

    def __init__(self) -> None:
        self.lock, self.taken = threading.Lock(), 0

    def __enter__(self) -> None:
        self.lock.acquire()
        self.taken += 1

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def test_only_every_restart_every_th_pass_holds_the_writer(tmp_path):
    Store.open(tmp_path / "db").close()
    gate = CountingGate()
    checkpointer = WalCheckpointer(tmp_path / "db", gate, interval=3_600, restart_every=3)  # passes by hand
    for _ in range(7):
        checkpointer.one_pass()
    assert (checkpointer.checkpoints, gate.taken, checkpointer.restarts) == (7, 2, 2)
    checkpointer.stop()
    with pytest.raises(ValueError, match="positive"):
        WalCheckpointer(tmp_path / "db", gate, restart_every=0)


def test_under_steady_writes_the_log_stays_small(tmp_path):
    """Without rounds that finish, a busy writer's log grows by every page it commits (here about
    18 MiB); with them it holds a few intervals' worth. The writes come in bursts, as intake's commits
    come between its matching (back to back, the writer takes its gate again before a waiting round)."""
    store = Store.open(tmp_path / "db")
    store.checkpoint_in_background(interval=0.01, restart_every=1)
    for burst in range(15):
        for k in range(100):
            with store.transaction():
                store.set_meta(f"row-{burst}-{k}", "x" * 2_000)
        time.sleep(0.002)
    wait_for_checkpoints(store.checkpointer, 1)
    assert store.checkpointer.restarts > 0
    assert (tmp_path / "db-wal").stat().st_size < 6 * 2**20
    store.close()
