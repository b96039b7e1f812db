"""Curve points for tampering with proofs: doubled, negated, off the curve, off the G2 subgroup."""

from __future__ import annotations

from py_ecc import optimized_bn128 as ob

from verifier.curve import FQ_MODULUS as Q
from verifier.curve import to_g1, to_g2
from verifier.types import G1Point, G2Point


def affine_g1(p) -> G1Point:
    x, y = ob.normalize(p)
    return (x.n, y.n)


def affine_g2(p) -> G2Point:
    x, y = ob.normalize(p)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


def double_g1(p: G1Point) -> G1Point:
    return affine_g1(ob.double(to_g1(p)))


def neg_g1(p: G1Point) -> G1Point:
    return affine_g1(ob.neg(to_g1(p)))


def neg_g2(p: G2Point) -> G2Point:
    return affine_g2(ob.neg(to_g2(p)))


def _fq2_sqrt(a: ob.FQ2) -> ob.FQ2 | None:
    """A square root in Fq2 = Fq[u]/(u²+1) for q ≡ 3 (mod 4) (Adj and Rodríguez-Henríquez, alg. 9)."""
    a1 = a ** ((Q - 3) // 4)
    alpha = a1 * a1 * a
    if alpha**Q * alpha == ob.FQ2([Q - 1, 0]):
        return None
    x0 = a1 * a
    if alpha == ob.FQ2([Q - 1, 0]):
        return ob.FQ2([0, 1]) * x0
    return (ob.FQ2.one() + alpha) ** ((Q - 1) // 2) * x0


def g2_outside_subgroup() -> G2Point:
    """A point on the G2 twist that is not in the order-r subgroup (the twist's cofactor is not 1)."""
    x0 = 1
    while True:
        x = ob.FQ2([x0, 1])
        y = _fq2_sqrt(x**3 + ob.b2)
        if y is not None and y * y == x**3 + ob.b2:
            point = (x, y, ob.FQ2.one())
            if not ob.is_inf(ob.multiply(point, ob.curve_order)):
                return affine_g2(point)
        x0 += 1
