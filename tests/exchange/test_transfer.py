"""Transfers between one key's accounts: opening an isolated account, its market binding, the way
back, and the rules (same key, source margin, signature)."""

from __future__ import annotations

import pytest

from circuits.exchange.batch import BatchShape
from circuits.r1cs import UnsatisfiedConstraint
from rollup.exchange.operations import Trade, Transfer
from rollup.exchange.transition import apply_batch
from tests.exchange.conftest import assert_replays, compiled
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, order
from verifier.pubdata_layout import decode_records

TRANSFER = BatchShape(("transfer",))
ISOLATED = 5  # Alice's isolated account for market 0


@pytest.fixture(scope="module")
def isolated(deposited):
    """Alice moves 1,000 into a fresh account bound to market 0."""
    return apply_batch(deposited.state, TRANSFER, [Transfer.signed(ALICE_KEY, ALICE, ISOLATED, 1_000, 1, 0)])


def test_transfer_opens_an_isolated_account(deposited, isolated):
    compiled(TRANSFER.slots).check(isolated.witness)
    assert_replays(deposited.state, isolated)
    assert decode_records(isolated.pubdata) == [
        ("transfer", {"source": ALICE, "target": ISOLATED, "amount": 1_000, "isolated": 1})
    ]
    state = isolated.state
    assert state.account(ALICE).collateral == 9_000 and state.account(ISOLATED).collateral == 1_000
    assert state.account(ISOLATED).values.isolated == 1
    assert (state.account(ISOLATED).values.pk_x, state.account(ISOLATED).values.pk_y) == (
        state.account(ALICE).values.pk_x, state.account(ALICE).values.pk_y)  # fmt: skip
    assert state.account(ALICE).values.nonce == 1


def test_isolated_account_trades_only_its_market(isolated):
    def trade_in(market: int, price: int) -> Trade:
        taker = order(BOB, BOB_KEY, market=market, is_buy=True, price=price, amount=1, order_id=1)
        maker = order(ISOLATED, ALICE_KEY, market=market, is_buy=False, price=price, amount=1, order_id=1)
        return Trade(taker, maker, 1)

    shape = BatchShape(("trade",))
    assert apply_batch(isolated.state, shape, [trade_in(0, 1_000)]).state.account(ISOLATED).position == (
        -1,
        0,
    )
    with pytest.raises(UnsatisfiedConstraint, match="isolated market"):
        apply_batch(isolated.state, shape, [trade_in(1, 50)])


def test_transfer_back_to_cross(isolated):
    back = Transfer.signed(ALICE_KEY, ISOLATED, ALICE, 400, 0, 0)
    result = apply_batch(isolated.state, TRANSFER, [back])
    assert_replays(isolated.state, result)
    state = result.state
    assert state.account(ALICE).collateral == 9_400 and state.account(ISOLATED).collateral == 600


def test_transfer_to_another_key_is_refused(deposited):
    with pytest.raises(UnsatisfiedConstraint, match="same key and binding"):
        apply_batch(deposited.state, TRANSFER, [Transfer.signed(ALICE_KEY, ALICE, BOB, 10, 0, 0)])


def test_transfer_cannot_rebind_an_account(isolated):
    with pytest.raises(UnsatisfiedConstraint, match="same key and binding"):
        apply_batch(isolated.state, TRANSFER, [Transfer.signed(ALICE_KEY, ALICE, ISOLATED, 10, 2, 1)])


def test_transfer_signed_by_another_key_is_refused(deposited):
    with pytest.raises(UnsatisfiedConstraint, match="signature"):
        apply_batch(deposited.state, TRANSFER, [Transfer.signed(BOB_KEY, ALICE, ISOLATED, 10, 1, 0)])


def test_transfer_leaving_the_source_under_margin(deposited):
    bob_buys = order(BOB, BOB_KEY, is_buy=True, price=1_000, amount=20, order_id=1)
    alice_sells = order(ALICE, ALICE_KEY, is_buy=False, price=1_000, amount=20, order_id=1)
    opened = apply_batch(deposited.state, BatchShape(("trade",)), [Trade(bob_buys, alice_sells, 20)]).state
    # Bob: TV 4,980 against 2,000 initial margin
    with pytest.raises(UnsatisfiedConstraint, match="margin"):
        apply_batch(opened, TRANSFER, [Transfer.signed(BOB_KEY, BOB, 6, 2_981, 1, 0)])
    assert (
        apply_batch(opened, TRANSFER, [Transfer.signed(BOB_KEY, BOB, 6, 2_980, 1, 0)])
        .state.account(6)
        .collateral
        == 2_980
    )
