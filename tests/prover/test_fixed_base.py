"""Fixed-base multiplication of the generators (the setup's workload): the fast kernel against the
reference backend and py_ecc, on the scalars that break careless code."""

from __future__ import annotations

import random

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ob

from circuits.field import FR
from prover import bn254
from prover.backends.fast import FastBackend
from prover.backends.reference import ReferenceBackend

EDGE_SCALARS = [0, 1, 2, 3, 255, 256, 1 << 64, 1 << 200, (1 << 253) + 1, FR - 2, FR - 1]


def _scalars(seed: int) -> list[int]:
    rng = random.Random(seed)
    return EDGE_SCALARS + [rng.randrange(FR) for _ in range(20)]


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_fast_fixed_base_matches_reference(group):
    scalars = bn254.ints_to_limbs(_scalars(7))
    fast = getattr(FastBackend(), f"fixed_base_{group}")(scalars)
    reference = getattr(ReferenceBackend(), f"fixed_base_{group}")(scalars)
    assert np.array_equal(fast, reference)


def test_fixed_base_matches_py_ecc():
    ks = _scalars(8)
    g1 = bn254.g1_from_array(FastBackend().fixed_base_g1(bn254.ints_to_limbs(ks)))
    g2 = bn254.g2_from_array(FastBackend().fixed_base_g2(bn254.ints_to_limbs(ks)))
    for k, p, q in zip(ks, g1, g2, strict=True):
        expected1 = ob.normalize(ob.multiply(ob.G1, k)) if k else None
        expected2 = ob.normalize(ob.multiply(ob.G2, k)) if k else None
        assert p == (None if expected1 is None else tuple(int(c) for c in expected1))
        assert q == (None if expected2 is None else tuple(tuple(c.coeffs) for c in expected2))


def test_zero_scalars_between_others_share_one_inversion_correctly():
    """A slice's inversion skips points at infinity: zeros in the middle must not spoil the rest."""
    ks = [5, 0, 7, 0, 0, 11]
    out = bn254.g1_from_array(FastBackend().fixed_base_g1(bn254.ints_to_limbs(ks)))
    assert out[1] is None and out[3] is None
    assert out[5] == tuple(int(c) for c in ob.normalize(ob.multiply(ob.G1, 11)))


def test_fixed_base_rejects_scalars_not_below_r():
    with pytest.raises(ValueError, match="not below r"):
        FastBackend().fixed_base_g1(bn254.ints_to_limbs([1, FR]))
