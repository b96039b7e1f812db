"""The array checks a key is read with: limb ranges, and points on G1 and G2 in Montgomery form."""

from __future__ import annotations

import random

import numpy as np
import pytest
from py_ecc import bn128

from circuits.field import FR
from prover import bn254
from prover.curve import G1, G2
from prover.curve import first_off_curve as first_off_curve_ints
from prover.kernels.checks import first_off_curve


def _g1(p):
    return (p[0].n, p[1].n)


def _g2(p):
    return tuple((c.coeffs[0].n, c.coeffs[1].n) for c in p)


def _random_points(seed, n, generator, to_ints):
    rng = random.Random(seed)
    return [to_ints(bn128.multiply(generator, rng.randrange(1, FR))) for _ in range(n)]


def test_first_not_below_compares_whole_numbers():
    values = [0, FR - 1, FR, FR + 1, (1 << 256) - 1, FR - (1 << 64), FR + (1 << 192)]
    limbs = bn254.ints_to_limbs(values)
    assert bn254.first_not_below(limbs, FR) == 2
    assert bn254.first_not_below(limbs[:2], FR) is None
    assert bn254.first_not_below(limbs[3:], FR) == 0
    for i, v in enumerate(values):
        assert (bn254.first_not_below(limbs[i : i + 1], FR) is None) == (v < FR), v


@pytest.mark.parametrize(
    ("group", "generator", "to_ints", "to_array", "from_array"),
    [
        (G1, bn128.G1, _g1, bn254.g1_to_array, bn254.g1_from_array),
        (G2, bn128.G2, _g2, bn254.g2_to_array, bn254.g2_from_array),
    ],
    ids=["G1", "G2"],
)
def test_curve_check_agrees_with_the_integer_check(group, generator, to_ints, to_array, from_array):
    points = _random_points(5, 12, generator, to_ints)
    points[4] = None  # the all-zero infinity passes
    arr = to_array(points)
    assert first_off_curve(arr) is None
    assert first_off_curve(arr[:0]) is None

    off = arr.copy()
    off[7, 1, ..., 0] ^= np.uint64(1)  # y changed in the Montgomery image: off the curve
    assert first_off_curve(off) == first_off_curve_ints(group, from_array(off)) == 7

    too_big = arr.copy()  # x + q: the same residue, but not a reduced coordinate
    x_plus_q = bn254.limbs_to_ints(too_big[9, 0].reshape(-1, 4))[0] + bn254.FQ
    too_big[9, 0].reshape(-1, 4)[0] = bn254.ints_to_limbs([x_plus_q])[0]
    assert first_off_curve(too_big) == 9
    for coordinate in range(too_big[11].size // 4):  # each coordinate (G2: x.c0 … y.c1) equal to q
        at_q = arr.copy()
        at_q[11].reshape(-1, 4)[coordinate] = bn254.ints_to_limbs([bn254.FQ])[0]
        assert first_off_curve(at_q) == 11, coordinate
    both = too_big.copy()
    both[10] = off[7]
    assert first_off_curve(both) == 9
    both[2] = off[7]
    assert first_off_curve(both) == 2


def test_curve_check_uses_every_thread_slice():
    """Enough points to be split across threads; the bad one sits in the last slice."""
    base = bn254.g1_to_array(_random_points(6, 4, bn128.G1, _g1))
    arr = np.tile(base, ((1 << 15) // 4, 1, 1))
    assert first_off_curve(arr) is None
    arr[-3, 0, 0] ^= np.uint64(2)
    assert first_off_curve(arr) == arr.shape[0] - 3


def test_curve_check_rejects_other_shapes():
    with pytest.raises(ValueError, match="expected G1"):
        first_off_curve(np.zeros((3, 4), np.uint64))
