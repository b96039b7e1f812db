"""State snapshots: taken when every K-th batch settles (not at its seal, on the intake path); a
restart starts from the newest one at or before the batch before the oldest unsettled one and
reaches the root of a replay from genesis; a snapshot that does not rebuild to its root is
skipped, and the operations are replayed instead."""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest

from rollup.operator import operator as operator_module
from rollup.operator.operator import Operator
from rollup.operator.records import advance
from rollup.operator.snapshots import SnapshotError, decode, encode
from tests.exchange.scenario import ALICE, BOB, DAVE
from tests.operator.crash_driver import InstantSettlement, stand_in_prover
from tests.operator.venue import GENESIS, LIQUIDATOR, fund, open_venue, signed


@pytest.fixture(scope="module")
def venue(tmp_path_factory):
    """Batches 1 and 2 settled (a snapshot after 2), 3 and 4 sealed (unsettled: none), an open batch."""
    Operator.snapshot_every = 2
    try:
        db = tmp_path_factory.mktemp("snapshots") / "db"
        op = open_venue(db, prover=stand_in_prover, settlement=InstantSettlement())
        fund(op, {ALICE: 100_000, BOB: 20_000, DAVE: 5_000, LIQUIDATOR: 100_000})
        op.place(signed(ALICE, 1, False, 1_000, 9))
        op.place(signed(BOB, 1, True, 1_000, 2))
        op.place(signed(BOB, 2, True, 1_000, 1))  # fills batch 2: sealed
        assert op.store.snapshot_ids(10**9) == []  # sealing takes none
        assert op.run_pipeline() == {1: "settled", 2: "settled"}  # 2 settles: snapshot
        op.place(signed(DAVE, 1, True, 1_000, 1))
        op.seal()  # 3
        op.place(signed(DAVE, 2, True, 1_000, 1))
        op.seal()  # 4
        op.place(signed(BOB, 3, True, 1_000, 1))  # open
        assert op.store.snapshot_ids(10**9) == [2]
        op.close()
    finally:
        Operator.snapshot_every = 16
    return db


def copy_of(db, tmp_path):
    path = tmp_path / "db"
    with sqlite3.connect(db) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return path


def replayed_root(op: Operator) -> int:
    return advance(GENESIS.state(), [row.op for row in op.store.ops()]).root


def test_a_restart_starts_from_the_newest_usable_snapshot(venue, tmp_path, monkeypatch):
    db = copy_of(venue, tmp_path)
    replayed = []
    monkeypatch.setattr(operator_module, "advance", lambda s, ops: replayed.extend(ops) or advance(s, ops))
    op = Operator.open(db, prover=stand_in_prover, settlement=InstantSettlement())
    later = [row.op for row in op.store.ops() if row.batch_id > 2]
    assert replayed == later  # batches 1 and 2 came from the snapshot
    assert op.root == replayed_root(op)
    assert sorted(op._before) == [3, 4]

    Operator.snapshot_every = 2
    try:
        assert op.run_pipeline() == {3: "settled", 4: "settled"}  # their states before were right
        assert op.store.snapshot_ids(10**9) == [4]  # 4 settled: its snapshot, and 2's is dropped
        op.seal()  # 5
        op.place(signed(DAVE, 3, True, 1_000, 1))
        op.seal()  # 6: sealed, not settled
        assert op.store.snapshot_ids(10**9) == [4]
        assert op.run_pipeline() == {5: "settled", 6: "settled"}
    finally:
        Operator.snapshot_every = 16
    assert op.store.snapshot_ids(10**9) == [6]
    assert Operator.open(db, read_only=True).root == op.root == replayed_root(op)


def corrupt_collateral(text: str) -> str:
    data = json.loads(text)
    data["accounts"][0][1][3] += 1  # an account's collateral
    return json.dumps(data)


@pytest.mark.parametrize("damage", ["tampered", "garbage", "missing"])
def test_a_bad_or_missing_snapshot_falls_back_to_replay(venue, tmp_path, caplog, damage):
    db = copy_of(venue, tmp_path)
    with sqlite3.connect(db) as conn:
        if damage == "missing":
            conn.execute("DELETE FROM snapshots")
        else:
            (text,) = conn.execute("SELECT state FROM snapshots WHERE batch_id = 2").fetchone()
            bad = corrupt_collateral(text) if damage == "tampered" else text[: len(text) // 2]
            conn.execute("UPDATE snapshots SET state = ? WHERE batch_id = 2", (bad,))
    with caplog.at_level(logging.WARNING):
        op = Operator.open(db)
    assert op.root == replayed_root(op)
    assert sorted(op._before) == [3, 4]
    assert ("snapshot after batch 2 skipped" in caplog.text) == (damage != "missing")


def test_a_snapshot_round_trips_and_refuses_another_root(venue):
    op = Operator.open(venue, read_only=True)
    text = encode(op.state)
    assert decode(GENESIS, text, op.root).root == op.root
    with pytest.raises(SnapshotError, match="recorded root"):
        decode(GENESIS, text, op.root + 1)
    with pytest.raises(SnapshotError, match="recorded root"):
        decode(GENESIS, corrupt_collateral(text), op.root)
