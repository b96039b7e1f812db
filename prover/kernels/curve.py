"""Short Weierstrass arithmetic (y² = x³ + b, a = 0) for G1 and G2, written once over ``ops``.

Jacobian points (X, Y, Z) stand for (X/Z², Y/Z³); Z = 0 is the point at infinity. Affine
points are (x, y) with the all-zero pair as infinity, as in the prover's array layout
((0, 0) is on neither curve, so the encoding is unambiguous).
"""

from __future__ import annotations

from numba import njit

from prover.kernels.fields import (
    f_add,
    f_inv,
    f_is_zero,
    f_mul,
    f_one_like,
    f_sqr,
    f_sub,
    f_zero_like,
)


@njit(cache=True)
def jac_infinity_like(x):
    one = f_one_like(x)
    return (one, one, f_zero_like(x))


@njit(cache=True)
def affine_is_infinity(x, y):
    return f_is_zero(x) and f_is_zero(y)


@njit(cache=True)
def jac_from_affine(x, y):
    if affine_is_infinity(x, y):
        return jac_infinity_like(x)
    return (x, y, f_one_like(x))


@njit(cache=True)
def jac_double(p):
    """dbl-2009-l: 2M + 5S."""
    x1, y1, z1 = p
    if f_is_zero(z1):
        return p
    a = f_sqr(x1)
    b = f_sqr(y1)
    c = f_sqr(b)
    t = f_sub(f_sub(f_sqr(f_add(x1, b)), a), c)
    d = f_add(t, t)
    e = f_add(f_add(a, a), a)
    f = f_sqr(e)
    x3 = f_sub(f, f_add(d, d))
    c2 = f_add(c, c)
    c4 = f_add(c2, c2)
    y3 = f_sub(f_mul(e, f_sub(d, x3)), f_add(c4, c4))
    yz = f_mul(y1, z1)
    return (x3, y3, f_add(yz, yz))


@njit(cache=True)
def jac_add_affine(p, x2, y2):
    """p + (x2, y2) with the second point affine (madd-2007-bl: 7M + 4S); handles every edge."""
    if affine_is_infinity(x2, y2):
        return p
    x1, y1, z1 = p
    if f_is_zero(z1):
        return (x2, y2, f_one_like(x2))
    z1z1 = f_sqr(z1)
    u2 = f_mul(x2, z1z1)
    s2 = f_mul(f_mul(y2, z1), z1z1)
    h = f_sub(u2, x1)
    s_diff = f_sub(s2, y1)
    if f_is_zero(h):
        if f_is_zero(s_diff):
            return jac_double(p)
        return jac_infinity_like(x1)
    hh = f_sqr(h)
    i = f_add(hh, hh)
    i = f_add(i, i)
    j = f_mul(h, i)
    r = f_add(s_diff, s_diff)
    v = f_mul(x1, i)
    x3 = f_sub(f_sub(f_sqr(r), j), f_add(v, v))
    y1j = f_mul(y1, j)
    y3 = f_sub(f_mul(r, f_sub(v, x3)), f_add(y1j, y1j))
    z3 = f_sub(f_sub(f_sqr(f_add(z1, h)), z1z1), hh)
    return (x3, y3, z3)


@njit(cache=True)
def jac_add(p, q):
    """p + q, both Jacobian (add-2007-bl: 11M + 5S); handles every edge."""
    x1, y1, z1 = p
    x2, y2, z2 = q
    if f_is_zero(z1):
        return q
    if f_is_zero(z2):
        return p
    z1z1 = f_sqr(z1)
    z2z2 = f_sqr(z2)
    u1 = f_mul(x1, z2z2)
    u2 = f_mul(x2, z1z1)
    s1 = f_mul(f_mul(y1, z2), z2z2)
    s2 = f_mul(f_mul(y2, z1), z1z1)
    h = f_sub(u2, u1)
    s_diff = f_sub(s2, s1)
    if f_is_zero(h):
        if f_is_zero(s_diff):
            return jac_double(p)
        return jac_infinity_like(x1)
    h2 = f_add(h, h)
    i = f_sqr(h2)
    j = f_mul(h, i)
    r = f_add(s_diff, s_diff)
    v = f_mul(u1, i)
    x3 = f_sub(f_sub(f_sqr(r), j), f_add(v, v))
    s1j = f_mul(s1, j)
    y3 = f_sub(f_mul(r, f_sub(v, x3)), f_add(s1j, s1j))
    z3 = f_mul(f_sub(f_sub(f_sqr(f_add(z1, z2)), z1z1), z2z2), h)
    return (x3, y3, z3)


@njit(cache=True)
def jac_to_affine(p):
    """(X/Z², Y/Z³), or the all-zero pair for infinity."""
    x, y, z = p
    if f_is_zero(z):
        zero = f_zero_like(x)
        return (zero, zero)
    zi = f_inv(z)
    zi2 = f_sqr(zi)
    return (f_mul(x, zi2), f_mul(y, f_mul(zi2, zi)))
