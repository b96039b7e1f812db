"""Liquidations: only of unhealthy accounts, within the penalty bound, reduce only; the insurance
fund absorbs a closed account's shortfall, and a fund that cannot makes the liquidation invalid."""

from __future__ import annotations

import pytest

from circuits.exchange.batch import BatchShape
from circuits.r1cs import UnsatisfiedConstraint
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import apply_batch
from tests.exchange.conftest import assert_replays, compiled
from tests.exchange.scenario import (
    ALICE,
    ALICE_KEY,
    BOB,
    BOB_KEY,
    CAROL,
    CAROL_KEY,
    deposit,
    genesis,
    liquidate,
    oracle,
    trade,
)
from verifier.pubdata_layout import decode_records

LIQUIDATE = ("liquidate",)
FUND = 20_000


def opened(insurance: int) -> ExchangeState:
    """Alice 10,000, Bob 5,000 and Carol 50,000 deposited; Bob long 45 at 1,000 (near his limit)."""
    shape = BatchShape(("deposit", "deposit", "deposit", "trade"))
    ops = [deposit(ALICE, ALICE_KEY, 10_000), deposit(BOB, BOB_KEY, 5_000), deposit(CAROL, CAROL_KEY, 50_000),
           trade(size=45, amount=45)]  # fmt: skip
    return apply_batch(genesis(insurance), shape, ops).state


@pytest.fixture(scope="module")
def crashed() -> ExchangeState:
    """The price falls 20% to 800: Bob (TV −4,045) is under water."""
    return apply_batch(opened(FUND), BatchShape(("oracle",)), [oracle(800)]).state


def total_value(state: ExchangeState) -> int:
    return sum(a.collateral for a in state.accounts.values()) + state.insurance


def test_healthy_account_is_not_liquidated():
    state = opened(FUND)  # at 1,000 Bob's TV 4,955 is above maintenance (2,250)
    with pytest.raises(UnsatisfiedConstraint, match="unhealthy"):
        apply_batch(state, BatchShape(LIQUIDATE), [liquidate(45, 1_000)])


def test_liquidation_closes_the_position_and_the_fund_absorbs_the_shortfall(crashed):
    result = apply_batch(crashed, BatchShape(LIQUIDATE), [liquidate(45, 780)])  # 2.5% under the oracle
    compiled(LIQUIDATE).check(result.witness)
    assert_replays(crashed, result)
    assert decode_records(result.pubdata) == [("liquidate", {
        "liquidator": CAROL, "account": BOB, "market_side": 128, "size_lots": 45, "price_ticks": 78,
        "liquidator_order": 1})]  # fmt: skip
    after = result.state
    assert after.account(BOB).position == (0, 0) and after.account(BOB).collateral == 0
    assert after.account(CAROL).position == (45, 0)
    # Bob: −40,045 + 45·780 = −4,945, minus the 1% liquidation fee (351): the fund pays the rest
    assert after.insurance == crashed.insurance + 351 - 5_296
    assert total_value(after) == total_value(crashed)  # collateral + fund conserved
    assert all(a.collateral + sum(p * after.market(m)["price"] for m, p in enumerate(a.position)) >= 0
               for a in after.accounts.values())  # fmt: skip


def test_partial_liquidation_keeps_the_rest(crashed):
    result = apply_batch(crashed, BatchShape(LIQUIDATE), [liquidate(20, 800)])
    assert_replays(crashed, result)
    after = result.state
    assert after.account(BOB).position == (25, 0)
    assert after.account(BOB).collateral == -40_045 + 20 * 800 - 160  # no shortfall while a position is open


def test_price_beyond_the_penalty_bound(crashed):
    with pytest.raises(UnsatisfiedConstraint, match="penalty bound"):
        apply_batch(crashed, BatchShape(LIQUIDATE), [liquidate(45, 770)])  # 3.75% under the oracle


def test_liquidation_cannot_flip_the_position(crashed):
    with pytest.raises(UnsatisfiedConstraint, match="reduce only"):
        apply_batch(crashed, BatchShape(LIQUIDATE), [liquidate(46, 800)])


def test_liquidation_cannot_grow_the_position(crashed):
    with pytest.raises(UnsatisfiedConstraint, match="reduce only"):
        apply_batch(crashed, BatchShape(LIQUIDATE), [liquidate(5, 800, is_buy=False)])


def test_an_exhausted_fund_cannot_absorb_a_shortfall():
    state = apply_batch(opened(0), BatchShape(("oracle",)), [oracle(800)]).state
    with pytest.raises(UnsatisfiedConstraint, match="insurance fund"):
        apply_batch(state, BatchShape(LIQUIDATE), [liquidate(45, 780)])
