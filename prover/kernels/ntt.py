"""Number-theoretic transforms over Fr on ``(n, 4)`` uint64 arrays of standard-form values.

Values stay in standard form throughout: twiddles are kept in Montgomery form, and the
Montgomery product of a standard value with a Montgomery twiddle is the standard product, so
no conversion pass is needed. The transform is iterative radix-2 decimation in time after a
bit-reversal permutation. Stages go ten at a time: the indices differing only in those ten
bits form independent 1024-point sub-transforms that stay in cache, and they are the parallel
tasks, so a 2^20 transform needs three parallel sweeps (permutation and two stage groups).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.kernels.fields import FR_R2, fr_add, fr_mul, fr_sub, load4, store4
from prover.kernels.threads import run_in_slices

_GROUP_LOG = 10  # stages are done ten at a time: each task then transforms 2^10 values, in cache
_RUN_LOG = 4  # a task takes 2^4 adjacent sub-transforms, so it reads whole cache lines
_PARALLEL_MIN = 1 << 12  # smaller transforms run on one thread (dispatch would dominate)


@njit(cache=True)
def fill_powers(base, first, out):
    """out[k] = first·base^k (all Montgomery form)."""
    acc = first
    for k in range(out.shape[0]):
        store4(out, k, acc)
        acc = fr_mul(acc, base)


_BYTE_REVERSED = np.array([int(f"{b:08b}"[::-1], 2) for b in range(256)], np.int64)


@njit(cache=True)
def _bit_reverse(i, bits):
    """The low ``bits`` bits of i (bits <= 32) in reverse order, a byte at a time."""
    r = (
        (_BYTE_REVERSED[i & 255] << 24)
        | (_BYTE_REVERSED[(i >> 8) & 255] << 16)
        | (_BYTE_REVERSED[(i >> 16) & 255] << 8)
        | _BYTE_REVERSED[(i >> 24) & 255]
    )
    return r >> (32 - bits)


@njit(cache=True, nogil=True)
def _swap_range(values, log_n, lo, hi):
    """Bit-reversal permutation restricted to indices lo..hi-1 (each pair swapped once)."""
    for i in range(lo, hi):
        j = _bit_reverse(i, log_n)
        if i < j:
            a = load4(values, i)
            store4(values, i, load4(values, j))
            store4(values, j, a)


def _group_task_count(log_n: int, s0: int, s1: int) -> int:
    """Tasks of one stage group: 2^(log_n - s1) high parts times the runs of low parts."""
    return (1 << (log_n - s1)) << (s0 - min(s0, _RUN_LOG))


@njit(cache=True)
def _stage_group_task(values, twiddles, log_n, s0, s1, task):
    """Stages s0..s1-1 of the DIT transform for one task: the indices whose bits outside
    [s0, s1) are fixed (high bits from task, low bits a run of adjacent values), which form
    independent 2^(s1-s0)-point sub-transforms."""
    run_log = min(s0, _RUN_LOG)
    high = task >> (s0 - run_log)
    low0 = (task & ((1 << (s0 - run_log)) - 1)) << run_log
    base = high << s1
    span = 1 << (s1 - s0)
    for s in range(s0, s1):
        step = 1 << (s - s0)  # butterfly distance within the sub-transform
        stride = 1 << (log_n - 1 - s)  # twiddle index step at this stage
        for t in range(span):
            if t & step:
                continue
            i0_base = base + (t << s0)
            j_base = (t & (step - 1)) << s0
            for low in range(low0, low0 + (1 << run_log)):
                i0 = i0_base + low
                _butterfly(values, i0, i0 + (step << s0), load4(twiddles, (j_base + low) * stride))


@njit(cache=True)
def _butterfly(values, i0, i1, w):
    u = load4(values, i0)
    v = fr_mul(load4(values, i1), w)
    store4(values, i0, fr_add(u, v))
    store4(values, i1, fr_sub(u, v))


@njit(cache=True, nogil=True)
def _stage_group_tasks(values, twiddles, log_n, s0, s1, lo, hi):
    for task in range(lo, hi):
        _stage_group_task(values, twiddles, log_n, s0, s1, task)


def ntt_in_place(values, twiddles, log_n: int) -> None:
    """values := its evaluations at w^0..w^(n-1), w the root whose powers fill twiddles (n/2
    rows); no 1/n factor, so inverse twiddles give n times the interpolation. Each step's
    independent pieces are spread over the threads for large sizes."""
    n = values.shape[0]
    split_min = 1 if n >= _PARALLEL_MIN else n + 1  # a count, not a size: threads or not, by n
    run_in_slices(lambda lo, hi: _swap_range(values, log_n, lo, hi), n, split_min)
    for s0 in range(0, log_n, _GROUP_LOG):
        s1 = min(log_n, s0 + _GROUP_LOG)
        run_in_slices(
            lambda lo, hi, s0=s0, s1=s1: _stage_group_tasks(values, twiddles, log_n, s0, s1, lo, hi),
            _group_task_count(log_n, s0, s1),
            split_min,
        )


@njit(cache=True, nogil=True)
def scale_rows(values, factors, lo, hi):
    """values[i] := values[i]·factors[i] (factors Montgomery, values standard), lo <= i < hi."""
    for i in range(lo, hi):
        store4(values, i, fr_mul(load4(values, i), load4(factors, i)))


@njit(cache=True, nogil=True)
def scale_all(values, factor, lo, hi):
    """values[i] := values[i]·factor (factor a Montgomery limb tuple), lo <= i < hi."""
    for i in range(lo, hi):
        store4(values, i, fr_mul(load4(values, i), factor))


@njit(cache=True, nogil=True)
def product_minus(a, b, c, out, lo, hi):
    """out[i] = a[i]·b[i] − c[i], all standard form (the second product by R² undoes the 1/R)."""
    for i in range(lo, hi):
        ab = fr_mul(fr_mul(load4(a, i), load4(b, i)), FR_R2)
        store4(out, i, fr_sub(ab, load4(c, i)))
