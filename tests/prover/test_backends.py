"""Every backend's primitives against naive definitions (py_ecc sums, direct polynomial evaluation)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from py_ecc import bn128

from circuits.field import FR
from prover import bn254
from prover.backends import BACKENDS, get_backend


@pytest.fixture(params=sorted(BACKENDS))
def backend(request):
    return get_backend(request.param)


def _naive_msm(base, scalars):
    acc = None
    for k, p in zip(scalars, base, strict=True):
        if p is not None:
            acc = bn128.add(acc, bn128.multiply(p, k)) if acc is not None else bn128.multiply(p, k)
    return acc


def _g1(p):
    return None if p is None else (p[0].n, p[1].n)


def _g2(p):
    return None if p is None else tuple((c.coeffs[0].n, c.coeffs[1].n) for c in p)


def _points(rng, n, generator):
    return [bn128.multiply(generator, rng.randrange(1, FR)) for _ in range(n)]


def test_msm_g1_matches_naive_sum(backend):
    rng = random.Random(1)
    pts = _points(rng, 20, bn128.G1)
    pts[3] = pts[4]  # a repeated point exercises doubling inside buckets
    scalars = [rng.randrange(FR) for _ in pts]
    scalars[0], scalars[1], scalars[2] = 0, 1, FR - 1
    affine = [_g1(p) for p in pts]
    affine[5] = None  # the point at infinity contributes nothing
    expected = _naive_msm([None if i == 5 else p for i, p in enumerate(pts)], scalars)
    got = backend.msm_g1(bn254.g1_to_array(affine), bn254.ints_to_limbs(scalars))
    assert got == _g1(expected)


def test_msm_g2_matches_naive_sum(backend):
    rng = random.Random(2)
    pts = _points(rng, 6, bn128.G2)
    scalars = [rng.randrange(FR) for _ in pts]
    scalars[0] = 0
    got = backend.msm_g2(bn254.g2_to_array([_g2(p) for p in pts]), bn254.ints_to_limbs(scalars))
    assert got == _g2(_naive_msm(pts, scalars))


def test_msm_that_cancels_is_infinity(backend):
    p = _g1(bn128.multiply(bn128.G1, 5))
    assert backend.msm_g1(bn254.g1_to_array([p, p]), bn254.ints_to_limbs([3, FR - 3])) is None


def _evaluate(coeffs, x):
    return sum(c * pow(x, i, FR) for i, c in enumerate(coeffs)) % FR


@pytest.mark.parametrize("log_n", [0, 1, 3, 5])
def test_ntt_evaluates_at_roots_and_inverts(backend, log_n):
    rng = random.Random(log_n)
    n = 1 << log_n
    coeffs = [rng.randrange(FR) for _ in range(n)]
    w = bn254.root_of_unity(log_n)
    evals = backend.ntt(bn254.ints_to_limbs(coeffs))
    assert bn254.limbs_to_ints(evals) == [_evaluate(coeffs, pow(w, i, FR)) for i in range(n)]
    assert bn254.limbs_to_ints(backend.ntt(evals, inverse=True)) == coeffs


def test_ntt_rejects_sizes_that_are_not_powers_of_two(backend):
    with pytest.raises(ValueError, match="power of two"):
        backend.ntt(np.zeros((3, 4), dtype=np.uint64))


@pytest.mark.parametrize("log_n", [1, 2, 4])
def test_quotient_evaluations_are_a_b_minus_c_on_the_odd_points(backend, log_n):
    rng = random.Random(10 + log_n)
    n = 1 << log_n
    w_n, w_2n = bn254.root_of_unity(log_n), bn254.root_of_unity(log_n + 1)
    polys = [[rng.randrange(FR) for _ in range(n)] for _ in range(3)]
    on_domain = [bn254.ints_to_limbs([_evaluate(p, pow(w_n, i, FR)) for i in range(n)]) for p in polys]
    got = bn254.limbs_to_ints(backend.quotient_evaluations(*on_domain))
    odd = [pow(w_2n, 2 * i + 1, FR) for i in range(n)]
    a, b, c = polys
    assert got == [(_evaluate(a, x) * _evaluate(b, x) - _evaluate(c, x)) % FR for x in odd]


def _qap_case(rng, n_wires, n, m):
    """A random coefficient table with repeated (matrix, row) cells, zeros and r − 1, and a witness."""
    cells = [(rng.randrange(2), rng.randrange(n)) for _ in range(m // 2)]
    cells += [cells[rng.randrange(len(cells))] for _ in range(m - len(cells))]
    values = [rng.choice([0, 1, FR - 1, rng.randrange(FR)]) for _ in range(m)]
    witness = [1] + [rng.choice([0, 1, FR - 1, rng.randrange(FR)]) for _ in range(n_wires - 1)]
    matrix = np.array([c[0] for c in cells], np.uint32)
    row = np.array([c[1] for c in cells], np.uint32)
    signal = np.array([rng.randrange(n_wires) for _ in range(m)], np.uint32)
    return matrix, row, signal, values, witness


@pytest.mark.parametrize("seed", [1, 2])
def test_qap_evaluations_sum_the_coefficient_table(backend, seed):
    rng = random.Random(seed)
    n, n_wires = 16, 9
    matrix, row, signal, values, witness = _qap_case(rng, n_wires, n, 60)
    expected = [[0] * n, [0] * n]
    for mat, r, s, v in zip(matrix, row, signal, values, strict=True):
        expected[mat][r] = (expected[mat][r] + v * witness[s]) % FR
    a, b, c = backend.qap_evaluations(
        matrix, row, signal, bn254.ints_to_limbs(values), bn254.ints_to_limbs(witness), n
    )
    assert bn254.limbs_to_ints(a) == expected[0]
    assert bn254.limbs_to_ints(b) == expected[1]
    assert bn254.limbs_to_ints(c) == [x * y % FR for x, y in zip(*expected, strict=True)]


def test_qap_evaluations_of_backends_agree():
    rng = random.Random(3)
    n = 1 << 8
    matrix, row, signal, values, witness = _qap_case(rng, 100, n, 700)
    args = (matrix, row, signal, bn254.ints_to_limbs(values), bn254.ints_to_limbs(witness), n)
    results = [get_backend(name).qap_evaluations(*args) for name in sorted(BACKENDS)]
    for got in results[1:]:
        for x, y in zip(results[0], got, strict=True):
            assert np.array_equal(x, y)
