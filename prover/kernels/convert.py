"""Montgomery form in and out, and snarkjs's little-endian byte layout, for whole limb arrays.

snarkjs files hold field elements as 32-byte little-endian words (Montgomery form in ``.zkey``
and ``.ptau``, standard form in ``.wtns``); that is exactly the byte image of a ``(..., 4)``
uint64 array, so reading and writing is a reinterpretation, not a loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from circuits.field import FR
from prover.bn254 import FQ
from prover.kernels.fields import FQ_R2, FR_R2, f_mul, limb_tuple, load4, store4
from prover.kernels.ntt import scale_all
from prover.kernels.threads import run_in_slices

_FIELDS = {"fq": FQ, "fr": FR}
_R = 1 << 256


@njit(cache=True, nogil=True)
def _fq_scale_all(rows, factor, lo, hi):
    for i in range(lo, hi):
        store4(rows, i, f_mul(load4(rows, i), factor))


def limbs_from_bytes(data: bytes | bytearray | memoryview, count: int | None = None) -> np.ndarray:
    """32-byte little-endian words to a writable ``(count, 4)`` uint64 array."""
    nbytes = memoryview(data).nbytes
    if count is None:
        if nbytes % 32:
            raise ValueError(f"{nbytes} bytes is not a whole number of 32-byte field elements")
        count = nbytes // 32
    elif nbytes < 32 * count:
        raise ValueError(f"need {32 * count} bytes for {count} field elements, got {nbytes}")
    words = np.frombuffer(data, dtype="<u8", count=4 * count)
    return words.reshape(count, 4).astype(np.uint64, copy=True)


def limbs_to_bytes(limbs: np.ndarray) -> bytes:
    """A ``(..., 4)`` uint64 array as consecutive 32-byte little-endian words."""
    return np.ascontiguousarray(limbs, dtype="<u8").tobytes()


def _convert(values: np.ndarray, field: str, factor_fq: tuple, factor_fr: tuple) -> np.ndarray:
    if field not in _FIELDS:
        raise ValueError(f"field must be 'fq' or 'fr', got {field!r}")
    if values.shape[-1:] != (4,):
        raise ValueError(f"expected limb rows (..., 4), got shape {values.shape}")
    rows = np.array(values, dtype=np.uint64, order="C", copy=True).reshape(-1, 4)  # the one copy
    kernel, factor = (_fq_scale_all, factor_fq) if field == "fq" else (scale_all, factor_fr)
    run_in_slices(lambda lo, hi: kernel(rows, factor, lo, hi), rows.shape[0], 1 << 14)
    return rows.reshape(values.shape)


def to_montgomery(values: np.ndarray, field: str) -> np.ndarray:
    """x·R mod p for every standard-form element (rows < p) of ``field`` ('fq' or 'fr')."""
    return _convert(values, field, FQ_R2, FR_R2)


def from_montgomery(values: np.ndarray, field: str, times: int = 1) -> np.ndarray:
    """x/R^times mod p for every element of ``field`` ('fq' or 'fr'): out of Montgomery form
    (``times=2`` undoes snarkjs's c·R² coefficient encoding), in one pass whatever ``times``."""
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    factors = [limb_tuple(pow(_R, 1 - times, p)) for p in (FQ, FR)]  # mont_mul(x, R^(1−t)) = x/R^t
    return _convert(values, field, *factors)
