"""Order intake's signature check: messages as Order.message computes them, and a verdict per
order by its account's key."""

import dataclasses
import random

import pytest

from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8
from prover.bn254 import limbs_to_ints
from rollup.exchange.operations import Order, SignedOrder
from rollup.sigcheck.orders import check_signatures, order_messages
from rollup.sigcheck.sign import public_keys, sign_many


def random_orders(n: int, seed: int) -> list[Order]:
    rng = random.Random(seed)
    return [
        Order(
            account=rng.randrange(1, 50),
            market=rng.randrange(1, 4),
            is_buy=rng.random() < 0.5,
            price=rng.randrange(1, 2**40),
            amount=rng.randrange(1, 2**20),
            order_id=rng.randrange(2**32),
            expiry=rng.randrange(2**40),
        )
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def book(private_keys):
    """Signed orders, one account key each (the account number picks it)."""
    orders = random_orders(30, seed=1)
    keys = [private_keys[o.account % len(private_keys)] for o in orders]
    signatures = sign_many(keys, [o.message() for o in orders])
    signed = [SignedOrder(o, s) for o, s in zip(orders, signatures, strict=True)]
    return signed, public_keys(keys)


def test_messages_equal_order_message():
    orders = random_orders(20, seed=2)
    orders.append(dataclasses.replace(orders[0], price=-5))  # reduced mod r, as Poseidon does
    assert limbs_to_ints(order_messages(orders)) == [o.message() for o in orders]


def test_valid_orders_pass(book):
    signed, keys = book
    assert check_signatures(signed, keys) == [True] * len(signed)


def changed(signed: SignedOrder, **fields) -> SignedOrder:
    return SignedOrder(dataclasses.replace(signed.order, **fields), signed.signature)


def test_each_refusal(book):
    signed, keys = book
    cases = [
        (changed(signed[0], price=signed[0].order.price + 1), keys[0]),
        (changed(signed[1], is_buy=not signed[1].order.is_buy), keys[1]),
        (signed[2], babyjub.add(keys[2], BASE8)),  # another account's key
        (signed[3], None),  # no such account
        (SignedOrder(signed[4].order, dataclasses.replace(signed[4].signature, S=-1)), keys[4]),
        (signed[5], keys[5]),
    ]
    assert check_signatures(*zip(*cases, strict=True)) == [False] * 5 + [True]


def test_empty_and_mismatched(book):
    signed, keys = book
    assert check_signatures([], []) == []
    with pytest.raises(ValueError, match="one public key per order"):
        check_signatures(signed[:2], keys[:1])


def test_long_batches_go_in_chunks(book, monkeypatch):
    signed, keys = book
    keys = list(keys)
    keys[11] = babyjub.add(keys[11], BASE8)
    monkeypatch.setattr("rollup.sigcheck.orders.CHUNK", 4)
    assert check_signatures(signed, keys) == [i != 11 for i in range(len(signed))]
