"""Many points at once: an arithmetic progression P, P+D, P+2D, … in affine form.

Benchmarks and tests need large sets of valid, distinct points fast; stepping in Jacobian
coordinates and normalising all of them with one shared inversion costs ~20 multiplications
a point.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.kernels.curve import jac_add_affine, jac_from_affine
from prover.kernels.fields import f_inv, f_mul, f_one_like, f_sqr
from prover.kernels.layout import load_xy, store_xy


@njit(cache=True)
def fill_progression(base, out):
    """out[i] = base[0] + i·base[1] for every row of out (base: two affine rows, not infinity)."""
    x0, y0 = load_xy(base, 0)
    dx, dy = load_xy(base, 1)
    n = out.shape[0]
    # Jacobian X, Y in out, Z (and later the running product of Z) in zs
    zs = np.empty_like(out)
    point = jac_from_affine(x0, y0)
    for i in range(n):
        store_xy(out, i, point[0], point[1])
        store_xy(zs, i, point[2], point[2])
        point = jac_add_affine(point, dx, dy)
    acc = f_one_like(x0)
    for i in range(n):
        z, _ = load_xy(zs, i)
        store_xy(zs, i, acc, z)
        acc = f_mul(acc, z)
    inv = f_inv(acc)
    for i in range(n - 1, -1, -1):
        before, z = load_xy(zs, i)
        zi = f_mul(inv, before)
        inv = f_mul(inv, z)
        zi2 = f_sqr(zi)
        x, y = load_xy(out, i)
        store_xy(out, i, f_mul(x, zi2), f_mul(y, f_mul(zi2, zi)))
