"""The state's hasher: compiled Poseidon (``rollup.sigcheck.poseidon``, circomlib's parameters) over
rows of ints, plugged into the state's Merkle trees and state root.

The kernels are imported on the first hash, so importing the exchange state does not load numba;
they compile once into the on-disk cache. Results equal the native ``circuits.gadgets.poseidon``.
"""

from __future__ import annotations

from collections.abc import Sequence

from circuits.field import FR
from prover.bn254 import ints_to_limbs, limbs_to_ints


def poseidon_rows(rows: Sequence[Sequence[int]]) -> list[int]:
    """Poseidon of each row (rows of one length, 1 to 16 values, read mod r), in one compiled call."""
    if not rows:
        return []
    from rollup.sigcheck.poseidon import poseidon_many  # numba, only once something is hashed

    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("rows to hash together must have one length")
    limbs = ints_to_limbs([x % FR for row in rows for x in row]).reshape(len(rows), width, 4)
    return limbs_to_ints(poseidon_many(limbs))


def poseidon_one(inputs: Sequence[int]) -> int:
    """Poseidon of one row, compiled."""
    return poseidon_rows([inputs])[0]
