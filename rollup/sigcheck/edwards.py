"""Baby Jubjub arithmetic in numba: Fr elements in Montgomery form (limb tuples, as in
``prover.kernels.fields``), points in extended twisted Edwards coordinates (X, Y, T, Z) with
x = X/Z, y = Y/Z, x·y = T/Z.

The formulas are Hisil–Wong–Carter–Dawson's for a·x² + y² = 1 + d·x²·y² with general a. Their
addition is complete on Baby Jubjub (a is a square, d is not), so no input needs a special case.
"""

from __future__ import annotations

import numpy as np

from circuits.field import FR
from circuits.gadgets.babyjub import SUBORDER, A, D
from prover.kernels.fields import (
    FR_ONE,
    FR_R2,
    PLAIN_ONE,
    f_eq,
    f_is_zero,
    fr_add,
    fr_mul,
    fr_sub,
    limb_tuple,
)
from rollup.sigcheck.jit import kernel

_R = 1 << 256
A_MONT = limb_tuple(A * _R % FR)
D_MONT = limb_tuple(D * _R % FR)
ZERO = limb_tuple(0)
FR_LIMBS = limb_tuple(FR)
SUBORDER_LIMBS = limb_tuple(SUBORDER)


@kernel
def below(x, bound):
    """x < bound for limb tuples read as 256-bit integers."""
    for k in range(3, -1, -1):
        if x[k] != bound[k]:
            return x[k] < bound[k]
    return False


@kernel
def to_mont(x):
    return fr_mul(x, FR_R2)


@kernel
def from_mont(x):
    return fr_mul(x, PLAIN_ONE)


@kernel
def on_curve(x, y):
    """a·x² + y² == 1 + d·x²·y² for Montgomery-form coordinates."""
    x2 = fr_mul(x, x)
    y2 = fr_mul(y, y)
    return f_eq(fr_add(fr_mul(A_MONT, x2), y2), fr_add(FR_ONE, fr_mul(D_MONT, fr_mul(x2, y2))))


@kernel
def from_affine(x, y):
    return (x, y, fr_mul(x, y), FR_ONE)


@kernel
def identity():
    return (ZERO, FR_ONE, ZERO, FR_ONE)


@kernel
def add(p, q):
    """p + q (add-2008-hwcd: 9 multiplications and two by constants)."""
    a = fr_mul(p[0], q[0])
    b = fr_mul(p[1], q[1])
    c = fr_mul(D_MONT, fr_mul(p[2], q[2]))
    d = fr_mul(p[3], q[3])
    e = fr_sub(fr_sub(fr_mul(fr_add(p[0], p[1]), fr_add(q[0], q[1])), a), b)
    f = fr_sub(d, c)
    g = fr_add(d, c)
    h = fr_sub(b, fr_mul(A_MONT, a))
    return (fr_mul(e, f), fr_mul(g, h), fr_mul(e, h), fr_mul(f, g))


@kernel
def add_affine(p, x, y, dxy):
    """p + (x, y), the second point given as x, y and d·x·y (Z = 1: 8 multiplications)."""
    a = fr_mul(p[0], x)
    b = fr_mul(p[1], y)
    c = fr_mul(p[2], dxy)
    d = p[3]
    e = fr_sub(fr_sub(fr_mul(fr_add(p[0], p[1]), fr_add(x, y)), a), b)
    f = fr_sub(d, c)
    g = fr_add(d, c)
    h = fr_sub(b, fr_mul(A_MONT, a))
    return (fr_mul(e, f), fr_mul(g, h), fr_mul(e, h), fr_mul(f, g))


@kernel
def double(p):
    """2·p (dbl-2008-hwcd: 4 multiplications, 4 squarings, one by a; T is not read)."""
    a = fr_mul(p[0], p[0])
    b = fr_mul(p[1], p[1])
    z2 = fr_mul(p[3], p[3])
    c = fr_add(z2, z2)
    d = fr_mul(A_MONT, a)
    s = fr_add(p[0], p[1])
    e = fr_sub(fr_sub(fr_mul(s, s), a), b)
    g = fr_add(d, b)
    f = fr_sub(g, c)
    h = fr_sub(d, b)
    return (fr_mul(e, f), fr_mul(g, h), fr_mul(e, h), fr_mul(f, g))


@kernel
def same_point(p, q):
    """p == q as projective points: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1."""
    return f_eq(fr_mul(p[0], q[3]), fr_mul(q[0], p[3])) and f_eq(fr_mul(p[1], q[3]), fr_mul(q[1], p[3]))


@kernel
def x_is_zero(p):
    return f_is_zero(p[0])


@kernel
def nibble(scalar, i):
    """Bits 4i .. 4i+3 of a scalar given as four 64-bit limbs."""
    return (scalar[i >> 4] >> np.uint64(4 * (i & 15))) & np.uint64(15)
