"""The plain-int pairing against py_ecc's: same values, bilinear, and a subgroup check that refuses."""

from __future__ import annotations

import random

import pytest
from py_ecc import optimized_bn128 as ob

from tests.chain.points import affine_g1, affine_g2, g2_outside_subgroup
from verifier import pairing as pr
from verifier.curve import check_g2

RNG = random.Random(20261125)


def _g1(k: int):
    return affine_g1(ob.multiply(ob.G1, k))


def _g2(k: int):
    return affine_g2(ob.multiply(ob.G2, k))


def _in_py_ecc_basis(f: pr.Fq12) -> list[int]:
    """Our tower element as py_ecc's FQ12 coefficients (basis w⁰..w¹¹, where u = w⁶ − 9)."""
    out = [0] * 12
    for j in range(2):
        for i in range(3):
            c0, c1 = f[j][i]
            out[2 * i + j] = (out[2 * i + j] + c0 - 9 * c1) % pr.Q
            out[2 * i + j + 6] = (out[2 * i + j + 6] + c1) % pr.Q
    return out


def _random_f12() -> pr.Fq12:
    return tuple(tuple((RNG.randrange(pr.Q), RNG.randrange(pr.Q)) for _ in range(3)) for _ in range(2))


def _pow(f: pr.Fq12, e: int) -> pr.Fq12:
    """Plain square-and-multiply with the general squaring: the reference for the fast paths."""
    out = pr.F12_ONE
    for bit in bin(e)[2:]:
        out = pr.f12_sqr(out)
        if bit == "1":
            out = pr.f12_mul(out, f)
    return out


@pytest.mark.slow
def test_pairing_equals_py_ecc():
    a, b = RNG.randrange(1, pr.R), RNG.randrange(1, pr.R)
    ours = pr.pairing(_g1(a), _g2(b))
    theirs = ob.pairing(ob.multiply(ob.G2, b), ob.multiply(ob.G1, a))
    assert _in_py_ecc_basis(ours) == [int(c) for c in theirs.coeffs]


def test_product_is_one_exactly_when_bilinearity_says_so():
    a, b = RNG.randrange(1, pr.R), RNG.randrange(1, pr.R)
    left = (_g1(a), _g2(b))
    assert pr.pairing_product_is_one([left, (_g1(-a * b % pr.R), _g2(1))])
    assert not pr.pairing_product_is_one([left, (_g1((-a * b + 1) % pr.R), _g2(1))])
    assert not pr.pairing_product_is_one([left, (_g1(-a * b % pr.R), _g2(2))])
    assert pr.pairing_product_is_one([left, (None, _g2(1)), (_g1(-a * b % pr.R), _g2(1))])
    assert pr.pairing_product_is_one([])


def test_pairing_is_not_degenerate():
    assert pr.pairing(_g1(1), _g2(1)) != pr.F12_ONE


def test_frobenius_is_the_q_th_power():
    f = _random_f12()
    assert pr.f12_frobenius(f) == _pow(f, pr.Q)


def test_inverse_and_conjugate():
    f = _random_f12()
    assert pr.f12_mul(f, pr.f12_inv(f)) == pr.F12_ONE
    assert pr.f12_conj(f) == _pow(f, pr.Q**6)


def test_cyclotomic_squaring_and_power_match_the_general_ones():
    f = _random_f12()
    f = pr.f12_mul(pr.f12_conj(f), pr.f12_inv(f))
    g = pr.f12_mul(pr.f12_frobenius(pr.f12_frobenius(f)), f)  # in the cyclotomic subgroup
    assert pr.f12_cyclotomic_sqr(g) == pr.f12_sqr(g)
    e = RNG.randrange(1 << 300)
    assert pr.f12_cyclotomic_pow(g, e) == _pow(g, e)


def test_curve_arithmetic_matches_py_ecc():
    k = RNG.randrange(pr.R)
    assert pr.g1_multiply(_g1(1), k) == _g1(k)
    assert pr.g2_multiply(_g2(1), k) == _g2(k)
    assert pr.g1_add(_g1(3), _g1(pr.R - 3)) is None
    assert pr.g2_add(_g2(5), _g2(5)) == _g2(10)


def test_subgroup_check_refuses_a_twist_point_outside_g2():
    outside = g2_outside_subgroup()
    assert pr.g2_is_on_curve(outside)
    assert not pr.g2_in_subgroup(outside)
    with pytest.raises(ValueError, match="subgroup"):
        check_g2(outside)
    assert pr.g2_in_subgroup(_g2(RNG.randrange(1, pr.R)))
