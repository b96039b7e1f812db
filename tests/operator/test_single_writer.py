"""One writer per venue: a second writer is refused naming the holder, in this process or another;
the lock goes with a closed, failed or killed holder; read-only snapshots open beside a writer,
see what it committed, stay consistent while it goes on, and cannot write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from rollup.operator.operator import Operator
from rollup.operator.store import StoreError
from rollup.operator.venue_lock import VenueInUse
from tests.exchange.scenario import ALICE, BOB
from tests.operator.venue import GENESIS, fund, open_venue, signed

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_writer_is_refused_naming_the_holder_until_the_first_closes(tmp_path):
    db = tmp_path / "venue.db"
    first = open_venue(db)
    with pytest.raises(VenueInUse, match=f"open for writing by process {os.getpid()} "):
        Operator.open(db)
    with pytest.raises(VenueInUse):
        open_venue(db)  # create on an existing venue is a writer too
    first.close()
    Operator.open(db).close()


def test_a_failed_open_leaves_no_lock(tmp_path):
    db = tmp_path / "venue.db"
    open_venue(db).close()
    with pytest.raises(ValueError, match="other parameters"):
        open_venue(db, replace(GENESIS, deadline=GENESIS.deadline + 1))
    Operator.open(db).close()


def test_a_killed_writer_leaves_the_venue_openable(tmp_path):
    db = tmp_path / "venue.db"
    open_venue(db).close()
    holder = textwrap.dedent(f"""
        import sys, time
        from rollup.operator.operator import Operator
        Operator.open({str(db)!r})
        print("open", flush=True)
        time.sleep(120)
    """)
    child = subprocess.Popen([sys.executable, "-c", holder], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "open\n"
        with pytest.raises(VenueInUse, match=f"by process {child.pid} "):
            Operator.open(db)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    Operator.open(db).close()  # the kernel dropped the lock with the process


def test_a_read_only_snapshot_opens_beside_the_writer_and_stays_consistent(tmp_path):
    db = tmp_path / "venue.db"
    writer = open_venue(db)
    fund(writer, {ALICE: 10_000, BOB: 5_000})
    writer.place(signed(ALICE, 1, False, 1_000, 5))
    reader = Operator.open(db, read_only=True)
    assert reader.root == writer.root
    assert reader.engine.book(0).depth() == writer.engine.book(0).depth()

    writer.place(signed(BOB, 1, True, 1_000, 2))  # commits beside the reader
    assert writer.engine.book(0).depth().asks[0].size == 3
    assert reader.store.order(ALICE, 1).remaining == 5  # the reader's snapshot is the one it opened
    assert reader.store.fills() == []
    fresh = Operator.open(db, read_only=True)
    assert fresh.root == writer.root and fresh.store.order(ALICE, 1).remaining == 3
    for snapshot in (reader, fresh):
        snapshot.close()
    writer.close()


def test_a_read_only_operator_cannot_write(tmp_path):
    db = tmp_path / "venue.db"
    open_venue(db).close()
    reader = Operator.open(db, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        fund(reader, {ALICE: 10_000})
    reader.close()
    assert Operator.open(db, read_only=True).store.deposit_count() == 0


def test_the_lock_file_names_the_holder_only_while_held(tmp_path):
    db = tmp_path / "venue.db"
    op = open_venue(db)
    lock = Path(f"{db}.lock")
    assert lock.read_text() == f"{os.getpid()}\n"
    op.close()
    assert lock.read_text() == ""
