"""py_ecc points in the prover layouts, and point sets with known discrete logs, for fast-kernel tests."""

from __future__ import annotations

import numpy as np
from py_ecc import optimized_bn128 as ob

from circuits.field import FR
from prover import bn254
from prover.kernels.points import fill_progression


def g1_affine(p) -> bn254.G1Point:
    """An optimized_bn128 G1 point as an affine int pair (None at infinity)."""
    if ob.is_inf(p):
        return None
    x, y = ob.normalize(p)
    return (int(x), int(y))


def g2_affine(p) -> bn254.G2Point:
    if ob.is_inf(p):
        return None
    x, y = ob.normalize(p)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


def g1_jacobian(p: bn254.G1Point):
    """An affine int pair as an optimized_bn128 point."""
    return ob.Z1 if p is None else (ob.FQ(p[0]), ob.FQ(p[1]), ob.FQ.one())


def g2_jacobian(p: bn254.G2Point):
    return ob.Z2 if p is None else (ob.FQ2(list(p[0])), ob.FQ2(list(p[1])), ob.FQ2.one())


def naive_msm_g1(points: list[bn254.G1Point], scalars: list[int]) -> bn254.G1Point:
    acc = ob.Z1
    for p, s in zip(points, scalars, strict=True):
        acc = ob.add(acc, ob.multiply(g1_jacobian(p), s % FR))
    return g1_affine(acc)


def naive_msm_g2(points: list[bn254.G2Point], scalars: list[int]) -> bn254.G2Point:
    acc = ob.Z2
    for p, s in zip(points, scalars, strict=True):
        acc = ob.add(acc, ob.multiply(g2_jacobian(p), s % FR))
    return g2_affine(acc)


def progression(group: str, first: int, step: int, n: int) -> np.ndarray:
    """Rows (first + i·step)·G, i < n, in the layout of ``group`` ('g1' or 'g2'), built by the kernels;
    their discrete logs are known, so an MSM over them has a one-multiplication expected value."""
    if group == "g1":
        base = bn254.g1_to_array([g1_affine(ob.multiply(ob.G1, first)), g1_affine(ob.multiply(ob.G1, step))])
        out = np.empty((n, 2, 4), np.uint64)
    else:
        base = bn254.g2_to_array([g2_affine(ob.multiply(ob.G2, first)), g2_affine(ob.multiply(ob.G2, step))])
        out = np.empty((n, 2, 2, 4), np.uint64)
    fill_progression(base, out)
    return out
