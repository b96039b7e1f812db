"""The reference backend: Python ints throughout, written to be read and trusted, not to be fast."""

from __future__ import annotations

from functools import cache

import numpy as np

from circuits.field import FR
from prover import bn254
from prover.bn254 import G1Point, G2Point
from prover.curve import G1, G2, FixedBase, Group


@cache
def _generator_table(group: Group) -> FixedBase:
    return FixedBase(group, group.generator)


def _log2_exact(n: int) -> int:
    if n == 0 or n & (n - 1):
        raise ValueError(f"NTT size {n} is not a power of two")
    return n.bit_length() - 1


def ntt_ints(values: list[int], root: int) -> list[int]:
    """Evaluate the polynomial with coefficients ``values`` at root^i (iterative radix-2, natural order)."""
    n = len(values)
    log_n = _log2_exact(n)
    out = [0] * n
    for i, v in enumerate(values):
        out[int(f"{i:0{log_n}b}"[::-1], 2) if log_n else 0] = v
    size = 2
    while size <= n:
        step = pow(root, n // size, FR)
        half = size // 2
        twiddles = [1] * half
        for k in range(1, half):
            twiddles[k] = twiddles[k - 1] * step % FR
        for start in range(0, n, size):
            for k in range(half):
                lo = out[start + k]
                hi = out[start + k + half] * twiddles[k] % FR
                out[start + k] = (lo + hi) % FR
                out[start + k + half] = (lo - hi) % FR
        size *= 2
    return out


def intt_ints(values: list[int], root: int) -> list[int]:
    """Interpolate: the coefficients whose evaluations at root^i are ``values``."""
    n_inv = pow(len(values), -1, FR)
    return [v * n_inv % FR for v in ntt_ints(values, pow(root, -1, FR))]


class ReferenceBackend:
    """Pippenger MSMs and radix-2 NTTs over Python ints (see :mod:`prover.curve`)."""

    name = "reference"

    def msm_g1(self, points: np.ndarray, scalars: np.ndarray) -> G1Point:
        return G1.msm(bn254.g1_from_array(points), bn254.limbs_to_ints(scalars))

    def msm_g2(self, points: np.ndarray, scalars: np.ndarray) -> G2Point:
        return G2.msm(bn254.g2_from_array(points), bn254.limbs_to_ints(scalars))

    def fixed_base_g1(self, scalars: np.ndarray) -> np.ndarray:
        return bn254.g1_to_array(_generator_table(G1).multiply_many(bn254.limbs_to_ints(scalars)))

    def fixed_base_g2(self, scalars: np.ndarray) -> np.ndarray:
        return bn254.g2_to_array(_generator_table(G2).multiply_many(bn254.limbs_to_ints(scalars)))

    def ntt(self, values: np.ndarray, inverse: bool = False) -> np.ndarray:
        ints = bn254.limbs_to_ints(values)
        root = bn254.root_of_unity(_log2_exact(len(ints)))
        out = intt_ints(ints, root) if inverse else ntt_ints(ints, root)
        return bn254.ints_to_limbs(out)

    def qap_evaluations(
        self,
        coef_matrix: np.ndarray,
        coef_constraint: np.ndarray,
        coef_signal: np.ndarray,
        coef_value: np.ndarray,
        witness: np.ndarray,
        domain_size: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n = domain_size
        w = np.array(bn254.limbs_to_ints(witness), dtype=object)
        coef = np.array(bn254.limbs_to_ints(coef_value), dtype=object)
        products = coef * w[coef_signal.astype(np.int64)] % FR if len(coef) else coef
        sums = np.zeros(2 * n, dtype=object)
        np.add.at(sums, coef_matrix.astype(np.int64) * n + coef_constraint.astype(np.int64), products)
        values = [int(v) % FR for v in sums]
        a, b = values[:n], values[n:]
        c = [x * y % FR for x, y in zip(a, b, strict=True)]
        return bn254.ints_to_limbs(a), bn254.ints_to_limbs(b), bn254.ints_to_limbs(c)

    def quotient_evaluations(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        n = len(a)
        log_n = _log2_exact(n)
        root = bn254.root_of_unity(log_n)
        shift = bn254.root_of_unity(
            log_n + 1
        )  # w_2n: evaluating p(shift·x) on the domain gives the odd points

        def on_odd_points(evals: np.ndarray) -> list[int]:
            coeffs = intt_ints(bn254.limbs_to_ints(evals), root)
            power = 1
            for i in range(n):
                coeffs[i] = coeffs[i] * power % FR
                power = power * shift % FR
            return ntt_ints(coeffs, root)

        ea, eb, ec = on_odd_points(a), on_odd_points(b), on_odd_points(c)
        return bn254.ints_to_limbs([(x * y - z) % FR for x, y, z in zip(ea, eb, ec, strict=True)])
