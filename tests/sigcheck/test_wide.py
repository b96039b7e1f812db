"""Dot products reduced once: equal to the Montgomery dot product up to the 17-term bound,
largest values included."""

import random

import numpy as np
import pytest
from numba import njit

from circuits.field import FR
from prover.bn254 import ints_to_limbs, limbs_to_ints
from prover.kernels.fields import load4
from rollup.sigcheck.wide import MAX_TERMS, WIDE_ZERO, wide_mac, wide_reduce


@njit
def dot(a, b, out):
    acc = WIDE_ZERO
    for i in range(a.shape[0]):
        acc = wide_mac(acc, load4(a, i), load4(b, i))
    r = wide_reduce(acc)
    for k in range(4):
        out[k] = r[k]


def montgomery_dot(xs: list[int], ys: list[int]) -> int:
    out = np.zeros(4, np.uint64)
    dot(ints_to_limbs(xs), ints_to_limbs(ys), out)
    return limbs_to_ints(out.reshape(1, 4))[0]


@pytest.mark.parametrize("terms", [1, 2, 6, 9, MAX_TERMS])
def test_matches_the_definition(terms):
    rng = random.Random(terms)
    r_inv = pow(1 << 256, -1, FR)
    cases = [[FR - 1] * terms, [0] * terms, *([rng.randrange(FR) for _ in range(terms)] for _ in range(20))]
    for xs in cases:
        ys = [FR - 1] * terms if xs[0] in (0, FR - 1) else [rng.randrange(FR) for _ in range(terms)]
        assert montgomery_dot(xs, ys) == sum(x * y for x, y in zip(xs, ys, strict=True)) * r_inv % FR
