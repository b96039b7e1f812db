"""The fast backend: numba-compiled kernels over the limb arrays of :mod:`prover.bn254`.

MSMs use Pippenger's method with batch-affine buckets, one window per core at a time; NTTs are
radix-2 and parallel. Kernels compile on first use into the on-disk cache (see
:mod:`prover.kernels.cache`); ``warm_up`` compiles them all ahead of time.
"""

from __future__ import annotations

from functools import cache as memoize

import numpy as np

from circuits.field import FR
from prover import bn254
from prover.bn254 import G1Point, G2Point
from prover.curve import G1, G2, FixedBase, Group
from prover.kernels import cache
from prover.kernels.fixed_base import WINDOW_BITS, multiply_all
from prover.kernels.msm import msm
from prover.kernels.poly import ntt, quotient_evaluations
from prover.kernels.qap import qap_evaluations


def _kernel_array(arr: np.ndarray, tail: tuple[int, ...], what: str) -> np.ndarray:
    """A C-contiguous writable uint64 view (or copy) of arr, checked to be ``(n, *tail)``.

    Writable, because numba compiles read-only arrays as a separate type: one compiled
    variant serves every caller.
    """
    arr = np.asarray(arr)
    if arr.ndim != len(tail) + 1 or arr.shape[1:] != tail:
        raise ValueError(f"{what} must have shape (n, {', '.join(map(str, tail))}), got {arr.shape}")
    if arr.dtype != np.uint64:
        raise ValueError(f"{what} must be uint64 limbs, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr)
    return arr if arr.flags.writeable else arr.copy()


def _msm_inputs(points: np.ndarray, scalars: np.ndarray, tail: tuple[int, ...]):
    points = _kernel_array(points, tail, "points")
    scalars = _kernel_array(scalars, (4,), "scalars")
    if points.shape[0] != scalars.shape[0]:
        raise ValueError(f"{points.shape[0]} points but {scalars.shape[0]} scalars")
    return points, scalars


@memoize
def _generator_table(group: Group) -> np.ndarray:
    """The fixed-base table of a generator as one point array (row j·2^c + d = d·2^(c·j)·G)."""
    rows = [p for row in FixedBase(group, group.generator, window=WINDOW_BITS).tables for p in row]
    return bn254.g1_to_array(rows) if group is G1 else bn254.g2_to_array(rows)


def _fixed_base_scalars(scalars: np.ndarray) -> np.ndarray:
    scalars = _kernel_array(scalars, (4,), "scalars")
    if bn254.first_not_below(scalars, FR) is not None:
        raise ValueError("a scalar is not below r")
    return scalars


class FastBackend:
    """Backend on numba kernels; agrees bit for bit with the reference backend."""

    name = "fast"

    def msm_g1(self, points: np.ndarray, scalars: np.ndarray) -> G1Point:
        points, scalars = _msm_inputs(points, scalars, (2, 4))
        if points.shape[0] == 0:
            return None
        return bn254.g1_from_array(msm(points, scalars))[0]

    def msm_g2(self, points: np.ndarray, scalars: np.ndarray) -> G2Point:
        points, scalars = _msm_inputs(points, scalars, (2, 2, 4))
        if points.shape[0] == 0:
            return None
        return bn254.g2_from_array(msm(points, scalars))[0]

    def fixed_base_g1(self, scalars: np.ndarray) -> np.ndarray:
        return multiply_all(_generator_table(G1), _fixed_base_scalars(scalars))

    def fixed_base_g2(self, scalars: np.ndarray) -> np.ndarray:
        return multiply_all(_generator_table(G2), _fixed_base_scalars(scalars))

    def ntt(self, values: np.ndarray, inverse: bool = False) -> np.ndarray:
        return ntt(_kernel_array(values, (4,), "values"), inverse)

    def qap_evaluations(
        self,
        coef_matrix: np.ndarray,
        coef_constraint: np.ndarray,
        coef_signal: np.ndarray,
        coef_value: np.ndarray,
        witness: np.ndarray,
        domain_size: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        witness = _kernel_array(witness, (4,), "witness")
        coef_value = _kernel_array(coef_value, (4,), "coefficient values")
        m = coef_value.shape[0]
        matrix, row, signal = (
            np.ascontiguousarray(v, dtype=np.uint32) for v in (coef_matrix, coef_constraint, coef_signal)
        )
        if not matrix.shape == row.shape == signal.shape == (m,):
            shapes = f"{matrix.shape}, {row.shape}, {signal.shape}"
            raise ValueError(f"coefficient columns have shapes {shapes} for {m} values")
        if m and (matrix.max() > 1 or row.max() >= domain_size or signal.max() >= witness.shape[0]):
            raise ValueError("a coefficient refers to a matrix, row or wire out of range")
        if any(bn254.first_not_below(v, FR) is not None for v in (coef_value, witness)):
            raise ValueError("a coefficient or witness value is not below r")
        return qap_evaluations(matrix, row, signal, coef_value, witness, domain_size)

    def quotient_evaluations(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        a, b, c = (_kernel_array(v, (4,), name) for v, name in ((a, "A"), (b, "B"), (c, "C")))
        return quotient_evaluations(a, b, c)


def kernels_cold() -> bool:
    """True when the kernels are not yet compiled into the on-disk cache (a warm-up takes minutes)."""
    return cache.is_cache_cold()


def warm_up() -> None:
    """Compile every prover kernel (or load it from the cache) by running each on tiny inputs."""
    from prover.kernels.checks import first_off_curve
    from prover.kernels.convert import from_montgomery, to_montgomery

    backend = FastBackend()
    scalars = bn254.ints_to_limbs([3, 1, 0])
    backend.msm_g1(bn254.g1_to_array([bn254.G1_GENERATOR, bn254.G1_GENERATOR, None]), scalars)
    backend.msm_g2(bn254.g2_to_array([bn254.G2_GENERATOR, bn254.G2_GENERATOR, None]), scalars)
    backend.fixed_base_g1(scalars)
    backend.fixed_base_g2(scalars)
    values = bn254.ints_to_limbs([1, 2, 3, 4])
    backend.ntt(backend.ntt(values), inverse=True)
    backend.quotient_evaluations(values, values, values)
    column = np.array([0, 1, 1], np.uint32)
    backend.qap_evaluations(column, column, column, values[:3], values[:2], 4)
    first_off_curve(bn254.g1_to_array([bn254.G1_GENERATOR]))
    first_off_curve(bn254.g2_to_array([bn254.G2_GENERATOR]))
    for field in ("fq", "fr"):
        from_montgomery(to_montgomery(values, field), field)
    cache.mark_cache_warm()
