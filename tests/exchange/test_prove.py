"""Every operation type proved in a real batch and verified: one batch shape with a slot of each of
the eight types, keys from the development setup, and two batches of a 40% crash through it (the
first liquidates an account the fund can cover, the second deleverages one it cannot)."""

from __future__ import annotations

import random

import pytest

from circuits.exchange.batch import BatchShape
from circuits.field import FR
from rollup.exchange.operations import Deleverage, Trade, Transfer
from rollup.exchange.proving import BatchProver
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import BatchResult, apply_batch
from tests.exchange.conftest import assert_replays
from tests.exchange.scenario import (
    ALICE,
    ALICE_KEY,
    CAROL,
    CAROL_KEY,
    CONFIG,
    DAVE,
    before_crash,
    deposit,
    funding,
    liquidate,
    oracle,
    order,
    withdraw,
)
from verifier.groth16 import verify
from verifier.pubdata_layout import decode_records

pytestmark = pytest.mark.slow

EVERY_OP = BatchShape(
    ("oracle", "deposit", "trade", "transfer", "withdraw", "liquidate", "deleverage", "funding")
)
ERIN, ERIN_KEY = 5, bytes([5]) * 32
ALICE_ISOLATED = 12


@pytest.fixture(scope="module")
def prover(tmp_path_factory) -> BatchProver:
    return BatchProver(CONFIG, EVERY_OP, tmp_path_factory.mktemp("keys"), rng=random.Random(5))


def first_batch(state: ExchangeState) -> BatchResult:
    """The price falls to 900; Erin deposits and buys 2 from Carol; Alice moves 1,000 to an isolated
    account and withdraws 100; Carol liquidates Bob."""
    erin_buys = order(ERIN, ERIN_KEY, is_buy=True, price=910, amount=2, order_id=1)
    carol_sells = order(CAROL, CAROL_KEY, is_buy=False, price=900, amount=2, order_id=2)
    ops = [
        oracle(900),
        deposit(ERIN, ERIN_KEY, 20_000),
        Trade(erin_buys, carol_sells, 2),
        Transfer.signed(ALICE_KEY, ALICE, ALICE_ISOLATED, 1_000, 1, 0),
        withdraw(100, nonce=1),
        liquidate(45, 880),
        None,
        None,
    ]
    return apply_batch(state, EVERY_OP, ops)


def second_batch(state: ExchangeState) -> BatchResult:
    """The price falls to 720: Dave's shortfall exceeds the fund, so he is deleveraged against Alice;
    then the funding index moves."""
    ops: list = [None] * len(EVERY_OP.slots)
    ops[0] = oracle(720, 300)
    ops[6] = Deleverage(DAVE, ALICE, 0, 10, 851)
    ops[7] = funding(3)
    return apply_batch(state, EVERY_OP, ops)


def operations(result: BatchResult) -> list[str]:
    """The batch's records by name, without the zero bytes of disabled slots."""
    return [name for name, _ in decode_records(result.pubdata) if name != "noop"]


def assert_proved(prover: BatchProver, result: BatchResult) -> None:
    proof, public = prover.prove(result)
    assert public == [result.commitment]
    assert verify(prover.verifying_key, public, proof)
    assert not verify(prover.verifying_key, [(result.commitment + 1) % FR], proof)


def test_every_operation_type_is_proved_and_verified(prover):
    state = before_crash()
    first = first_batch(state)
    assert operations(first) == ["oracle", "deposit", "trade", "transfer", "withdraw", "liquidate"]
    assert_replays(state, first)
    assert_proved(prover, first)

    second = second_batch(first.state)
    assert operations(second) == ["oracle", "deleverage", "funding"]
    assert_replays(first.state, second)
    assert_proved(prover, second)
    assert second.state.account(DAVE).position == (0, 0)


def test_a_broken_witness_is_not_proved(prover):
    """Flipping one solved wire of a valid batch breaks a constraint: the prover refuses to prove it."""
    from prover.groth16 import UnsatisfiedWitness

    result = first_batch(before_crash())
    forged = list(result.witness)
    forged[1] = (forged[1] + 1) % FR  # claim another commitment
    result.witness = forged
    with pytest.raises(UnsatisfiedWitness):
        prover.prove(result)
