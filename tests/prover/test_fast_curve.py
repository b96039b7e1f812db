"""G1 and G2 point kernels (Jacobian add, mixed add, double, to affine) against py_ecc."""

from __future__ import annotations

import random

import numpy as np
import pytest
from numba import njit
from py_ecc import optimized_bn128 as ob

from circuits.field import FR
from prover.bn254 import FQ, R_MONT, R_MONT_INV
from prover.kernels.curve import jac_add, jac_add_affine, jac_double, jac_to_affine
from prover.kernels.fields import limb_tuple
from tests.prover.fast_points import g1_affine, g2_affine


@njit(cache=True)
def _add(p, q):
    return jac_to_affine(jac_add(p, q))


@njit(cache=True)
def _add_affine(p, x, y):
    return jac_to_affine(jac_add_affine(p, x, y))


@njit(cache=True)
def _double(p):
    return jac_to_affine(jac_double(p))


class Group:
    """Conversions between py_ecc points and kernel tuples for one group."""

    def __init__(self, name: str):
        self.name = name
        self.gen, self.zero = (ob.G1, ob.Z1) if name == "g1" else (ob.G2, ob.Z2)
        self.affine = g1_affine if name == "g1" else g2_affine

    def element(self, value):
        """A field element (int, or (c0, c1) for Fq2) as a Montgomery kernel tuple."""
        if self.name == "g1":
            return limb_tuple(value * R_MONT % FQ)
        return tuple(limb_tuple(c * R_MONT % FQ) for c in value)

    def value(self, element):
        def one(limbs):
            return int.from_bytes(np.array(limbs, np.uint64).tobytes(), "little") * R_MONT_INV % FQ

        return one(element) if self.name == "g1" else (one(element[0]), one(element[1]))

    def jacobian(self, point, rng: random.Random):
        """Kernel Jacobian (X, Y, Z) for a py_ecc point, with a random Z ≠ 1."""
        p = self.affine(point)
        if p is None:
            one = self.element(1 if self.name == "g1" else (1, 0))
            zero = self.element(0 if self.name == "g1" else (0, 0))
            return (one, one, zero)
        z = rng.randrange(2, FQ)
        x, y = p
        if self.name == "g1":
            return (self.element(x * z * z % FQ), self.element(y * z**3 % FQ), self.element(z))
        return (
            self.element(tuple(c * z * z % FQ for c in x)),
            self.element(tuple(c * z**3 % FQ for c in y)),
            self.element((z, 0)),
        )

    def affine_pair(self, point):
        p = self.affine(point)
        zero = 0 if self.name == "g1" else (0, 0)
        return (
            (self.element(zero), self.element(zero))
            if p is None
            else (self.element(p[0]), self.element(p[1]))
        )

    def result(self, affine_tuple):
        x, y = (self.value(v) for v in affine_tuple)
        zero = 0 if self.name == "g1" else (0, 0)
        return None if (x, y) == (zero, zero) else (x, y)


@pytest.fixture(params=["g1", "g2"])
def group(request) -> Group:
    return Group(request.param)


def _cases(group: Group, rng: random.Random):
    p = ob.multiply(group.gen, rng.randrange(1, FR))
    q = ob.multiply(group.gen, rng.randrange(1, FR))
    return [(p, q), (p, p), (p, ob.neg(p)), (group.zero, q), (p, group.zero), (group.zero, group.zero)]


def test_jacobian_add_matches_py_ecc(group):
    rng = random.Random(1)
    for p, q in _cases(group, rng):
        got = _add(group.jacobian(p, rng), group.jacobian(q, rng))
        assert group.result(got) == group.affine(ob.add(p, q))


def test_mixed_add_matches_py_ecc(group):
    rng = random.Random(2)
    for p, q in _cases(group, rng):
        x, y = group.affine_pair(q)
        got = _add_affine(group.jacobian(p, rng), x, y)
        assert group.result(got) == group.affine(ob.add(p, q))


def test_double_matches_py_ecc(group):
    rng = random.Random(3)
    for p in (ob.multiply(group.gen, rng.randrange(1, FR)), group.gen, group.zero):
        got = _double(group.jacobian(p, rng))
        assert group.result(got) == group.affine(ob.double(p))
