"""A batch built from a real sequence of orders goes sealed → proved (Groth16, verified) →
submitted → settled, each state durable: an operator that stops after any step resumes there."""

from __future__ import annotations

import json
import random

import pytest

from rollup.operator.operator import Operator
from rollup.operator.proving import Groth16Prover
from rollup.operator.store import BatchRow
from tests.exchange.scenario import ALICE, BOB, CONFIG
from tests.operator.venue import fund, open_venue, signed, with_shape
from verifier.commitment import batch_commitment
from verifier.groth16 import verify
from verifier.snarkjs_json import load_proof

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


def test_a_real_batch_is_proved_verified_and_resumed_after_each_step(tmp_path):
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

    prover = Groth16Prover(CONFIG, tmp_path / "keys", rng=random.Random(3))
    settlement = Settlement(final=False)
    op = Operator.open(db, prover=prover, settlement=settlement)
    assert op.run_pipeline() == {1: "submitted"}
    row = op.store.batch(1)
    assert row.pubdata == applied.pubdata and row.new_root == op.root
    assert [int(x) for x in row.public] == [row.commitment]
    assert row.commitment == batch_commitment(row.old_root, row.new_root, row.pubdata)
    (tmp_path / "proof.json").write_text(json.dumps(row.proof))
    assert verify(
        prover.verifying_key(PROVED_VENUE.shape), [row.commitment], load_proof(tmp_path / "proof.json")
    )

    settlement.final = True
    op = Operator.open(db, prover=prover, settlement=settlement)
    assert op.run_pipeline() == {1: "settled"} and settlement.submitted == [1]  # not submitted twice
    assert Operator.open(db).run_pipeline() == {}  # nothing left to do
