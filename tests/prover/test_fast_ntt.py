"""NTT and the Groth16 quotient on the fast backend against direct polynomial evaluation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from circuits.field import FR
from prover.backends.fast import FastBackend
from prover.bn254 import ints_to_limbs, limbs_to_ints, root_of_unity


@pytest.fixture(scope="module")
def backend() -> FastBackend:
    return FastBackend()


def _evaluate(coeffs: list[int], x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % FR
    return acc


def _random(rng: random.Random, n: int) -> list[int]:
    values = [rng.randrange(FR) for _ in range(n)]
    if n >= 4:
        values[:3] = [0, 1, FR - 1]
    return values


@pytest.mark.parametrize("log_n", [0, 1, 2, 4, 6])
def test_ntt_evaluates_at_the_roots_of_unity(backend, log_n):
    rng = random.Random(log_n)
    n = 1 << log_n
    coeffs = _random(rng, n)
    w = root_of_unity(log_n)
    got = limbs_to_ints(backend.ntt(ints_to_limbs(coeffs)))
    assert got == [_evaluate(coeffs, pow(w, i, FR)) for i in range(n)]


@pytest.mark.parametrize("log_n", [0, 3, 11, 12])
def test_inverse_ntt_interpolates(backend, log_n):
    """2^11 and 2^12 run the blocked stages and the parallel sweeps past the 2^10 block."""
    rng = random.Random(100 + log_n)
    n = 1 << log_n
    coeffs = _random(rng, n)
    evals = backend.ntt(ints_to_limbs(coeffs))
    w = root_of_unity(log_n)
    flat = limbs_to_ints(evals)
    for i in sorted({0, min(1, n - 1), n // 2, n - 1, rng.randrange(n)}):
        assert flat[i] == _evaluate(coeffs, pow(w, i, FR))
    assert limbs_to_ints(backend.ntt(evals, inverse=True)) == coeffs
    # interpolation of a direct evaluation (inverse first, then forward)
    assert limbs_to_ints(backend.ntt(backend.ntt(evals, inverse=True))) == flat


def _naive_quotient(a: list[int], b: list[int], c: list[int]) -> list[int]:
    n = len(a)
    log_n = n.bit_length() - 1
    w_inv, n_inv = pow(root_of_unity(log_n), -1, FR), pow(n, -1, FR)

    def interpolate(values):
        return [n_inv * sum(v * pow(w_inv, i * j, FR) for i, v in enumerate(values)) % FR for j in range(n)]

    ca, cb, cc = (interpolate(v) for v in (a, b, c))
    w2 = root_of_unity(log_n + 1)
    odd = [pow(w2, 2 * i + 1, FR) for i in range(n)]
    return [(_evaluate(ca, x) * _evaluate(cb, x) - _evaluate(cc, x)) % FR for x in odd]


@pytest.mark.parametrize("log_n", [0, 1, 3, 5])
def test_quotient_evaluations_match_definition(backend, log_n):
    rng = random.Random(200 + log_n)
    a, b, c = (_random(rng, 1 << log_n) for _ in range(3))
    got = backend.quotient_evaluations(*(ints_to_limbs(v) for v in (a, b, c)))
    assert limbs_to_ints(got) == _naive_quotient(a, b, c)


def test_quotient_of_a_satisfied_system_is_zero(backend):
    """When A·B = C on the domain, A·B − C vanishes there: its odd-coset values are the
    quotient's times Z = x^n − 1 = −2 on the odd points, and for constant A, B, C they are 0."""
    n = 1 << 11
    a = ints_to_limbs([7] * n)
    b = ints_to_limbs([9] * n)
    c = ints_to_limbs([63] * n)
    assert not backend.quotient_evaluations(a, b, c).any()


def test_ntt_rejects_bad_sizes_and_does_not_modify_input(backend):
    with pytest.raises(ValueError, match="power of two"):
        backend.ntt(ints_to_limbs([1, 2, 3]))
    with pytest.raises(ValueError, match="power of two"):
        backend.ntt(np.zeros((0, 4), np.uint64))
    with pytest.raises(ValueError, match="equal shapes"):
        backend.quotient_evaluations(
            ints_to_limbs([1, 2]), ints_to_limbs([1, 2]), ints_to_limbs([1, 2, 3, 4])
        )
    values = ints_to_limbs([1, 2, 3, 4])
    before = values.copy()
    backend.ntt(values)
    backend.quotient_evaluations(values, values, values)
    assert np.array_equal(values, before)
