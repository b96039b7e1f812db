"""A 40% crash (1,000 → 900 → 720 → 600): a liquidation whose shortfall the insurance fund absorbs,
then a bankruptcy the fund cannot cover, settled by deleveraging the most profitable short; every
account keeps TV ≥ 0 and collateral plus the fund is conserved by every batch."""

from __future__ import annotations

import pytest

from circuits.exchange.batch import BatchShape
from circuits.r1cs import UnsatisfiedConstraint
from rollup.exchange.operations import Deleverage
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import apply_batch
from tests.exchange import scenario
from tests.exchange.conftest import assert_replays, compiled
from tests.exchange.scenario import (
    ALICE,
    BOB,
    DAVE,
    liquidate,
    oracle,
)
from verifier.pubdata_layout import decode_records

THEN_LIQUIDATE = BatchShape(("oracle", "liquidate"))
THEN_DELEVERAGE = BatchShape(("oracle", "deleverage"))


def total(state: ExchangeState) -> int:
    return sum(a.collateral for a in state.accounts.values()) + state.insurance


def value(state: ExchangeState, index: int) -> int:
    account = state.account(index)
    return account.collateral + sum(p * state.market(m)["price"] for m, p in enumerate(account.position))


def all_solvent(state: ExchangeState) -> bool:
    return all(value(state, i) >= 0 for i in state.accounts)


@pytest.fixture(scope="module")
def before_crash() -> ExchangeState:
    return scenario.before_crash()


def test_crash_liquidation_then_deleveraging(before_crash):
    state = before_crash
    assert all_solvent(state) and state.insurance == 1_110

    # 1,000 → 900: Bob (TV 455 < maintenance 2,025) is liquidated; the fund absorbs his 841 shortfall
    with pytest.raises(UnsatisfiedConstraint, match="fund exhausted"):  # the fund could pay: no deleverage
        apply_batch(state, THEN_DELEVERAGE, [oracle(900), Deleverage(BOB, ALICE, 0, 45, 900)])
    result = apply_batch(state, THEN_LIQUIDATE, [oracle(900), liquidate(45, 880)])
    compiled(THEN_LIQUIDATE.slots).check(result.witness)
    assert_replays(state, result)
    after = result.state
    assert after.account(BOB).position == (0, 0) and after.account(BOB).collateral == 0
    assert after.insurance == 1_110 + 396 - 841
    assert total(after) == total(state) and all_solvent(after)
    state = after

    # 900 → 720: Dave is bankrupt (TV −1,310) beyond the fund (665); liquidating him is refused
    with pytest.raises(UnsatisfiedConstraint, match="insurance fund"):
        apply_batch(state, THEN_LIQUIDATE, [oracle(720, 300), liquidate(10, 700, account=DAVE, order_id=2)])
    # he is deleveraged against Alice (short 55, the profitable side) at his bankruptcy price, 851
    with pytest.raises(UnsatisfiedConstraint, match="bankruptcy price"):  # 852 would leave him 10 in profit
        apply_batch(state, THEN_DELEVERAGE, [oracle(720, 300), Deleverage(DAVE, ALICE, 0, 10, 852)])
    result = apply_batch(state, THEN_DELEVERAGE, [oracle(720, 300), Deleverage(DAVE, ALICE, 0, 10, 851)])
    compiled(THEN_DELEVERAGE.slots).check(result.witness)
    assert_replays(state, result)
    assert decode_records(result.pubdata)[1] == ("deleverage", {
        "account": DAVE, "counterparty": ALICE, "market_side": 0, "size_lots": 10, "price": 851})  # fmt: skip
    after = result.state
    assert after.account(DAVE).position == (0, 0) and after.account(DAVE).collateral == 0
    assert after.account(ALICE).position == (-45, 0)
    assert total(after) == total(state) and all_solvent(after)
    state = after

    # 720 → 600: the crash reaches 40%; everyone left stays solvent
    state = apply_batch(state, BatchShape(("oracle",)), [oracle(600, 400)]).state
    assert state.market(0)["price"] == 600 and all_solvent(state)
    assert state.insurance == 665
