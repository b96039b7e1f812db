"""Fixed-base scalar multiplication: k·P for many scalars k and one base P, for G1 and G2 alike.

A table holds d·2^(c·j)·P (affine) for every c-bit digit d of window j, so k·P is one mixed
addition per non-zero digit (32 for c = 8) and no doublings. Results come back affine: each slice
of points shares one field inversion (Montgomery's trick). This is what a setup needs: every key
point is a known scalar times a generator.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.kernels.curve import jac_add_affine, jac_infinity_like
from prover.kernels.fields import f_inv, f_is_zero, f_mul, f_one_like, f_sqr, f_zero_like
from prover.kernels.layout import load_xy, store_xy
from prover.kernels.threads import run_in_slices

WINDOW_BITS = 8  # divides 64, so a digit never straddles two limbs
WINDOWS = 256 // WINDOW_BITS
_SPLIT_MIN = 1 << 10


@njit(cache=True)
def _digit(scalars, i, j, c):
    bit = j * c
    return np.int64((scalars[i, bit >> 6] >> np.uint64(bit & 63)) & np.uint64((1 << c) - 1))


@njit(cache=True, nogil=True)
def multiply_range(table, c, scalars, out, scratch, lo, hi):
    """out[i] := scalars[i]·P for lo <= i < hi, from ``table`` rows j·2^c + d = d·2^(c·j)·P.

    ``scratch`` (the layout of ``out``) keeps each result's Z and the running product of the Z
    before it, for the shared inversion.
    """
    size = 1 << c
    windows = 256 // c
    x0, _ = load_xy(table, 1)
    running = f_one_like(x0)
    for i in range(lo, hi):
        acc = jac_infinity_like(x0)
        for j in range(windows):
            d = _digit(scalars, i, j, c)
            if d:
                x, y = load_xy(table, j * size + d)
                acc = jac_add_affine(acc, x, y)
        x, y, z = acc
        store_xy(out, i, x, y)
        store_xy(scratch, i, z, running)
        if not f_is_zero(z):
            running = f_mul(running, z)
    inverse = f_inv(running)  # of the product of every non-zero Z in the slice
    zero = f_zero_like(x0)
    for i in range(hi - 1, lo - 1, -1):
        z, before = load_xy(scratch, i)
        if f_is_zero(z):
            store_xy(out, i, zero, zero)
            continue
        z_inv = f_mul(inverse, before)
        inverse = f_mul(inverse, z)
        x, y = load_xy(out, i)
        z_inv2 = f_sqr(z_inv)
        store_xy(out, i, f_mul(x, z_inv2), f_mul(y, f_mul(z_inv2, z_inv)))


def multiply_all(table: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Affine scalars[i]·P in the table's point layout; scalars ``(n, 4)`` standard-form limbs."""
    out = np.empty((scalars.shape[0], *table.shape[1:]), np.uint64)
    scratch = np.empty_like(out)
    run_in_slices(
        lambda lo, hi: multiply_range(table, WINDOW_BITS, scalars, out, scratch, lo, hi),
        scalars.shape[0],
        _SPLIT_MIN,
    )
    return out
