"""Session fixtures: a funded state (two accounts with collateral) and compiled batch circuits."""

from __future__ import annotations

from functools import cache

import pytest

from circuits.cs import compile_circuit
from circuits.exchange.batch import BatchShape, batch_circuit
from circuits.r1cs import R1CS
from rollup.exchange.replay import replay
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import BatchResult, apply_batch
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, CONFIG, deposit, genesis

DEPOSITS = BatchShape(("deposit", "deposit"))


@cache
def compiled(slots: tuple[str, ...]) -> R1CS:
    return compile_circuit(batch_circuit(CONFIG, BatchShape(slots)))


def assert_replays(before: ExchangeState, result: BatchResult) -> None:
    """The batch's pubdata alone rebuilds the state root the circuit committed to."""
    assert replay(before, result.pubdata).root == result.new_root


@pytest.fixture(scope="session")
def deposited():
    """The deposit batch that funds Alice (10,000) and Bob (5,000) from genesis."""
    return apply_batch(genesis(), DEPOSITS, [deposit(ALICE, ALICE_KEY, 10_000), deposit(BOB, BOB_KEY, 5_000)])


@pytest.fixture
def funded(deposited) -> ExchangeState:
    return deposited.state
