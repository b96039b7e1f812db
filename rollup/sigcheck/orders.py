"""The signature check of order intake: which signed orders carry a valid signature by their
account's key, for a whole micro-batch at once (each order's message hashed and its signature
verified in one compiled pass)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from circuits.field import FR
from circuits.gadgets.babyjub import Point
from prover.bn254 import ints_to_limbs
from prover.kernels.fields import load4, store4
from prover.kernels.threads import run_in_slices
from rollup.exchange.operations import Order, SignedOrder
from rollup.sigcheck.base_table import base8_table
from rollup.sigcheck.edwards import from_mont, to_mont
from rollup.sigcheck.jit import kernel
from rollup.sigcheck.keys import KeyTables
from rollup.sigcheck.poseidon import permute, poseidon_many, poseidon_tables
from rollup.sigcheck.verify import CHUNK, FIELDS, in_chunks, verify_one

SPLIT_MIN = 16  # below this many orders one thread checks them all (a hand-off costs ~0.1 ms)
_LIMIT = 1 << 256


def message_inputs(orders: Sequence[Order]) -> np.ndarray:
    """The Poseidon inputs of each order's message, (n, k, 4) limbs, reduced mod r."""
    inputs = [v % FR for order in orders for v in order.message_inputs()]
    width = len(inputs) // len(orders) if orders else 1
    return ints_to_limbs(inputs).reshape(len(orders), width, 4)


def order_messages(orders: Sequence[Order]) -> np.ndarray:
    """``order.message()`` of each order as an (n, 4) limb array (standard form)."""
    return poseidon_many(message_inputs(orders))


@kernel
def _check_rows(
    inputs, rows, key_rows, key_tables, key_usable, ok, message_tables, base_table, hash_tables, lo, hi
):
    width = inputs.shape[1] + 1
    message_state = np.empty((width, 4), np.uint64)
    message_scratch = np.empty((width, 4), np.uint64)
    state = np.empty((6, 4), np.uint64)
    scratch = np.empty((6, 4), np.uint64)
    for i in range(lo, hi):
        key = key_rows[i]
        if key < 0 or not key_usable[key]:
            ok[i] = False
            continue
        message_state[0] = 0
        for j in range(1, width):
            store4(message_state, j, to_mont(load4(inputs[i], j - 1)))
        permute(message_state, message_scratch, message_tables)
        m = from_mont(load4(message_state, 0))
        row = rows[i]
        rx, ry, ax, ay, s = load4(row, 0), load4(row, 1), load4(row, 2), load4(row, 3), load4(row, 4)
        ok[i] = verify_one(m, rx, ry, ax, ay, s, key_tables[key], base_table, hash_tables, state, scratch)


@cache
def shared_key_tables() -> KeyTables:
    """The key tables :func:`check_signatures` keeps between calls unless given its own."""
    return KeyTables()


def check_signatures(
    orders: Sequence[SignedOrder], public_keys: Sequence[Point | None], keys: KeyTables | None = None
) -> list[bool]:
    """Whether each order is signed by ``public_keys[i]``, its account's key (None: no such account,
    refused), by the rules of :mod:`rollup.sigcheck.verify` (those of the batch circuit). Key
    tables come from ``keys``, by default :func:`shared_key_tables`; a batch with more distinct
    keys than they hold gets tables of its own. Long batches go a chunk at a time."""
    if len(orders) != len(public_keys):
        raise ValueError("need one public key per order")
    if not orders:
        return []
    if len(orders) > CHUNK:
        return in_chunks(lambda o, k: check_signatures(o, k, keys), CHUNK, orders, public_keys)
    inputs = message_inputs([signed.order for signed in orders])
    refused = np.zeros(len(orders), np.bool_)
    values: list[int] = []
    for i, (signed, key) in enumerate(zip(orders, public_keys, strict=True)):
        sig = signed.signature
        point_values = (sig.R8[0], sig.R8[1], *(key or (0, 0)), sig.S)
        if key is None or not all(0 <= v < _LIMIT for v in point_values):
            refused[i] = True
            point_values = (0,) * (FIELDS - 1)
        values.extend(point_values)
    rows = ints_to_limbs(values).reshape(len(orders), FIELDS - 1, 4)
    ok = np.zeros(len(orders), np.bool_)
    keys = keys or shared_key_tables()
    distinct = len(set(public_keys))
    if distinct > keys.capacity:  # more keys than the cache holds: tables for this batch only
        keys = KeyTables(capacity=distinct)
    with keys.lock:
        key_rows = keys.rows_for(public_keys)
        args = (
            keys.tables,
            keys.usable,
            ok,
            poseidon_tables(inputs.shape[1]),
            base8_table(),
            poseidon_tables(5),
        )
        run_in_slices(
            lambda lo, hi: _check_rows(inputs, rows, key_rows, *args, lo, hi), len(orders), SPLIT_MIN
        )
    return (ok & ~refused).tolist()
