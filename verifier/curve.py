"""BN254 point validation and conversion to py_ecc's optimized (projective) points."""

from __future__ import annotations

from py_ecc import optimized_bn128 as ob

from verifier.types import G1Point, G2Point

FQ_MODULUS = ob.field_modulus
R_MODULUS = ob.curve_order


def check_g1(p: G1Point) -> G1Point:
    """Return p if it is on G1 (BN254's G1 has cofactor 1), else raise ValueError."""
    if p is None:
        return None
    x, y = p
    if not (0 <= x < FQ_MODULUS and 0 <= y < FQ_MODULUS):
        raise ValueError("G1 coordinate is not below the field modulus")
    if (y * y - x * x * x - 3) % FQ_MODULUS:
        raise ValueError("point is not on the G1 curve")
    return p


def check_g2(p: G2Point) -> G2Point:
    """Return p if it is on the twist and in the order-r subgroup, else raise ValueError."""
    if p is None:
        return None
    if not all(0 <= c < FQ_MODULUS for coord in p for c in coord):
        raise ValueError("G2 coordinate is not below the field modulus")
    point = to_g2(p)
    if not ob.is_on_curve(point, ob.b2):
        raise ValueError("point is not on the G2 twist curve")
    if not ob.is_inf(ob.multiply(point, R_MODULUS)):
        raise ValueError("G2 point is not in the prime-order subgroup")
    return p


def to_g1(p: G1Point) -> tuple[ob.FQ, ob.FQ, ob.FQ]:
    if p is None:
        return ob.Z1
    return (ob.FQ(p[0]), ob.FQ(p[1]), ob.FQ.one())


def to_g2(p: G2Point) -> tuple[ob.FQ2, ob.FQ2, ob.FQ2]:
    if p is None:
        return ob.Z2
    (x0, x1), (y0, y1) = p
    return (ob.FQ2([x0, x1]), ob.FQ2([y0, y1]), ob.FQ2.one())
