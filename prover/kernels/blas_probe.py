"""Answer numba's BLAS probe ahead of time: the kernels use no BLAS, and the probe costs 0.3 s.

When numba's CPU context loads its registries (before its first compilation in a process) it
imports ``numba.np.arraymath``, which probes for BLAS by importing ``scipy.linalg`` (scipy's
array-API layer then imports ``numpy.f2py``): about 0.3 s. Importing that module while
``scipy.linalg.cython_blas`` is marked missing makes the probe fail at once. Only numba's float
``np.correlate``/``np.convolve`` notice (they fall back to a plain loop); anything that asks for
BLAS later (``np.dot`` in a kernel) still imports scipy as usual. The answer is given just
before the registries load, not at import: a process that only loads cached kernels (which skip
the registries, :mod:`prover.kernels.cache_load`) never imports ``numba.np.arraymath`` (~10 ms;
``numba.np.arrayobj``, which it needs too, is imported anyway by the kernels' environments).
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


def skip_blas_probe_before_registries() -> None:
    """Run :func:`skip_blas_probe` right before numba's CPU context loads its registries
    (idempotent)."""
    from numba.core import cpu

    numba_load = cpu.CPUContext.load_additional_registries
    if getattr(numba_load, "skips_blas_probe", False):
        return

    def load_additional_registries(self) -> None:
        skip_blas_probe()
        numba_load(self)

    load_additional_registries.skips_blas_probe = True  # type: ignore[attr-defined]
    cpu.CPUContext.load_additional_registries = load_additional_registries
