"""Fixed-base multiplication by B8: a table of j·256^i·B8 (i < 32, j < 256; 768 KiB) so that
S·B8 is one mixed addition per nonzero byte of S and no doubling."""

from __future__ import annotations

from functools import cache

import numpy as np

from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, D, Point
from prover.bn254 import ints_to_limbs
from rollup.sigcheck.edwards import add_affine, identity
from rollup.sigcheck.jit import kernel

WINDOWS = 32  # bytes of a 256-bit scalar
ENTRIES = 256
_R = 1 << 256


@cache
def base8_table() -> np.ndarray:
    """(32, 256, 3, 4) uint64: x, y and d·x·y of j·256^i·B8 in Montgomery form (read-only)."""
    values: list[int] = []
    window_base: Point = BASE8
    for _ in range(WINDOWS):
        multiple: Point = babyjub.IDENTITY
        for _ in range(ENTRIES):
            x, y = multiple
            values += [x * _R % FR, y * _R % FR, D * x * y % FR * _R % FR]
            multiple = babyjub.add(multiple, window_base)
        window_base = multiple  # 256·window_base
    table = ints_to_limbs(values).reshape(WINDOWS, ENTRIES, 3, 4)
    table.flags.writeable = False
    return table


@kernel
def fixed_base_mul(table, scalar):
    """scalar·B8 in extended coordinates, ``table`` from :func:`base8_table`."""
    acc = identity()
    for i in range(WINDOWS):
        j = (scalar[i >> 3] >> np.uint64(8 * (i & 7))) & np.uint64(255)
        if j:
            x = (table[i, j, 0, 0], table[i, j, 0, 1], table[i, j, 0, 2], table[i, j, 0, 3])
            y = (table[i, j, 1, 0], table[i, j, 1, 1], table[i, j, 1, 2], table[i, j, 1, 3])
            dxy = (table[i, j, 2, 0], table[i, j, 2, 1], table[i, j, 2, 2], table[i, j, 2, 3])
            acc = add_affine(acc, x, y, dxy)
    return acc
