"""The fast backend: numba-compiled kernels over the limb arrays of :mod:`prover.bn254`.

MSMs use Pippenger's method with batch-affine buckets, one window per core at a time; NTTs are
radix-2 and parallel. Kernels compile on first use into the on-disk cache (see
:mod:`prover.kernels.cache`); ``warm_up`` compiles them all ahead of time.
"""

from __future__ import annotations

import numpy as np

from prover import bn254
from prover.bn254 import G1Point, G2Point
from prover.kernels import cache
from prover.kernels.msm import msm
from prover.kernels.poly import ntt, quotient_evaluations


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

    def ntt(self, values: np.ndarray, inverse: bool = False) -> np.ndarray:
        return ntt(_kernel_array(values, (4,), "values"), inverse)

    def quotient_evaluations(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        a, b, c = (_kernel_array(v, (4,), name) for v, name in ((a, "A"), (b, "B"), (c, "C")))
        return quotient_evaluations(a, b, c)


def kernels_cold() -> bool:
    """True when the kernels are not yet compiled into the on-disk cache (a warm-up takes minutes)."""
    return cache.is_cache_cold()


def warm_up() -> None:
    """Compile every prover kernel (or load it from the cache) by running each on tiny inputs."""
    from prover.kernels.convert import from_montgomery, to_montgomery

    backend = FastBackend()
    scalars = bn254.ints_to_limbs([3, 1, 0])
    backend.msm_g1(bn254.g1_to_array([bn254.G1_GENERATOR, bn254.G1_GENERATOR, None]), scalars)
    backend.msm_g2(bn254.g2_to_array([bn254.G2_GENERATOR, bn254.G2_GENERATOR, None]), scalars)
    values = bn254.ints_to_limbs([1, 2, 3, 4])
    backend.ntt(backend.ntt(values), inverse=True)
    backend.quotient_evaluations(values, values, values)
    for field in ("fq", "fr"):
        from_montgomery(to_montgomery(values, field), field)
    cache.mark_cache_warm()
