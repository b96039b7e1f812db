"""A restarted operator is the one that stopped: the same root, books, open batch and used order ids,
and it carries on where it left off."""

from __future__ import annotations

import pytest

from rollup.exchange.operations import FundingTick, OraclePrice, Withdraw
from rollup.operator.operator import Operator
from rollup.rejections import OrderRejected
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, DAVE, ORACLE_KEY
from tests.operator.venue import fund, open_venue, signed, with_shape


def test_a_restart_restores_books_state_and_the_open_batch(tmp_path):
    op = open_venue(tmp_path / "db")
    fund(op, {ALICE: 10_000, BOB: 5_000})
    fund(op, {DAVE: 5_000})  # seals batch 1
    op.place(signed(ALICE, 1, False, 1_010, 5))
    op.place(signed(ALICE, 2, False, 1_000, 5))
    op.place(signed(BOB, 1, True, 1_000, 2))  # takes 2 of Alice's order 2
    op.place(signed(BOB, 2, True, 980, 3))
    op.close()  # the venue has one writer: it stops before it restarts

    again = Operator.open(tmp_path / "db")
    assert again.root == op.root and again.sealed_state.root == op.sealed_state.root
    assert again.engine.book(0).depth() == op.engine.book(0).depth()
    assert again.batch.batch_id == op.batch.batch_id == 2 and again.batch.slots == op.batch.slots
    with pytest.raises(OrderRejected, match="order id already used"):
        again.place(signed(BOB, 1, True, 1_000, 2))
    # time priority survives: Dave's buy takes Alice's 1,000 ask (3 left) before her 1,010 one
    placed = again.place(signed(DAVE, 1, True, 1_010, 4))
    assert [(f.maker.order_id, f.size) for f in placed.result.fills] == [(2, 3), (1, 1)]
    assert placed.sealed == (2,)


@pytest.mark.slow
def test_withdrawals_and_funding_ticks_are_queued_and_the_circuit_accepts_them(tmp_path):
    genesis = with_shape(("deposit", "deposit", "trade", "funding", "withdraw"))
    op = open_venue(tmp_path / "db", genesis)
    fund(op, {ALICE: 10_000, BOB: 5_000})
    op.place(signed(ALICE, 1, False, 1_000, 5))
    op.place(signed(BOB, 1, True, 1_000, 5))
    op.funding(FundingTick(0, 10))  # longs pay 10 a lot
    op.withdraw(Withdraw.signed(ALICE_KEY, ALICE, 0xAB, 1_000, 0))
    # Alice (short 5) received 50 of funding and paid 5 of fee, then withdrew 1,000
    assert op.state.account(ALICE).collateral == 10_000 + 5_000 - 5 + 50 - 1_000
    assert op.store.batch(1).status == "sealed"  # the withdrawal filled the last slot
    assert op.run_pipeline() == {1: "sealed"}  # applied by the circuit: no prover configured
    batch = op.store.batch(1)
    assert batch.new_root == op.root and batch.old_root == genesis.state().root
    with_oracle = open_venue(tmp_path / "other", with_shape(("oracle",)))
    with_oracle.oracle(OraclePrice.signed(ORACLE_KEY, 0, 1_100, 200))
    assert with_oracle.run_pipeline() == {1: "sealed"}
