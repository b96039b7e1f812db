"""BN254 point validation (plain ints), and conversion to py_ecc's optimized (projective) points."""

from __future__ import annotations

from typing import Any

from verifier.pairing import Q as FQ_MODULUS
from verifier.pairing import R as R_MODULUS
from verifier.pairing import g2_in_subgroup, g2_is_on_curve
from verifier.types import G1Point, G2Point

__all__ = ["FQ_MODULUS", "R_MODULUS", "check_g1", "check_g2", "to_g1", "to_g2"]


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
    if not g2_is_on_curve(p):
        raise ValueError("point is not on the G2 twist curve")
    if not g2_in_subgroup(p):
        raise ValueError("G2 point is not in the prime-order subgroup")
    return p


def to_g1(p: G1Point) -> tuple[Any, Any, Any]:
    """p as a py_ecc optimized_bn128 point (for callers doing py_ecc arithmetic)."""
    from py_ecc import optimized_bn128 as ob

    if p is None:
        return ob.Z1
    return (ob.FQ(p[0]), ob.FQ(p[1]), ob.FQ.one())


def to_g2(p: G2Point) -> tuple[Any, Any, Any]:
    """p as a py_ecc optimized_bn128 G2 point."""
    from py_ecc import optimized_bn128 as ob

    if p is None:
        return ob.Z2
    (x0, x1), (y0, y1) = p
    return (ob.FQ2([x0, x1]), ob.FQ2([y0, y1]), ob.FQ2.one())
