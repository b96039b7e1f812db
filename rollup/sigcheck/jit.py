"""The decorator for this package's kernels: numba, GIL-free, cached in a folder of its own.

numba checks a cached kernel against its own file only, while these kernels inline helpers from
sibling modules and from ``prover.kernels``; so they are cached under the prover's kernel folder
(keyed by its sources) in a subfolder keyed by this package's sources, and any change to either
recompiles. The folder is chosen when a kernel is defined, and numba's setting is restored after,
so kernels defined elsewhere keep their own folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numba.core.config
from numba import njit

from prover.kernels.cache import configure_cache_dir

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def cache_dir() -> Path:
    digest = hashlib.sha256(str(_PACKAGE_DIR).encode())
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    folder = configure_cache_dir() / f"sigcheck-{digest.hexdigest()[:16]}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def kernel(func: Callable) -> Callable:
    """``njit(cache=True, nogil=True)`` with the cache in :func:`cache_dir`; compiles on first call."""
    previous = numba.core.config.CACHE_DIR
    numba.core.config.CACHE_DIR = str(cache_dir())
    try:
        return njit(cache=True, nogil=True)(func)
    finally:
        numba.core.config.CACHE_DIR = previous
