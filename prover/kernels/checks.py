"""Validity checks over whole arrays of a key: field ranges and points on the curve.

Reading a 2^20 ``.zkey`` means checking millions of points; done per point in Python ints that
dominates a proof. Here ranges are limb comparisons in numpy (:func:`prover.bn254.first_not_below`)
and the curve equation is checked in Montgomery form (y²·R == x³·R + b·R, no conversion) by a
GIL-free kernel over slices.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.bn254 import FQ, R_MONT, first_not_below
from prover.curve import G2
from prover.kernels.curve import affine_is_infinity
from prover.kernels.fields import f_add, f_eq, f_mul, f_sqr, limb_tuple
from prover.kernels.layout import load_xy
from prover.kernels.threads import run_in_slices

_SPLIT_MIN = 1 << 14  # below this many points the check stays on one thread
_G1_B = limb_tuple(3 * R_MONT % FQ)
_G2_B = tuple(limb_tuple(c * R_MONT % FQ) for c in G2.b)


@njit(cache=True, nogil=True)
def _first_off_curve_in(points, b, lo, hi):
    """The first i in lo..hi-1 whose affine point (Montgomery form, coordinates reduced) is neither
    the all-zero infinity nor on y² = x³ + b, or -1."""
    for i in range(lo, hi):
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
    n = points.shape[0]
    per_point = 2 if points.ndim == 3 else 4
    bad_coord = first_not_below(points, FQ)
    limit = n if bad_coord is None else bad_coord // per_point  # points before it have reduced coordinates
    arr = np.ascontiguousarray(points, dtype=np.uint64)
    arr = arr if arr.flags.writeable else arr.copy()  # one compiled variant: writable arrays only
    b = _G1_B if points.ndim == 3 else _G2_B
    found: list[int] = []
    run_in_slices(lambda lo, hi: found.append(_first_off_curve_in(arr, b, lo, hi)), limit, _SPLIT_MIN)
    firsts = [i for i in found if i >= 0]
    if firsts:
        return min(firsts)
    return None if bad_coord is None else bad_coord // per_point
