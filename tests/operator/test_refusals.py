"""Orders the circuit would reject are refused at the door, each with its reason; a resting order
that a price move left without margin is removed when reached instead of trading."""

from __future__ import annotations

from dataclasses import replace

import pytest

from circuits.exchange.batch import BatchShape
from circuits.field import FR
from circuits.gadgets import babyjub, eddsa
from circuits.gadgets.eddsa import Signature
from circuits.r1cs import UnsatisfiedConstraint
from rollup.exchange.operations import OraclePrice, Order, SignedOrder, Trade, Withdraw
from rollup.exchange.transition import apply_batch
from rollup.operator.operator import Operator, cancel_message
from rollup.operator.refusals import OpRefused, Refusal
from rollup.operator.validity import step
from rollup.orders import CancelReason
from rollup.rejections import OrderRejected, RejectReason
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, CAROL, CAROL_KEY, ORACLE_KEY, market
from tests.operator.venue import GENESIS, fund, open_venue, signed, with_shape


@pytest.fixture
def venue(tmp_path) -> Operator:
    """Alice holds 10,000 and Bob 5,000; market 0 trades at 1,000 (tick 10, lot 1, 10% initial margin)."""
    op = open_venue(tmp_path / "db")
    fund(op, {ALICE: 10_000, BOB: 5_000})
    return op


def refused(op: Operator, order, reason: str) -> None:
    with pytest.raises(OrderRejected) as caught:
        op.place(order)
    assert caught.value.reason == reason


def test_bad_signature(venue):
    refused(venue, signed(ALICE, 1, False, 1_000, 5, key=BOB_KEY), Refusal.BAD_SIGNATURE)


def test_a_small_order_key_signs_nothing(venue):
    """With A of order 2, R8 = S·B8 passes the native equation for any message; the circuit refuses."""
    weak_key = (0, FR - 1)
    venue.deposit(2, CAROL, weak_key, 10_000)
    order = Order(CAROL, 0, False, 1_000, 5, 1, 10_000)
    forged = SignedOrder(order, Signature(babyjub.mul(babyjub.BASE8, 5), 5))
    assert eddsa.verify(order.message(), forged.signature, weak_key)
    refused(venue, forged, Refusal.BAD_SIGNATURE)


def test_unknown_account(venue):
    refused(venue, signed(CAROL, 1, True, 1_000, 5, key=CAROL_KEY), Refusal.UNKNOWN_ACCOUNT)


def test_replayed_order_id(venue, tmp_path):
    order = signed(ALICE, 1, False, 1_000, 5)
    venue.place(order)
    refused(venue, order, RejectReason.DUPLICATE_ORDER_ID)
    venue.place(signed(BOB, 1, True, 1_000, 5))  # fills it: the order is gone from the book
    refused(venue, order, RejectReason.DUPLICATE_ORDER_ID)
    venue.close()
    refused(Operator.open(tmp_path / "db"), order, RejectReason.DUPLICATE_ORDER_ID)  # after a restart too


def test_an_id_older_than_its_fill_slot_holds_is_refused(venue):
    venue.place(signed(ALICE, 5, False, 1_000, 5))  # 4 fill slots: id 5 uses slot 1
    venue.place(signed(BOB, 1, True, 1_000, 5))
    refused(venue, signed(ALICE, 1, False, 1_000, 5), Refusal.STALE_ORDER_ID)


def test_one_open_order_per_fill_slot(venue):
    venue.place(signed(ALICE, 1, False, 1_000, 5))
    refused(venue, signed(ALICE, 5, False, 1_010, 5), Refusal.SLOT_BUSY)
    signature = eddsa.sign(ALICE_KEY, cancel_message(ALICE, 1))
    venue.cancel(ALICE, 1, signature)
    venue.place(signed(ALICE, 5, False, 1_010, 5))


def test_expired(venue):
    refused(venue, signed(ALICE, 1, False, 1_000, 5, expiry=100), RejectReason.EXPIRED)  # oracle time 100


def test_price_off_the_tick(venue):
    refused(venue, signed(ALICE, 1, False, 1_005, 5), RejectReason.PRICE_OFF_TICK)


def test_size_off_the_lot(tmp_path):
    op = open_venue(tmp_path / "db", replace(GENESIS, markets=({**market(1_000), "lot": 5}, market(50))))
    fund(op, {ALICE: 10_000})
    refused(op, signed(ALICE, 1, False, 1_000, 7), RejectReason.SIZE_OFF_LOT)
    op.place(signed(ALICE, 1, False, 1_000, 10))


def test_unknown_market(venue):
    refused(venue, signed(ALICE, 1, False, 1_000, 5, market=2), RejectReason.UNKNOWN_MARKET)


def test_insufficient_margin_at_the_initial_margin_boundary(venue):
    # buying n at 1,000 leaves TV = 5,000 − n (the fee) against 100·n initial margin: n ≤ 49
    refused(venue, signed(BOB, 1, True, 1_000, 50), Refusal.INSUFFICIENT_MARGIN)
    venue.place(signed(BOB, 1, True, 1_000, 49))


def test_cancel_needs_the_accounts_signature(venue):
    venue.place(signed(ALICE, 1, False, 1_000, 5))
    with pytest.raises(OpRefused) as caught:
        venue.cancel(ALICE, 1, eddsa.sign(BOB_KEY, cancel_message(ALICE, 1)))
    assert caught.value.reason == Refusal.BAD_SIGNATURE
    assert venue.store.order(ALICE, 1).status == "resting" and (ALICE, 1) in venue.engine.book(0)


def test_other_operations_are_checked_too(venue):
    with pytest.raises(OpRefused, match=Refusal.DEPOSIT_ORDER):
        venue.deposit(5, CAROL, eddsa.public_key(CAROL_KEY), 1)
    with pytest.raises(OpRefused, match=Refusal.KEY_MISMATCH):
        venue.deposit(2, ALICE, eddsa.public_key(BOB_KEY), 1)
    with pytest.raises(OpRefused, match=Refusal.BAD_SIGNATURE):
        venue.oracle(OraclePrice.signed(ALICE_KEY, 0, 1_000, 200))
    with pytest.raises(OpRefused, match=Refusal.MOVE_TOO_LARGE):
        venue.oracle(OraclePrice.signed(ORACLE_KEY, 0, 1_300, 200))  # 30% > the 20% bound
    with pytest.raises(OpRefused, match=Refusal.INSUFFICIENT_MARGIN):
        venue.withdraw(Withdraw.signed(ALICE_KEY, ALICE, 1, 10_001, 0))
    with pytest.raises(OpRefused, match=Refusal.BAD_SIGNATURE):
        venue.withdraw(Withdraw.signed(ALICE_KEY, ALICE, 1, 100, 1))  # signed over the wrong nonce
    assert venue.store.ops()[-1].op.op_type == "deposit"  # nothing refused was queued


def test_a_maker_without_margin_at_fill_time_is_removed(venue):
    venue.place(signed(BOB, 1, True, 1_000, 45))  # fine at 1,000
    venue.oracle(OraclePrice.signed(ORACLE_KEY, 0, 900, 200))  # at 900 the fill would leave TV 455 < 4,050
    placed = venue.place(signed(ALICE, 1, False, 1_000, 45))
    assert placed.result.fills == () and placed.result.resting == 45
    (removed,) = placed.result.removed_makers
    assert removed.order.key == (BOB, 1) and removed.reason is CancelReason.REFUSED_AT_FILL
    assert venue.store.order(BOB, 1).status == "cancelled"


@pytest.mark.slow
def test_the_native_margin_check_agrees_with_the_circuit(venue):
    """The same boundary as above, as trades: 49 lots solve the trade circuit, 50 do not."""
    shape = BatchShape(("trade",))
    state = venue.state
    for size, ok in ((49, True), (50, False)):
        trade = Trade(signed(BOB, 1, True, 1_000, size), signed(ALICE, 1, False, 1_000, size), size)
        if ok:
            assert apply_batch(state, shape, [trade]).new_root == step(state, trade).root
        else:
            with pytest.raises(OpRefused, match=Refusal.INSUFFICIENT_MARGIN):
                step(state, trade)
            with pytest.raises(UnsatisfiedConstraint, match="margin"):
                apply_batch(state, shape, [trade])


def test_oracle_prices_and_withdrawals_are_verified_compiled_with_the_circuits_rules(tmp_path, monkeypatch):
    """Oracle prices and withdrawals are checked by the compiled verifier (not the ~80 ms native
    one), which refuses what the circuit refuses: another key's signature, a changed field, a key of
    small order."""

    def native(*args):
        raise AssertionError("a signature was verified natively")

    venue = open_venue(tmp_path / "db", with_shape(("oracle", "deposit", "withdraw", "withdraw")))
    fund(venue, {ALICE: 10_000})
    monkeypatch.setattr(eddsa, "verify", native)
    price = OraclePrice.signed(ORACLE_KEY, 0, 1_010, 150)
    with pytest.raises(OpRefused) as caught:
        venue.oracle(OraclePrice.signed(ALICE_KEY, 0, 1_010, 150))
    assert caught.value.reason == Refusal.BAD_SIGNATURE
    with pytest.raises(OpRefused) as caught:
        venue.oracle(replace(price, price=1_020))
    assert caught.value.reason == Refusal.BAD_SIGNATURE
    venue.oracle(price)
    assert venue.state.market(0)["price"] == 1_010

    with pytest.raises(OpRefused) as caught:
        venue.withdraw(Withdraw.signed(BOB_KEY, ALICE, 0xBEEF, 100, 0))
    assert caught.value.reason == Refusal.BAD_SIGNATURE
    venue.withdraw(Withdraw.signed(ALICE_KEY, ALICE, 0xBEEF, 100, 0))
    assert venue.state.account(ALICE).collateral == 10_000 - 100

    weak_key = (0, FR - 1)  # order 2: R8 = S·B8 satisfies the native equation for any message
    venue.deposit(1, CAROL, weak_key, 1_000)
    forged = Withdraw(CAROL, 0xBEEF, 100, Signature(babyjub.mul(babyjub.BASE8, 5), 5))
    with pytest.raises(OpRefused) as caught:
        venue.withdraw(forged)
    assert caught.value.reason == Refusal.BAD_SIGNATURE
