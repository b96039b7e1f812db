"""Each rule, broken: the batch circuit itself refuses to solve (the operator checks nothing), and
the failure names the rule's scope."""

from __future__ import annotations

import dataclasses

import pytest

from circuits.cs import solve
from circuits.exchange.batch import BatchShape, batch_circuit
from circuits.r1cs import UnsatisfiedConstraint
from rollup.exchange.operations import OraclePrice, Trade, Withdraw, account_inputs
from rollup.exchange.state import Account
from rollup.exchange.transition import apply_batch
from tests.exchange.conftest import compiled
from tests.exchange.scenario import (
    ALICE,
    ALICE_KEY,
    BOB,
    BOB_KEY,
    CONFIG,
    RECIPIENT,
    deposit,
    funding,
    oracle,
    order,
    trade,
    withdraw,
)
from tests.exchange.test_transition import commitment
from tests.gadgets.harness import hint_values, run_cheating

TRADE = BatchShape(("trade",))


def rejected(state, shape, ops, scope: str) -> None:
    with pytest.raises(UnsatisfiedConstraint, match=scope):
        apply_batch(state, shape, ops)


def test_forged_order_signature(funded):
    taker = order(BOB, ALICE_KEY, is_buy=True, price=1_020, amount=10, order_id=1)  # Alice signs for Bob
    maker = order(ALICE, ALICE_KEY, is_buy=False, price=1_000, amount=10, order_id=1)
    rejected(funded, TRADE, [Trade(taker, maker, 2)], "taker/signature")


def test_order_changed_after_signing(funded):
    honest = trade()
    tampered = dataclasses.replace(honest.maker, order=dataclasses.replace(honest.maker.order, amount=1_000))
    rejected(funded, TRADE, [Trade(honest.taker, tampered, 2)], "maker/signature")


def test_replayed_fill(funded):
    filled = apply_batch(funded, TRADE, [trade(size=10, amount=10)]).state
    rejected(filled, TRADE, [trade(size=1, amount=10)], "taker/fill")


def test_overfill_in_one_trade(funded):
    rejected(funded, TRADE, [trade(size=11, amount=10)], "taker/fill")


def test_old_order_id_in_a_reused_slot(funded):
    newer = apply_batch(funded, TRADE, [trade(size=1, taker_id=5, maker_id=5)]).state
    rejected(newer, TRADE, [trade(size=1, taker_id=1, maker_id=6)], "taker/fill")  # 1 and 5 share slot 1


def test_trade_under_initial_margin(funded):
    # Bob (5,000) buying 60 at 1,000 needs 6,000 of initial margin
    rejected(funded, TRADE, [trade(size=60, amount=60)], "taker/margin")


def test_only_a_reducing_trade_is_spared_initial_margin(funded):
    opened = apply_batch(funded, TRADE, [trade(size=49, amount=49)]).state  # Bob long 49, near the limit
    shape = BatchShape(("oracle", "trade"))
    # at 990 Bob's TV (≈4,461) is under initial margin (4,851) but above maintenance (2,425)
    sell = order(BOB, BOB_KEY, is_buy=False, price=990, amount=1, order_id=2)
    buy_back = order(ALICE, ALICE_KEY, is_buy=True, price=990, amount=1, order_id=2)
    reduced = apply_batch(opened, shape, [oracle(990), Trade(sell, buy_back, 1)]).state
    assert reduced.account(BOB).position == (48, 0)
    buy = order(BOB, BOB_KEY, is_buy=True, price=990, amount=1, order_id=3)
    sell_more = order(ALICE, ALICE_KEY, is_buy=False, price=990, amount=1, order_id=3)
    rejected(opened, shape, [oracle(990), Trade(buy, sell_more, 1)], "taker/margin")


def test_expired_order(funded):
    taker = order(BOB, BOB_KEY, is_buy=True, price=1_020, amount=10, order_id=1, expiry=100)  # price time 100
    maker = order(ALICE, ALICE_KEY, is_buy=False, price=1_000, amount=10, order_id=1)
    rejected(funded, TRADE, [Trade(taker, maker, 2)], "taker/expiry")


def test_fill_beyond_the_taker_limit(funded):
    taker = order(BOB, BOB_KEY, is_buy=True, price=990, amount=10, order_id=1)
    maker = order(ALICE, ALICE_KEY, is_buy=False, price=1_000, amount=10, order_id=1)
    rejected(funded, TRADE, [Trade(taker, maker, 2)], "taker limit")


def test_fill_off_the_makers_price(funded):
    honest = trade()
    # the operator claims the fill at 101 ticks (1,010) while the maker signed 1,000
    with pytest.raises(UnsatisfiedConstraint, match="maker's price"):
        run_batch_with(funded, TRADE, [honest], {"slot0.price_ticks": 101})


def test_self_trade(funded):
    taker = order(ALICE, ALICE_KEY, is_buy=True, price=1_020, amount=10, order_id=1)
    maker = order(ALICE, ALICE_KEY, is_buy=False, price=1_000, amount=10, order_id=2)
    rejected(funded, TRADE, [Trade(taker, maker, 2)], "maker and taker differ")


def test_withdrawal_with_a_stale_nonce(funded):
    done = apply_batch(funded, BatchShape(("withdraw",)), [withdraw(10, nonce=0)]).state
    rejected(done, BatchShape(("withdraw",)), [withdraw(10, nonce=0)], "signature")


def test_withdrawal_under_initial_margin(funded):
    opened = apply_batch(funded, TRADE, [trade(size=20, amount=20)]).state
    # Bob: long 20 at 1,000, collateral 5,000 − 20,000 − 20 fee: TV 4,980 against 2,000 initial margin
    ok = Withdraw.signed(BOB_KEY, BOB, RECIPIENT, 2_980, 0)
    assert apply_batch(opened, BatchShape(("withdraw",)), [ok]).state.account(BOB).collateral == -18_000
    too_much = Withdraw.signed(BOB_KEY, BOB, RECIPIENT, 2_981, 0)
    rejected(opened, BatchShape(("withdraw",)), [too_much], "margin")


def test_withdrawal_signed_by_another_key(funded):
    forged = Withdraw.signed(BOB_KEY, ALICE, RECIPIENT, 10, 0)
    rejected(funded, BatchShape(("withdraw",)), [forged], "signature")


def test_oracle_price_with_a_bad_signature(funded):
    forged = OraclePrice.signed(ALICE_KEY, 0, 1_010, 200)
    rejected(funded, BatchShape(("oracle",)), [forged], "signature")


def test_oracle_move_beyond_the_bound(funded):
    assert apply_batch(funded, BatchShape(("oracle",)), [oracle(1_200)]).state.market(0)["price"] == 1_200
    rejected(funded, BatchShape(("oracle",)), [oracle(1_201)], "bounded move")  # max move 20%
    rejected(funded, BatchShape(("oracle",)), [oracle(799)], "bounded move")


def test_oracle_timestamp_must_advance(funded):
    rejected(funded, BatchShape(("oracle",)), [oracle(1_010, timestamp=100)], "timestamp")


def test_funding_tick_beyond_the_bound(funded):
    # max funding 1% of the 1,000 price: 10 per lot per tick
    assert (
        apply_batch(funded, BatchShape(("funding",)), [funding(-10)]).state.market(0)["funding_index"] == -10
    )
    rejected(funded, BatchShape(("funding",)), [funding(11)], "bounded move")


def test_forged_account_balance(funded):
    """Value from nothing: an operator inflating an account's collateral is caught by the Merkle proof."""
    forged = funded.copy()
    account = forged.accounts[BOB]  # the leaf changes, the tree keeps the honest one
    forged.accounts[BOB] = dataclasses.replace(account, fields=account.values.replace(collateral=10**9))
    rejected(forged, TRADE, [trade(size=60, amount=60)], "merkle root")


def test_fee_cannot_be_understated(funded):
    """Value from nothing: a prover forging the fee quotient (so fees vanish) is refused."""
    result = apply_batch(funded, TRADE, [trade()])
    define = batch_circuit(CONFIG, TRADE)
    fee_hint = next(i for i, values in enumerate(hint_values(define, result.assignment)) if values == [2, 0])
    forged = lambda i, honest: [0, honest[1]] if i == fee_hint else None  # noqa: E731
    with pytest.raises(UnsatisfiedConstraint, match="q·den"):
        run_cheating(define, result.assignment, forged)


def test_deposit_cannot_take_over_an_account(funded):
    rejected(funded, BatchShape(("deposit",)), [deposit(ALICE, BOB_KEY, 1)], "deposit key")


def test_deposit_cannot_claim_a_used_account_is_fresh(funded):
    """Resetting a used account by calling it fresh: its fields are not empty, or its leaf is not."""
    shape, ops = BatchShape(("deposit",)), [deposit(ALICE, ALICE_KEY, 1)]
    with pytest.raises(UnsatisfiedConstraint, match="fresh account is empty"):
        run_batch_with(funded, shape, ops, {"slot0.fresh": 1})
    empty = account_inputs(Account.empty(CONFIG).values)
    with pytest.raises(UnsatisfiedConstraint, match="merkle root"):
        run_batch_with(funded, shape, ops, {"slot0.fresh": 1, "slot0.account_old": empty})


def test_a_disabled_slot_ignores_its_inputs(funded):
    """A prover keeping a real trade's inputs but clearing the enabled bit changes nothing."""
    result = apply_batch(funded, TRADE, [trade()])
    assignment = {**result.assignment, "slot0.enabled": 0}
    witness = solve(batch_circuit(CONFIG, TRADE), assignment)
    compiled(TRADE.slots).check(witness)
    assert witness[1] == commitment(funded.root, funded.root, bytes(TRADE.pubdata_bytes))


def run_batch_with(state, shape, ops, overrides):
    """Solve the honest batch's assignment with some inputs replaced."""
    result = apply_batch(state, shape, ops)
    solve(batch_circuit(CONFIG, shape), {**result.assignment, **overrides})
