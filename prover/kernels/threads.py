"""Running GIL-free kernels on several cores from Python threads.

Kernels run as one task per independent piece (an MSM window, a slice of an array) on a
thread pool rather than under numba's ``prange``: the work is the same, but parfor compilation
re-optimises the whole inlined call tree of a kernel (tripling compile times), and on a busy
machine each parfor region waits for its slowest OpenMP thread, which made small MSMs and
NTTs several times slower.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numba


def thread_count() -> int:
    """numba's thread count (``NUMBA_NUM_THREADS``, by default the number of cores)."""
    return numba.config.NUMBA_NUM_THREADS


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="zkclear-kernel")


def run_parallel(task: Callable[[int], None], count: int) -> None:
    """task(0) … task(count - 1) across the pool; tasks must release the GIL to overlap."""
    if count == 1 or thread_count() == 1:
        for i in range(count):
            task(i)
        return
    for future in [_pool().submit(task, i) for i in range(count)]:
        future.result()


def run_in_slices(kernel: Callable[[int, int], None], n: int, split_min: int) -> None:
    """kernel(lo, hi) over slices covering 0..n: one per thread when n >= split_min, else one."""
    parts = thread_count() if n >= split_min else 1
    bounds = [n * t // parts for t in range(parts + 1)]
    run_parallel(lambda t: kernel(bounds[t], bounds[t + 1]), parts)
