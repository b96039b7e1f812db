"""Running GIL-free kernels on several cores from Python threads.

Big kernels run as one task per independent piece (an MSM window) on a thread pool rather than
under numba's ``prange``: the work is the same, and it spares the parfor compilation, which
re-optimises the whole inlined call tree of such kernels and triples their compile time.
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
