"""Reading and writing affine points in the prover's array layouts from compiled code.

G1 rows are ``(2, 4)`` (x, y in Fq) and G2 rows ``(2, 2, 4)`` (x, y in Fq2); ``load_xy`` and
``store_xy`` pick the layout from the array's dimension, so MSM code serves both groups.
"""

from __future__ import annotations

from numba import types
from numba.core.extending import overload


def load_xy(points, i):
    """(x, y) of row i; compiled code only."""
    raise NotImplementedError("compiled code only")


def store_xy(points, i, x, y):
    """Row i := (x, y); compiled code only."""
    raise NotImplementedError("compiled code only")


def _load_g1(points, i):
    return (
        (points[i, 0, 0], points[i, 0, 1], points[i, 0, 2], points[i, 0, 3]),
        (points[i, 1, 0], points[i, 1, 1], points[i, 1, 2], points[i, 1, 3]),
    )


def _load_g2(points, i):
    return (
        (
            (points[i, 0, 0, 0], points[i, 0, 0, 1], points[i, 0, 0, 2], points[i, 0, 0, 3]),
            (points[i, 0, 1, 0], points[i, 0, 1, 1], points[i, 0, 1, 2], points[i, 0, 1, 3]),
        ),
        (
            (points[i, 1, 0, 0], points[i, 1, 0, 1], points[i, 1, 0, 2], points[i, 1, 0, 3]),
            (points[i, 1, 1, 0], points[i, 1, 1, 1], points[i, 1, 1, 2], points[i, 1, 1, 3]),
        ),
    )


def _store_g1(points, i, x, y):
    for k in range(4):
        points[i, 0, k] = x[k]
        points[i, 1, k] = y[k]


def _store_g2(points, i, x, y):
    for c in range(2):
        for k in range(4):
            points[i, 0, c, k] = x[c][k]
            points[i, 1, c, k] = y[c][k]


@overload(load_xy)
def _load_xy(points, i):
    if isinstance(points, types.Array):
        return {3: _load_g1, 4: _load_g2}.get(points.ndim)
    return None


@overload(store_xy)
def _store_xy(points, i, x, y):
    if isinstance(points, types.Array):
        return {3: _store_g1, 4: _store_g2}.get(points.ndim)
    return None
