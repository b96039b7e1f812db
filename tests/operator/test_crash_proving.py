"""Crash safety with real proofs: the operator (tests/operator/proving_crash_driver.py, in a child
process) is killed with SIGKILL while Groth16 proves a sealed batch, restarted, and finally run to
the end. Every batch is then proved, by one proof that verifies, never proved again once recorded,
and the state root equals a replay from genesis."""

from __future__ import annotations

import random
import time

import pytest

from rollup.exchange.replay import replay
from rollup.operator.operator import Operator
from rollup.operator.proving import Groth16Prover
from rollup.operator.records import advance
from tests.exchange.scenario import CONFIG
from tests.operator.proving_crash_driver import VENUE
from tests.operator.test_crash_safety import Child
from verifier.groth16 import verify
from verifier.snarkjs_json import proof_from_json

pytestmark = pytest.mark.slow
DRIVER = "tests.operator.proving_crash_driver"
KILL_AT_PROOF = (1, 2, 1)  # each run is killed during its n-th proof: batch 1, batch 2, batch 2
KILL_DELAY = (0.05, 1.0)  # seconds after a proof starts; proving this circuit takes longer (2-8 s)


def test_a_kill_during_proving_resumes_and_proves_each_batch_once(tmp_path, circuit_keys):
    verifying_key = Groth16Prover(CONFIG, circuit_keys).verifying_key(VENUE.shape)  # the key, made once
    db = tmp_path / "venue.db"
    rng = random.Random(2026)
    runs = []
    for proof in KILL_AT_PROOF:
        child = Child(db, DRIVER, str(circuit_keys))
        assert child.wait_for_phase("prove", timeout=180, times=proof), child.process.stderr.read()
        time.sleep(rng.uniform(*KILL_DELAY))
        child.kill()
        runs.append(child.lines)
        assert child.lines[-1].get("phase") == "prove"  # killed while the proof was being made
    last = Child(db, DRIVER, str(circuit_keys))
    assert last.finish(timeout=300) == 0, last.process.stderr.read()
    runs.append(last.lines)
    assert last.lines[-1].get("done")

    op = Operator.open(db)
    batches = op.store.batches()
    assert [batch.status for batch in batches] == ["proved", "proved"]
    batch_of = {str(batch.commitment): batch.id for batch in batches}
    for lines in runs:  # a batch proved when a run started is never proved again
        proving = {batch_of[line["commitment"]] for line in lines if line.get("phase") == "prove"}
        assert not proving & set(lines[0]["proved"])
    assert [lines[0]["proved"] for lines in runs] == [[], [], [1], [1]]
    proofs = {
        line["commitment"]: line["proof"] for lines in runs for line in lines if line.get("ack") == "proof"
    }
    state = VENUE.state()
    for batch in batches:
        assert batch.proof == proofs[str(batch.commitment)]  # the last proof made is the one recorded
        assert verify(verifying_key, [batch.commitment], proof_from_json(batch.proof, f"batch {batch.id}"))
        assert batch.old_root == state.root
        state = replay(state, batch.pubdata)
        assert batch.new_root == state.root
    assert (
        op.root
        == advance(VENUE.state(), [row.op for row in op.store.ops()]).root
        == int(last.lines[-1]["root"])
    )
