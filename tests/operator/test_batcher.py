"""Batching: slots filled in arrival order up to the shape's capacity, a deadline that seals a
partial batch with no-ops, and the liquidation scanner queueing liquidations of unhealthy accounts
only."""

from __future__ import annotations

import pytest

from rollup.exchange.operations import Deposit, Liquidate, OraclePrice
from rollup.operator.batcher import OpenBatch
from rollup.operator.liquidations import unhealthy_accounts
from rollup.operator.refusals import OpRefused
from tests.exchange.scenario import ALICE, BOB, DAVE, ORACLE_KEY, deposit, funding
from tests.operator.venue import LIQUIDATOR, SHAPE, FakeClock, fund, open_venue, signed


def test_slots_fill_in_arrival_order():
    batch = OpenBatch(SHAPE, 1)  # oracle, liquidate, deposit, deposit, trade, trade
    assert batch.slot_for("deposit") == 2 and batch.slot_for("oracle") == 0
    batch.put(2, deposit(ALICE, bytes([1]) * 32, 1), queued_at=5.0)
    assert batch.slot_for("deposit") == 3
    assert batch.slot_for("oracle") is None  # it would run before the deposit: seal first
    assert not batch.full and batch.opened_at == 5.0
    with pytest.raises(OpRefused, match="no funding slot"):
        batch.slot_for(funding(0).op_type)


def test_a_full_batch_is_sealed_and_the_next_op_opens_another(tmp_path):
    op = open_venue(tmp_path / "db")
    fund(op, {ALICE: 10_000, BOB: 10_000})
    assert op.store.batches() == []
    fund(op, {DAVE: 3_000})  # no third deposit slot: batch 1 is sealed with what it has
    (first,) = op.store.batches()
    assert first.status == "sealed" and [type(o) for o in op.batch_ops(1)] == [
        type(None), type(None), Deposit, Deposit, type(None), type(None)]  # fmt: skip
    op.place(signed(ALICE, 1, False, 1_000, 10))
    op.place(signed(BOB, 1, True, 1_000, 3))
    placed = op.place(signed(DAVE, 1, True, 1_000, 2))  # the second trade fills the last slot
    assert placed.sealed == (2,) and op.batch.batch_id == 3 and op.batch.empty
    assert [o.op_type if o else None for o in op.batch_ops(2)] == [
        None,
        None,
        "deposit",
        None,
        "trade",
        "trade",
    ]


def test_the_deadline_seals_a_partial_batch_with_no_ops(tmp_path):
    clock = FakeClock(1_000.0)
    op = open_venue(tmp_path / "db", clock=clock)
    assert op.tick() is None  # nothing waits
    fund(op, {ALICE: 10_000})
    clock.now = 1_004.9
    assert op.tick() is None  # the deadline is 5 s
    clock.now = 1_005.0
    assert op.tick() == 1
    assert op.batch_ops(1) == [None, None, op.store.ops()[0].op, None, None, None]
    assert op.store.batch(1).sealed_at == 1_005.0 and op.tick() is None


def test_the_scanner_liquidates_unhealthy_accounts_only(tmp_path):
    op = open_venue(tmp_path / "db")
    fund(op, {ALICE: 100_000, BOB: 5_000})
    fund(op, {DAVE: 3_000, LIQUIDATOR: 100_000})
    op.place(signed(ALICE, 1, False, 1_000, 30))
    op.place(signed(DAVE, 1, True, 1_000, 25))  # TV at 900: 3,000 − 25 − 2,500 = 475 < 1,125 maintenance
    op.place(signed(BOB, 1, True, 1_000, 5))  # TV at 900: 5,000 − 5 − 500 = 4,495, healthy
    assert unhealthy_accounts(op.state) == []
    seqs = op.oracle(OraclePrice.signed(ORACLE_KEY, 0, 900, 200))
    queued = {row.seq: row.op for row in op.store.ops()}
    assert [queued[s].op_type for s in seqs] == ["oracle", "liquidate"]
    liquidation = queued[seqs[1]]
    assert isinstance(liquidation, Liquidate) and liquidation.account == DAVE and liquidation.size_lots == 25
    assert liquidation.liquidator.order.account == LIQUIDATOR and liquidation.price == 900
    assert op.state.account(DAVE).position == (0, 0) and op.state.account(LIQUIDATOR).position == (25, 0)
    assert op.state.account(BOB).position == (5, 0) and unhealthy_accounts(op.state) == []


def test_without_a_liquidator_key_nothing_is_liquidated(tmp_path):
    op = open_venue(tmp_path / "db", liquidator_key=None)
    fund(op, {ALICE: 100_000, DAVE: 3_000})
    op.place(signed(ALICE, 1, False, 1_000, 25))
    op.place(signed(DAVE, 1, True, 1_000, 25))
    op.oracle(OraclePrice.signed(ORACLE_KEY, 0, 900, 200))
    assert unhealthy_accounts(op.state) == [DAVE]
    assert [row.op.op_type for row in op.store.ops()][-1] == "oracle"
