"""A real batch proved with Groth16 and verified: the smallest batch (one funding tick on a tiny
accounts tree), set up on a local development ptau. Slow: the commitment's SHA-256 alone needs
two blocks, so the circuit has about 2^16 constraints."""

from __future__ import annotations

import os
import random

import pytest

from circuits.cs import compile_circuit
from circuits.exchange.batch import BatchShape, batch_circuit
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets import eddsa
from prover.backends import BACKENDS
from prover.groth16 import UnsatisfiedWitness, prove
from prover.ptau import new_ptau, read_ptau
from prover.setup import domain_log_size, setup
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import apply_batch
from tests.exchange.scenario import ORACLE_KEY, funding, market
from verifier.groth16 import verify

TINY = ExchangeConfig(n_markets=1, account_depth=1, order_depth=1)
SHAPE = BatchShape(("funding",))
BACKEND = "fast" if "fast" in BACKENDS else "reference"
OPT_IN = "ZKCLEAR_PROVE_EXCHANGE"

# the development ptau and the setup of a 2^16 circuit run in plain Python (about ten minutes on two
# shared cores), too long for the default suite: the test runs on request
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get(OPT_IN), reason=f"set {OPT_IN}=1 to prove a batch (~15 min)"),
]


def test_funding_batch_is_proved_and_verified(tmp_path):
    state = ExchangeState(TINY, [market(1_000)], eddsa.public_key(ORACLE_KEY))
    result = apply_batch(state, SHAPE, [funding(7)])
    r1cs = compile_circuit(batch_circuit(TINY, SHAPE))
    new_ptau(domain_log_size(r1cs), tmp_path / "dev.ptau", random.Random(1))
    pk = setup(r1cs, read_ptau(tmp_path / "dev.ptau"), random.Random(2))

    proof, public = prove(pk, result.witness, backend=BACKEND, r1cs=r1cs)
    assert public == [result.commitment]
    assert verify(pk.verifying_key(), public, proof)
    assert not verify(pk.verifying_key(), [result.commitment ^ 1], proof)

    forged = list(result.witness)
    forged[1] ^= 1  # claim another commitment
    with pytest.raises(UnsatisfiedWitness):
        prove(pk, forged, backend=BACKEND, r1cs=r1cs)
