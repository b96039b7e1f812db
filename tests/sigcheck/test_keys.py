"""Per-key tables: built once per key, refused for keys the circuit refuses, and rebuilt
correctly when a small cache starts over."""

import pytest

from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, GENERATOR, SUBORDER
from rollup.exchange.operations import SignedOrder
from rollup.sigcheck.keys import KeyTables
from rollup.sigcheck.orders import check_signatures
from rollup.sigcheck.sign import public_keys, sign_many
from tests.sigcheck.test_orders import random_orders


def test_a_key_keeps_its_row(signed):
    keys = KeyTables(capacity=8)
    first = keys.rows_for(signed.keys[:6]).tolist()
    assert sorted(set(first)) == list(range(6))
    assert keys.rows_for(signed.keys[:6]).tolist() == first
    assert keys.usable[:6].all()


def test_invalid_keys_get_no_usable_table(signed):
    order_two = babyjub.mul(babyjub.mul(GENERATOR, SUBORDER), 4)
    a = signed.keys[0]
    bad = [
        babyjub.IDENTITY,
        order_two,
        (a[0], a[1] + 1),
        (a[0] + babyjub.FR, a[1]),
        None,
        (-1, 1),
        (2**256, 1),
    ]
    keys = KeyTables(capacity=8)
    rows = keys.rows_for(bad).tolist()
    assert rows[4:] == [-1, -1, -1]
    assert not keys.usable[rows[:4]].any()


def test_too_many_distinct_keys_at_once(signed):
    with pytest.raises(ValueError, match="do not fit"):
        KeyTables(capacity=2).rows_for(signed.keys[:3])
    with pytest.raises(ValueError, match="positive"):
        KeyTables(capacity=0)


def test_a_full_cache_starts_over_and_still_checks_right(private_keys):
    """Batches of two keys through room for three: every other batch clears the tables."""
    orders = random_orders(12, seed=5)
    signers = [private_keys[i % 6] for i in range(12)]
    signatures = sign_many(signers, [o.message() for o in orders])
    keys = public_keys(signers)
    signed = [SignedOrder(o, s) for o, s in zip(orders, signatures, strict=True)]
    tables = KeyTables(capacity=3)
    verdicts = []
    for lo in range(0, 12, 2):
        wrong = [babyjub.add(k, BASE8) for k in keys[lo : lo + 2]]
        verdicts += check_signatures(signed[lo : lo + 2], keys[lo : lo + 2], tables)
        verdicts += check_signatures(signed[lo : lo + 2], wrong, tables)
    assert verdicts == [True, True, False, False] * 6
    assert check_signatures(signed[:6], keys[:6], KeyTables(capacity=2)) == [True] * 6  # tables of its own
