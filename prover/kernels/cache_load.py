"""Load the prover's cached kernels without numba's registry refresh: 0.1-0.2 s of every warm start.

Before loading any cached function numba refreshes its target context: it imports and installs
every typing and lowering registry it has (numpy, random, typed containers, cffi, ...), which
only compilation needs; the compiler refreshes again by itself before compiling. Loading machine
code needs only the runtime (``rtsys.initialize``, here from object code kept in the cache:
:mod:`prover.kernels.runtime_cache`). So for functions of the ``prover`` package the load runs
with just that; every other cached function, and every cache miss that leads to compilation, goes
through numba unchanged. Likewise the first call of a prover kernel skips numba's scan for
extensions, which compilation repeats anyway, types its array arguments without importing
``numpy.ma`` (:mod:`prover.kernels.array_typeof`), and its load leaves the kernel's bitcode
unparsed until something links it (:mod:`prover.kernels.lazy_bitcode`). Without the numba
internals this relies on (checked), nothing is changed.
"""

from __future__ import annotations

from numba.core import caching, dispatcher

from prover.kernels import array_typeof, lazy_bitcode
from prover.kernels.runtime_cache import initialize_runtime

_PACKAGE = "prover."
_numba_load_overload = caching.Cache.load_overload
_numba_chain_init_hook = dispatcher.Dispatcher._compilation_chain_init_hook


def _is_prover_kernel(py_func) -> bool:
    return getattr(py_func, "__module__", "").startswith(_PACKAGE)


def _load_overload(self, sig, target_context):
    """``Cache.load_overload`` without the context refresh, for the prover's own kernels."""
    if not _is_prover_kernel(self._py_func):
        return _numba_load_overload(self, sig, target_context)
    with lazy_bitcode.loading_lazily():
        initialize_runtime(target_context)
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)


def _chain_init_hook(self) -> None:
    """numba's first-call hook, less its scan of every installed package's entry points for numba
    extensions (~8 ms) for the prover's kernels: their arguments are numpy arrays, ints and tuples,
    and a cache miss still initialises extensions, in the compiler's context refresh."""
    if not _is_prover_kernel(self.py_func):
        _numba_chain_init_hook(self)


def load_cached_kernels_directly() -> None:
    """Install the direct load for the prover's kernels (idempotent)."""
    cache = caching.Cache
    if all(hasattr(cache, name) for name in ("_guard_against_spurious_io_errors", "_load_overload")):
        cache.load_overload = _load_overload
        dispatcher.Dispatcher._compilation_chain_init_hook = _chain_init_hook
        lazy_bitcode.install()
        array_typeof.install()
