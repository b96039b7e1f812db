"""A batch built from a real sequence of orders goes sealed → proved (Groth16, verified) →
submitted → settled, each state durable: an operator that stops after any step resumes there."""

from __future__ import annotations

import random

import pytest

from circuits.gadgets import eddsa
from rollup.operator.chain_settlement import ChainSettlement
from rollup.operator.operator import Operator
from rollup.operator.proving import Groth16Prover
from rollup.operator.records import l2_key
from rollup.operator.store import BatchRow
from tests.exchange.scenario import ALICE, BOB, CONFIG
from tests.operator.venue import KEYS, fund, open_venue, signed, with_shape
from verifier.chain import Chain
from verifier.commitment import batch_commitment
from verifier.groth16 import verify
from verifier.settlement import DEFAULT_ETH_QUANTUM, deploy_settlement, deposit_eth, rollup_status
from verifier.snarkjs_json import proof_from_json

pytestmark = pytest.mark.slow
PROVED_VENUE = with_shape(("deposit", "deposit", "trade"))  # 105k constraints: a 2^17 domain


class Settlement:
    """Stands in for the chain: records submissions; a batch is final once ``final`` says so."""

    def __init__(self, final: bool) -> None:
        self.final = final
        self.submitted: list[int] = []

    def submit(self, batch: BatchRow) -> str:
        self.submitted.append(batch.id)
        return f"0x{batch.id:064x}"

    def settled(self, tx: str) -> bool:
        return self.final


class Interrupted(Exception):
    pass


def interrupted_prover(shape, result):
    raise Interrupted  # the process "dies" after the batch was applied, before it was proved


def test_a_real_batch_is_proved_verified_and_resumed_after_each_step(tmp_path, circuit_keys):
    db = tmp_path / "db"
    op = open_venue(db, PROVED_VENUE, prover=interrupted_prover)
    fund(op, {ALICE: 100_000, BOB: 20_000})
    op.place(signed(ALICE, 1, False, 1_000, 10))
    op.place(signed(ALICE, 2, False, 990, 10))
    op.place(signed(BOB, 1, True, 1_010, 1))  # takes 1 at 990, Alice's better ask: the batch is full
    assert [batch.status for batch in op.store.batches()] == ["sealed"]
    (trade,) = [o for o in op.batch_ops(1) if o.op_type == "trade"]
    assert trade.maker.order.order_id == 2 and trade.size_lots == 1
    with pytest.raises(Interrupted):
        op.run_pipeline()
    applied = op.store.batch(1)
    assert applied.status == "sealed" and applied.pubdata is not None  # applied, committed, not proved
    op.close()

    prover = Groth16Prover(CONFIG, circuit_keys, rng=random.Random(3))
    settlement = Settlement(final=False)
    op = Operator.open(db, prover=prover, settlement=settlement)
    assert op.run_pipeline() == {1: "submitted"}
    row = op.store.batch(1)
    assert row.pubdata == applied.pubdata and row.new_root == op.root
    assert [int(x) for x in row.public] == [row.commitment]
    assert row.commitment == batch_commitment(row.old_root, row.new_root, row.pubdata)
    assert verify(
        prover.verifying_key(PROVED_VENUE.shape), [row.commitment], proof_from_json(row.proof, "batch 1")
    )
    op.close()

    settlement.final = True
    op = Operator.open(db, prover=prover, settlement=settlement)
    assert op.run_pipeline() == {1: "settled"} and settlement.submitted == [1]  # not submitted twice
    op.close()
    assert Operator.open(db).run_pipeline() == {}  # nothing left to do


def test_a_proved_batch_settles_on_chain(tmp_path, circuit_keys):
    """The rollup contract on the embedded chain accepts the operator's batch: proof, pubdata and
    the deposits it consumes from the contract's queue."""
    prover = Groth16Prover(CONFIG, circuit_keys, rng=random.Random(3))
    chain = Chain.embedded()
    deployment = deploy_settlement(chain, prover.verifying_key(PROVED_VENUE.shape), PROVED_VENUE.state().root)
    rollup = chain.contract("ZkClearRollup", deployment.rollup)
    op = open_venue(tmp_path / "db", PROVED_VENUE, prover=prover, settlement=ChainSettlement(chain, rollup))
    for account in (ALICE, BOB):
        pk = eddsa.public_key(KEYS[account])
        queue_index = deposit_eth(chain, rollup, l2_key(pk), 20_000 * DEFAULT_ETH_QUANTUM)
        op.deposit(queue_index, account, pk, 20_000)
    op.place(signed(ALICE, 1, False, 1_000, 10))
    op.place(signed(BOB, 1, True, 1_000, 3))
    assert op.run_pipeline() == {1: "settled"}
    status = rollup_status(chain, rollup)
    assert (status.state_root, status.batch_number, status.deposit_head) == (op.root, 1, 2)
