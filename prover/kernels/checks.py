"""Validity checks over whole arrays of a key: field ranges and points on the curve.

Reading a 2^20 ``.zkey`` means checking millions of points; done per point in Python ints that
dominates a proof. Here one GIL-free kernel over slices checks each point's coordinates to be
below q (limb comparisons) and the curve equation in Montgomery form (y²·R == x³·R + b·R, no
conversion), in one pass over the array.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.bn254 import FQ, R_MONT
from prover.curve import G2
from prover.kernels.curve import affine_is_infinity
from prover.kernels.fields import f_add, f_eq, f_mul, f_sqr, limb_tuple
from prover.kernels.layout import load_xy
from prover.kernels.threads import run_in_slices

_SPLIT_MIN = 1 << 14  # below this many points the check stays on one thread
_G1_B = limb_tuple(3 * R_MONT % FQ)
_G2_B = tuple(limb_tuple(c * R_MONT % FQ) for c in G2.b)
_Q = limb_tuple(FQ)


@njit(cache=True)
def _coordinates_below_q(row):
    """Every 4-limb coordinate of one point's flat limb row is < q."""
    for start in range(0, row.shape[0], 4):
        for k in range(3, -1, -1):
            if row[start + k] != _Q[k]:
                if row[start + k] > _Q[k]:
                    return False
                break
            if k == 0:
                return False  # equal to q
    return True


@njit(cache=True, nogil=True)
def _first_off_curve_in(points, b, lo, hi):
    """The first i in lo..hi-1 whose affine point (Montgomery form) has a coordinate >= q or is
    neither the all-zero infinity nor on y² = x³ + b, or -1."""
    for i in range(lo, hi):
        if not _coordinates_below_q(points[i].reshape(-1)):
            return i
        x, y = load_xy(points, i)
        if affine_is_infinity(x, y):
            continue
        if not f_eq(f_sqr(y), f_add(f_mul(f_sqr(x), x), b)):
            return i
    return -1


def first_off_curve(points: np.ndarray) -> int | None:
    """Index of the first point of a G1 ``(n, 2, 4)`` or G2 ``(n, 2, 2, 4)`` Montgomery-form affine
    array with a coordinate >= q or off the curve (the all-zero infinity passes), or None."""
    if points.ndim not in (3, 4) or points.shape[1:] != (2, 2, 4)[4 - points.ndim :]:
        raise ValueError(f"expected G1 (n, 2, 4) or G2 (n, 2, 2, 4) points, got shape {points.shape}")
    arr = np.ascontiguousarray(points, dtype=np.uint64)
    arr = arr if arr.flags.writeable else arr.copy()  # one compiled variant: writable arrays only
    b = _G1_B if points.ndim == 3 else _G2_B
    found: list[int] = []
    run_in_slices(lambda lo, hi: found.append(_first_off_curve_in(arr, b, lo, hi)), arr.shape[0], _SPLIT_MIN)
    firsts = [i for i in found if i >= 0]
    return min(firsts) if firsts else None
