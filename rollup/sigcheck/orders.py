"""The signature check of order intake: which signed orders carry a valid signature by their
account's key, for a whole micro-batch at once (messages and verification compiled)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from circuits.field import FR
from circuits.gadgets.babyjub import Point
from prover.bn254 import ints_to_limbs
from rollup.exchange.operations import Order, SignedOrder
from rollup.sigcheck.poseidon import poseidon_many
from rollup.sigcheck.verify import FIELDS, verify_rows

_LIMIT = 1 << 256


def order_messages(orders: Sequence[Order]) -> np.ndarray:
    """``order.message()`` of each order as an (n, 4) limb array (standard form)."""
    inputs = [v % FR for order in orders for v in order.message_inputs()]
    width = len(inputs) // len(orders) if orders else 1
    return poseidon_many(ints_to_limbs(inputs).reshape(len(orders), width, 4))


def check_signatures(orders: Sequence[SignedOrder], public_keys: Sequence[Point | None]) -> list[bool]:
    """Whether each order is signed by ``public_keys[i]``, its account's key (None: no such account,
    refused), by the rules of :mod:`rollup.sigcheck.verify` (those of the batch circuit)."""
    if len(orders) != len(public_keys):
        raise ValueError("need one public key per order")
    if not orders:
        return []
    rows = np.zeros((len(orders), FIELDS, 4), np.uint64)
    rows[:, 0] = order_messages([signed.order for signed in orders])
    refused = np.zeros(len(orders), np.bool_)
    values: list[int] = []
    for i, (signed, key) in enumerate(zip(orders, public_keys, strict=True)):
        sig = signed.signature
        point_values = (sig.R8[0], sig.R8[1], *(key or (0, 0)), sig.S)
        if key is None or not all(0 <= v < _LIMIT for v in point_values):
            refused[i] = True
            point_values = (0,) * (FIELDS - 1)
        values.extend(point_values)
    rows[:, 1:] = ints_to_limbs(values).reshape(len(orders), FIELDS - 1, 4)
    return (verify_rows(rows) & ~refused).tolist()
