"""Python-int G1/G2 arithmetic against py_ecc."""

from __future__ import annotations

import random

import pytest
from py_ecc import bn128

from circuits.field import FR
from prover.curve import G1, G2, FixedBase, first_off_curve, g1_multiply_all


def _g1(p):
    return None if p is None else (p[0].n, p[1].n)


def _g2(p):
    return None if p is None else tuple((c.coeffs[0].n, c.coeffs[1].n) for c in p)


SCALARS = [0, 1, 2, 3, 15, 16, 17, FR - 1, 0xDEADBEEF << 200]


@pytest.mark.parametrize("k", SCALARS)
def test_multiply_matches_py_ecc(k):
    assert G1.to_affine(G1.multiply(G1.from_affine(G1.generator), k)) == _g1(bn128.multiply(bn128.G1, k))
    assert G2.to_affine(G2.multiply(G2.from_affine(G2.generator), k)) == _g2(bn128.multiply(bn128.G2, k))


def test_fixed_base_matches_variable_base():
    ks = [k % FR for k in SCALARS]
    for group in (G1, G2):
        table = FixedBase(group, group.generator)
        expected = [group.to_affine(group.multiply(group.from_affine(group.generator), k)) for k in ks]
        assert table.multiply_many(ks) == expected


def test_addition_edge_cases():
    p = G1.from_affine(G1.generator)
    two_p = G1.to_affine(G1.double(p))
    assert G1.to_affine(G1.add(p, p)) == two_p
    assert G1.to_affine(G1.add_affine(p, G1.generator)) == two_p
    assert G1.to_affine(G1.add(p, G1.neg(p))) is None
    assert G1.to_affine(G1.add_affine(G1.neg(p), G1.generator)) is None
    assert G1.to_affine(G1.add(G1.infinity, p)) == G1.generator


def test_multiply_all_matches_one_by_one():
    rng = random.Random(4)
    points = [G1.to_affine(G1.multiply(G1.from_affine(G1.generator), rng.randrange(1, FR))) for _ in range(6)]
    points.append(None)
    for k in (1, 2, 3, FR - 1, rng.randrange(2, FR)):
        expected = [None if p is None else G1.to_affine(G1.multiply(G1.from_affine(p), k)) for p in points]
        assert g1_multiply_all(points, k) == expected
    with pytest.raises(ValueError):
        g1_multiply_all(points, 0)


def test_off_curve_points_are_found():
    good = G1.generator
    assert first_off_curve(G1, [good, None, good]) is None
    assert first_off_curve(G1, [good, (1, 3)]) == 1
    assert first_off_curve(G2, [G2.generator, ((1, 0), (2, 0))]) == 1
