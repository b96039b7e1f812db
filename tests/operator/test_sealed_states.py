"""Sealing keeps the sealed state and leaves its root to the pipeline: the states kept for unsettled
batches must stay what they were while intake writes on, and the circuit must reach their roots."""

from __future__ import annotations

from rollup.operator.operator import Operator
from tests.exchange.scenario import ALICE, BOB, DAVE
from tests.operator.venue import fund, open_venue, signed


def test_sealed_states_keep_their_roots_while_orders_go_on(tmp_path):
    op = open_venue(tmp_path / "db")
    fund(op, {ALICE: 10_000, BOB: 5_000})
    fund(op, {DAVE: 5_000})  # seals batch 1; no root is taken
    op.place(signed(ALICE, 1, False, 1_000, 5))
    op.place(signed(BOB, 1, True, 1_000, 2))
    op.place(signed(DAVE, 1, True, 1_000, 3))  # the second trade seals batch 2
    op.place(signed(ALICE, 2, False, 990, 4))
    op.place(signed(BOB, 2, True, 990, 1))  # batch 3, open
    assert sorted(op.store.batch(b).status for b in (1, 2)) == ["sealed", "sealed"]
    assert op.sealed_state.account(ALICE).fill_slot(2) == (0, 0)
    assert op.state.account(ALICE).fill_slot(2) == (2, 1)
    # the batch circuit, solved on each sealed batch, reaches the root of the state kept for it
    assert op.run_pipeline() == {1: "sealed", 2: "sealed"}
    first, second = op.store.batch(1), op.store.batch(2)
    assert first.old_root == op.genesis.state().root and second.old_root == first.new_root
    assert second.new_root == op.sealed_state.root
    roots = [op.sealed_state.root, op.root]
    op.close()
    again = Operator.open(tmp_path / "db")  # every state rebuilt from the stored operations
    assert [again.sealed_state.root, again.root] == roots
