"""Per-key tables for the h·(8·A) term of verification, built once per public key and reused.

For a valid key (coordinates below r, on the curve, 8·A not the identity) the table holds the
affine points j·2^(32k)·(8·A) for k < 8 and j < 16, as x, y and d·x·y in Montgomery form
(12 KiB). A 254-bit h is then eight 32-bit chunks h_k, and h·(8·A) = Σ h_k·2^(32k)·(8·A) takes 28
doublings shared by the chunks and one mixed addition per nonzero 4-bit digit: about a third of
the work of a plain 4-bit window, worth it since accounts sign many orders with one key.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from circuits.gadgets.babyjub import Point
from prover.bn254 import ints_to_limbs
from prover.kernels.fields import FR_ONE, fr_inv, fr_mul, load4, store4
from prover.kernels.threads import run_in_slices
from rollup.sigcheck.edwards import (
    D_MONT,
    FR_LIMBS,
    add,
    add_affine,
    below,
    double,
    from_affine,
    identity,
    nibble,
    on_curve,
    to_mont,
    x_is_zero,
)
from rollup.sigcheck.jit import kernel

SPLITS = 8  # h = Σ h_k·2^(32k)
DIGITS = 8  # 4-bit digits per 32-bit chunk
SPLIT_MIN = 8  # below this many new keys one thread builds them all
DEFAULT_CAPACITY = 4096  # keys kept by a shared cache (48 MiB)
_LIMIT = 1 << 256


@kernel
def _build(keys, rows, tables, usable, lo, hi):
    """Check each key and fill its table: keys (n, 2, 4) standard-form limbs, rows (n,) targets."""
    points = np.empty((SPLITS * 16, 4, 4), np.uint64)
    prefix = np.empty((SPLITS * 16, 4), np.uint64)
    for i in range(lo, hi):
        row = rows[i]
        usable[row] = False
        ax, ay = load4(keys[i], 0), load4(keys[i], 1)
        if not (below(ax, FR_LIMBS) and below(ay, FR_LIMBS)):
            continue
        ax, ay = to_mont(ax), to_mont(ay)
        if not on_curve(ax, ay):
            continue
        base = double(double(double(from_affine(ax, ay))))
        if x_is_zero(base):  # 8·A lies in the prime-order subgroup: x = 0 only at the identity
            continue
        for k in range(SPLITS):
            if k:
                for _ in range(4 * DIGITS):
                    base = double(base)
            multiple = identity()
            for j in range(16):
                n = 16 * k + j
                for c in range(4):
                    for limb in range(4):
                        points[n, c, limb] = multiple[c][limb]
                multiple = add(multiple, base)
        # to affine with one inversion (Montgomery's trick over the Z coordinates)
        acc = FR_ONE
        for n in range(SPLITS * 16):
            store4(prefix, n, acc)
            acc = fr_mul(acc, load4(points[n], 3))
        inv = fr_inv(acc)
        for n in range(SPLITS * 16 - 1, -1, -1):
            z_inv = fr_mul(inv, load4(prefix, n))
            inv = fr_mul(inv, load4(points[n], 3))
            x = fr_mul(load4(points[n], 0), z_inv)
            y = fr_mul(load4(points[n], 1), z_inv)
            entry = tables[row, n // 16, n % 16]
            store4(entry, 0, x)
            store4(entry, 1, y)
            store4(entry, 2, fr_mul(D_MONT, fr_mul(x, y)))
        usable[row] = True


@kernel
def key_multiple(table, scalar):
    """scalar·(8·A) for a 256-bit scalar (standard-form limbs), ``table`` one key's (8, 16, 3, 4)."""
    acc = identity()
    for w in range(DIGITS - 1, -1, -1):
        if w != DIGITS - 1:
            acc = double(double(double(double(acc))))
        for k in range(SPLITS):
            j = nibble(scalar, DIGITS * k + w)
            if j:
                entry = table[k, j]
                acc = add_affine(acc, load4(entry, 0), load4(entry, 1), load4(entry, 2))
    return acc


class KeyTables:
    """Tables of up to ``capacity`` public keys, each built on first use; when a batch brings more
    new keys than there is room for, the tables start over. Safe to share between threads."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.tables = np.zeros((capacity, SPLITS, 16, 3, 4), np.uint64)
        self.usable = np.zeros(capacity, np.bool_)
        self._rows: dict[Point, int] = {}
        self.lock = threading.Lock()

    def known(self) -> int:
        """How many keys have tables now."""
        return len(self._rows)

    def rows_for(self, keys: Sequence[Point | None]) -> np.ndarray:
        """The table row of each key ((n,) int64; -1 for None or coordinates outside [0, 2^256)),
        building the tables of keys not seen before. Call with ``lock`` held while the rows are used."""
        distinct = [k for k in dict.fromkeys(keys) if k is not None and all(0 <= c < _LIMIT for c in k)]
        new = [k for k in distinct if k not in self._rows]
        if len(self._rows) + len(new) > self.capacity:
            if len(distinct) > self.capacity:
                raise ValueError(f"{len(distinct)} distinct keys do not fit in {self.capacity} tables")
            self._rows.clear()
            new = distinct
        if new:
            first = len(self._rows)
            self._rows.update((key, first + i) for i, key in enumerate(new))
            limbs = ints_to_limbs([c for key in new for c in key]).reshape(len(new), 2, 4)
            rows = np.arange(first, first + len(new), dtype=np.int64)
            run_in_slices(
                lambda lo, hi: _build(limbs, rows, self.tables, self.usable, lo, hi), len(new), SPLIT_MIN
            )
        return np.array([self._rows.get(key, -1) if key is not None else -1 for key in keys], np.int64)
