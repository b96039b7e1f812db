"""Evaluation and interpolation on the power-of-two domains of Fr, and the Groth16 quotient.

Twiddle tables depend only on the domain size, so they are built once per size and kept.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from circuits.field import FR
from prover.bn254 import FR_TWO_ADICITY, root_of_unity
from prover.kernels.fields import limb_tuple
from prover.kernels.ntt import fill_powers, ntt_in_place, product_minus, scale_all, scale_rows
from prover.kernels.threads import run_in_slices

_R = (1 << 256) % FR
_SPLIT_MIN = 1 << 14  # pointwise passes below this size stay on one thread


def _mont(value: int) -> int:
    return value * _R % FR


def _powers(base: int, first: int, count: int) -> np.ndarray:
    """Rows first·base^k, k < count, in Montgomery form."""
    out = np.empty((count, 4), np.uint64)
    fill_powers(limb_tuple(_mont(base)), limb_tuple(_mont(first)), out)
    return out


@cache
def twiddles(log_n: int, inverse: bool) -> np.ndarray:
    """w^k for k < n/2, w = root_of_unity(log_n) (or its inverse), Montgomery form."""
    w = root_of_unity(log_n)
    return _powers(pow(w, -1, FR) if inverse else w, 1, (1 << log_n) >> 1)


@cache
def coset_factors(log_n: int) -> np.ndarray:
    """w_2n^j / n for j < n: moves interpolated coefficients onto the odd points of the 2n domain."""
    n = 1 << log_n
    return _powers(root_of_unity(log_n + 1), pow(n, -1, FR), n)


def domain_log(n: int) -> int:
    """log2 n for a power of two up to Fr's 2-adicity, else ValueError."""
    if n < 1 or n & (n - 1) or n.bit_length() - 1 > FR_TWO_ADICITY:
        raise ValueError(f"domain size must be a power of two up to 2^{FR_TWO_ADICITY}, got {n}")
    return n.bit_length() - 1


def ntt(values: np.ndarray, inverse: bool = False) -> np.ndarray:
    """Evaluations at w^i (or, inverse, the coefficients interpolating them) of ``(n, 4)`` values."""
    log_n = domain_log(values.shape[0])
    out = np.array(values, dtype=np.uint64, order="C", copy=True)
    ntt_in_place(out, twiddles(log_n, inverse), log_n)
    if inverse:
        n_inv = limb_tuple(_mont(pow(values.shape[0], -1, FR)))
        run_in_slices(lambda lo, hi: scale_all(out, n_inv, lo, hi), out.shape[0], _SPLIT_MIN)
    return out


def _to_odd_coset(values: np.ndarray, log_n: int) -> np.ndarray:
    out = np.array(values, dtype=np.uint64, order="C", copy=True)
    ntt_in_place(out, twiddles(log_n, True), log_n)
    factors = coset_factors(log_n)
    run_in_slices(lambda lo, hi: scale_rows(out, factors, lo, hi), out.shape[0], _SPLIT_MIN)
    ntt_in_place(out, twiddles(log_n, False), log_n)
    return out


def quotient_evaluations(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """A·B − C on the odd points w_2n^(2i+1) of the doubled domain, from A, B, C on the size-n domain."""
    log_n = domain_log(a.shape[0])
    if not a.shape == b.shape == c.shape:
        raise ValueError(f"A, B, C must have equal shapes, got {a.shape}, {b.shape}, {c.shape}")
    out = np.empty_like(a, dtype=np.uint64)
    ea, eb, ec = (_to_odd_coset(v, log_n) for v in (a, b, c))
    run_in_slices(lambda lo, hi: product_minus(ea, eb, ec, out, lo, hi), out.shape[0], _SPLIT_MIN)
    return out
