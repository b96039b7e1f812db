"""The QAP evaluations of a witness: A·w and B·w on the domain from a key's coefficient list, and
C = A∘B pointwise (as snarkjs's prover takes it), all ``(n, 4)`` standard form.

Coefficients go into Montgomery form once, so the Montgomery product with a standard-form witness
value is the standard-form term; the accumulation is one serial pass (cells repeat, so slices
would race), the pointwise product a parallel one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.kernels.convert import to_montgomery
from prover.kernels.fields import FR_R2, fr_add, fr_mul, load4, store4
from prover.kernels.threads import run_in_slices

_SPLIT_MIN = 1 << 14  # pointwise products below this size stay on one thread


@njit(cache=True, nogil=True)
def _accumulate(matrix, row, signal, value_mont, witness, domain_size, sums):
    """sums[matrix·n + row] += value·witness[signal] for every coefficient (sums: 2n rows, zeroed)."""
    for k in range(matrix.shape[0]):
        cell = np.int64(matrix[k]) * domain_size + np.int64(row[k])
        term = fr_mul(load4(value_mont, k), load4(witness, np.int64(signal[k])))
        store4(sums, cell, fr_add(load4(sums, cell), term))


@njit(cache=True, nogil=True)
def _pointwise_product(a, b, out, lo, hi):
    """out[i] = a[i]·b[i] in standard form (the product by R² undoes the Montgomery 1/R)."""
    for i in range(lo, hi):
        store4(out, i, fr_mul(fr_mul(load4(a, i), load4(b, i)), FR_R2))


def qap_evaluations(
    matrix: np.ndarray,
    row: np.ndarray,
    signal: np.ndarray,
    value: np.ndarray,
    witness: np.ndarray,
    domain_size: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A·w, B·w, A∘B), each ``(domain_size, 4)``; indices must be in range (checked by the caller),
    values and witness ``(·, 4)`` uint64 below r."""
    sums = np.zeros((2 * domain_size, 4), np.uint64)
    _accumulate(matrix, row, signal, to_montgomery(value, "fr"), witness, domain_size, sums)
    a, b = sums[:domain_size], sums[domain_size:]
    c = np.empty_like(a)
    run_in_slices(lambda lo, hi: _pointwise_product(a, b, c, lo, hi), domain_size, _SPLIT_MIN)
    return a, b, c
