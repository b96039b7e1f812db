"""Answer numba's BLAS probe ahead of time: the kernels use no BLAS, and the probe costs 0.3 s.

The first time numba's CPU target loads (the first kernel call of a process, cached or not) it
imports ``numba.np.arraymath``, which probes for BLAS by importing ``scipy.linalg`` (scipy's
array-API layer then imports ``numpy.f2py``): about 0.3 s of a 1.5 s proof. Importing that module
once while ``scipy.linalg.cython_blas`` is marked missing makes the probe fail at once. Only
numba's float ``np.correlate``/``np.convolve`` notice (they fall back to a plain loop); anything
that asks for BLAS later (``np.dot`` in a kernel) still imports scipy as usual.
"""

from __future__ import annotations

import importlib
import sys

_PROBED = "scipy.linalg.cython_blas"


def skip_blas_probe() -> None:
    """Load ``numba.np.arraymath`` with the BLAS probe failing fast (no-op if already loaded)."""
    if "numba.np.arraymath" in sys.modules or _PROBED in sys.modules:
        return
    sys.modules[_PROBED] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        importlib.import_module("numba.np.arraymath")
    finally:
        del sys.modules[_PROBED]
