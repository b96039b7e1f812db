"""Valid batches: each op type solves, satisfies the compiled R1CS, and the state, pubdata and
commitment read back from the circuit are what the op means."""

from __future__ import annotations

import hashlib

import pytest
from eth_utils import keccak

from circuits.exchange.batch import BatchShape
from circuits.exchange.state_vars import account_leaf
from circuits.gadgets import babyjub, eddsa
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import apply_batch
from tests.exchange.conftest import DEPOSITS, assert_replays, compiled
from tests.exchange.scenario import (
    ALICE,
    ALICE_KEY,
    BOB,
    RECIPIENT,
    deposit,
    funding,
    genesis,
    oracle,
    trade,
    withdraw,
)
from verifier.pubdata_layout import decode_records, deposit_queue_hash, encode_record

MIXED = ("oracle", "funding", "trade", "withdraw")


def commitment(old_root: int, new_root: int, pubdata: bytes) -> int:
    digest = hashlib.sha256(old_root.to_bytes(32, "big") + new_root.to_bytes(32, "big") + pubdata).digest()
    return int.from_bytes(digest, "big") & ((1 << 253) - 1)


def assert_consistent(before: ExchangeState, result) -> None:
    """Roots match the native state hashes, the commitment is sha256 over the pubdata."""
    assert result.old_root == before.root
    assert result.new_root == result.state.root
    assert result.commitment == commitment(result.old_root, result.new_root, result.pubdata)
    assert result.witness[1] == result.commitment  # the single public signal
    for index, account in result.state.accounts.items():
        assert result.state.tree.get(index) == account_leaf(account.values)
    assert_replays(before, result)


def test_deposits_open_accounts(deposited):
    compiled(DEPOSITS.slots).check(deposited.witness)
    assert_consistent(genesis(), deposited)
    state = deposited.state
    assert state.account(ALICE).collateral == 10_000 and state.account(BOB).collateral == 5_000
    assert state.account(ALICE).values.pk_x == eddsa.public_key(ALICE_KEY)[0]
    assert state.globals.deposits == 2
    records = decode_records(deposited.pubdata)
    pk = eddsa.public_key(ALICE_KEY)
    l2_key = int.from_bytes(babyjub.pack(pk), "big")
    assert records[0] == ("deposit", {"l2_key": l2_key, "asset": 0, "amount": 10_000, "account": ALICE})
    # the record's first 42 bytes are what the contract's queue hashed from the depositor's packed key
    assert keccak(deposited.pubdata[1:43]) == deposit_queue_hash(l2_key, 0, 10_000)
    assert deposited.pubdata[1:33] == babyjub.pack(pk)


def test_deposit_tops_up_an_existing_account(funded):
    result = apply_batch(funded, BatchShape(("deposit",)), [deposit(ALICE, ALICE_KEY, 7)])
    assert result.state.account(ALICE).collateral == 10_007


def test_oracle_funding_trade_withdraw(funded):
    result = apply_batch(funded, BatchShape(MIXED), [oracle(1_010), funding(3), trade(), withdraw(100)])
    compiled(MIXED).check(result.witness)
    assert_consistent(funded, result)
    state = result.state
    assert state.market(0)["price"] == 1_010 and state.market(0)["price_time"] == 200
    assert state.market(0)["funding_index"] == 3
    # Alice sold 2 at 1,000 and paid a 0.1% fee; Bob bought; both fees went to the insurance fund
    assert state.account(ALICE).position == (-2, 0) and state.account(BOB).position == (2, 0)
    assert state.account(ALICE).collateral == 10_000 + 2_000 - 2 - 100
    assert state.account(BOB).collateral == 5_000 - 2_000 - 2
    assert state.insurance == 4
    assert state.account(ALICE).values.nonce == 1
    assert decode_records(result.pubdata) == [
        ("oracle", {"market": 0, "price": 1_010, "timestamp": 200}),
        ("funding", {"market": 0, "index": 3}),
        ("trade", {"taker": BOB, "maker": ALICE, "market_side": 128, "size_lots": 2, "price_ticks": 100,
                   "taker_order": 1, "maker_order": 1}),
        ("withdraw", {"account": ALICE, "recipient": RECIPIENT, "asset": 0, "amount": 100}),
    ]  # fmt: skip
    assert result.pubdata[-35:] == encode_record("withdraw", account=ALICE, recipient=RECIPIENT, asset=0,
                                                 amount=100)  # fmt: skip


def test_funding_is_settled_when_an_account_is_touched(funded):
    opened = apply_batch(funded, BatchShape(("trade",)), [trade()]).state
    result = apply_batch(opened, BatchShape(("funding", "withdraw")), [funding(5), withdraw(1)])
    assert_replays(opened, result)
    ticked = result.state
    # Alice is short 2: an index rise of 5 pays her 10 when she is next touched (the withdrawal)
    assert ticked.account(ALICE).collateral == opened.account(ALICE).collateral + 10 - 1
    assert ticked.account(ALICE).values.funding == (5, 0)
    assert ticked.account(BOB).collateral == opened.account(BOB).collateral  # not touched yet


def test_partial_fills_accumulate(funded):
    shape = BatchShape(("trade", "trade"))
    result = apply_batch(funded, shape, [trade(size=4, amount=10), trade(size=6, amount=10)])
    compiled(shape.slots).check(result.witness)
    assert_replays(funded, result)
    assert result.state.account(BOB).position == (10, 0)
    assert result.state.account(BOB).fill_slot(1) == (1, 10)
    # a later order in the same slot (id 5 ≡ 1 mod 4 slots) starts afresh
    again = apply_batch(result.state, BatchShape(("trade",)), [trade(size=1, taker_id=5, maker_id=5)])
    assert again.state.account(BOB).fill_slot(1) == (5, 1)


def test_empty_slots_change_nothing(funded):
    result = apply_batch(funded, BatchShape(MIXED), [None] * 4)
    compiled(MIXED).check(result.witness)
    assert result.new_root == result.old_root == funded.root
    assert result.pubdata == bytes(len(result.pubdata))
    assert all(name == "noop" for name, _ in decode_records(result.pubdata))


@pytest.mark.parametrize(
    "slots", [MIXED, DEPOSITS.slots, ("liquidate",), ("transfer",), ("oracle", "deleverage")]
)
def test_every_wire_is_constrained(slots):
    """No input or hint escapes the constraints (a prover could set such a wire freely)."""
    r1cs = compiled(slots)
    used = set()
    for a, b, c in r1cs.constraints:
        used |= a.keys() | b.keys() | c.keys()
    assert used >= set(range(1, r1cs.n_wires))
