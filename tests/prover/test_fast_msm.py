"""G1 and G2 multi-scalar multiplication against py_ecc, with the edges a witness brings:
zero and one scalars, r − 1, repeated and cancelling points, the point at infinity, odd sizes."""

from __future__ import annotations

import random

import numpy as np
import pytest
from numba import njit
from py_ecc import optimized_bn128 as ob

from circuits.field import FR
from prover import bn254
from prover.backends.fast import FastBackend
from prover.kernels.curve import jac_to_affine
from prover.kernels.layout import store_xy
from prover.kernels.msm import BATCHED_FOLD_MIN, choose_window, fold_batched, window_count
from tests.prover.fast_points import (
    g1_affine,
    g2_affine,
    naive_msm_g1,
    naive_msm_g2,
    progression,
)


@njit(cache=True)
def _fold_rows(sums, out):
    x, y = jac_to_affine(fold_batched(sums))
    store_xy(out, 0, x, y)


def _fold_to_affine(sums: np.ndarray) -> bn254.G1Point:
    out = np.zeros((1, 2, 4), np.uint64)
    _fold_rows(sums, out)
    return bn254.g1_from_array(out)[0]


GROUPS = {
    "g1": (ob.G1, g1_affine, bn254.g1_to_array, naive_msm_g1, "msm_g1"),
    "g2": (ob.G2, g2_affine, bn254.g2_to_array, naive_msm_g2, "msm_g2"),
}


@pytest.fixture(scope="module")
def backend() -> FastBackend:
    return FastBackend()


def _msm(backend, group, points_array, scalars):
    return getattr(backend, GROUPS[group][4])(points_array, bn254.ints_to_limbs(scalars))


def _random_points(group: str, rng: random.Random, n: int) -> list:
    gen, affine = GROUPS[group][:2]
    return [affine(ob.multiply(gen, rng.randrange(1, FR))) for _ in range(n)]


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_with_witness_edges_matches_naive_sum(backend, group):
    rng = random.Random(group)
    points = _random_points(group, rng, 14)
    scalars = [rng.randrange(FR) for _ in points]
    scalars[0] = 0
    scalars[1] = scalars[8] = 1
    scalars[2] = FR - 1
    points[3] = None  # infinity among the points
    points[5] = points[7] = points[4]  # repeated points: same bucket, so doubling
    scalars[5] = scalars[4]
    scalars[7] = FR - scalars[4]  # cancels point 4: a bucket sum through infinity
    scalars[9] = FR + 12345  # not reduced: counts mod r
    to_array, naive = GROUPS[group][2], GROUPS[group][3]
    assert _msm(backend, group, to_array(points), scalars) == naive(points, scalars)


@pytest.mark.parametrize("group", ["g1", "g2"])
@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_msm_small_sizes_match_naive_sum(backend, group, n):
    rng = random.Random(n)
    points = _random_points(group, rng, n)
    scalars = [rng.randrange(FR) for _ in points]
    to_array, naive = GROUPS[group][2], GROUPS[group][3]
    assert _msm(backend, group, to_array(points), scalars) == naive(points, scalars)


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_of_nothing_is_infinity(backend, group):
    to_array = GROUPS[group][2]
    rng = random.Random(5)
    points = _random_points(group, rng, 3)
    assert _msm(backend, group, to_array(points), [0, 0, FR]) is None
    assert _msm(backend, group, to_array([None, None]), [3, 4]) is None
    assert _msm(backend, group, to_array([points[0], points[0]]), [7, FR - 7]) is None
    empty = to_array([])
    assert _msm(backend, group, empty, []) is None


def _known_log_case(group: str, n: int, scalars: list[int], first: int, step: int):
    """An MSM over (first + i·step)·G, whose value is (Σ s_i (first + i·step))·G."""
    gen, affine = GROUPS[group][:2]
    points = progression(group, first, step, n)
    log = sum(s * (first + i * step) for i, s in enumerate(scalars)) % FR
    return points, affine(ob.multiply(gen, log))


@pytest.mark.parametrize("group", ["g1", "g2"])
def test_msm_many_terms_matches_known_discrete_log(backend, group):
    """~1000 terms (not a power of two): several windows, deep buckets, a witness-like mix."""
    rng = random.Random(11)
    n = 1000 if group == "g1" else 300
    scalars = [rng.choice([0, 1, 1, 2, FR - 1, rng.randrange(FR), rng.randrange(1 << 64)]) for _ in range(n)]
    points, expected = _known_log_case(group, n, scalars, rng.randrange(1, FR), rng.randrange(1, FR))
    assert _msm(backend, group, points, scalars) == expected


def test_msm_one_bucket_with_many_points(backend):
    """All scalars equal: every window piles all points into one bucket (log2 n pairing rounds)."""
    n = 257
    scalars = [3] * n
    points, expected = _known_log_case("g1", n, scalars, 5, 7)
    assert _msm(backend, "g1", points, scalars) == expected


def test_msm_accepts_read_only_and_rejects_bad_shapes(backend):
    points = progression("g1", 2, 3, 4)
    scalars = bn254.ints_to_limbs([1, 2, 3, 4])
    expected = backend.msm_g1(points, scalars)
    points.flags.writeable = False
    scalars.flags.writeable = False
    assert backend.msm_g1(points, scalars) == expected
    with pytest.raises(ValueError, match="points"):
        backend.msm_g1(points.reshape(4, 8), scalars)
    with pytest.raises(ValueError, match="3 scalars"):
        backend.msm_g1(points, scalars[:3])
    with pytest.raises(ValueError, match="uint64"):
        backend.msm_g1(points.astype(np.int64), scalars)
    with pytest.raises(ValueError, match="points"):
        backend.msm_g2(points, scalars)


def test_window_choice_grows_with_size_and_covers_the_scalar():
    widths = [choose_window(1 << k) for k in range(0, 22, 3)]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    for c in range(2, 23):
        # the top window holds at most c-1 bits of a 254-bit scalar, so its signed digit cannot carry out
        assert window_count(c) * c - 254 >= 1


def test_msm_large_enough_to_split_scalar_work_and_batch_the_fold(backend):
    """2^14 + 3 terms: scalar preprocessing runs in slices, windows in many bucket runs, and the
    window is wide enough (2^11 buckets) for the batched affine fold of the buckets."""
    rng = random.Random(13)
    n = (1 << 14) + 3
    edges = [0, 1, FR - 1, 2]
    scalars = [rng.randrange(FR) if i % 50 else edges[(i // 50) % 4] for i in range(n)]
    assert 1 << (choose_window(n - n // 200) - 1) >= BATCHED_FOLD_MIN
    points, expected = _known_log_case("g1", n, scalars, rng.randrange(1, FR), rng.randrange(1, FR))
    assert _msm(backend, "g1", points, scalars) == expected


def test_batched_fold_matches_weighted_sum():
    """Σ (b+1)·S_b by the batched fold, with empty buckets, equal and opposite neighbours."""
    rng = random.Random(17)
    count = 1 << 12
    logs = [rng.randrange(FR) if rng.random() < 0.8 else 0 for _ in range(count)]
    # segments of 4 buckets, each walked from its top: b = 7 then 6 makes the running sum meet
    # its own addend (doubling); b = 1003 then 1002 cancels it (infinity)
    logs[7] = logs[6] = 77
    logs[1003], logs[1002] = 5, FR - 5
    sums = bn254.g1_to_array([g1_affine(ob.multiply(ob.G1, v)) if v else None for v in logs])
    expected = g1_affine(ob.multiply(ob.G1, sum((b + 1) * v for b, v in enumerate(logs)) % FR))
    assert _fold_to_affine(sums) == expected
