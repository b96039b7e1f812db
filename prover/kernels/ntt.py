"""Number-theoretic transforms over Fr on ``(n, 4)`` uint64 arrays of standard-form values.

Values stay in standard form throughout: twiddles are kept in Montgomery form, and the
Montgomery product of a standard value with a Montgomery twiddle is the standard product, so
no conversion pass is needed. The transform is iterative radix-2 decimation in time after a
bit-reversal permutation; the first stages run block by block in cache, the later ones as
one parallel sweep per stage.
"""

from __future__ import annotations

from numba import njit, prange

from prover.kernels.fields import FR_R2, fr_add, fr_mul, fr_sub, load4, store4

_BLOCK_LOG = 10  # stages whose butterflies stay inside 2^10 values (32 KiB) run blockwise
_CHUNK = 1024  # butterflies per parallel task in the later stages


@njit(cache=True)
def fill_powers(base, first, out):
    """out[k] = first·base^k (all Montgomery form)."""
    acc = first
    for k in range(out.shape[0]):
        store4(out, k, acc)
        acc = fr_mul(acc, base)


@njit(cache=True)
def _bit_reverse(i, bits):
    r = 0
    for _ in range(bits):
        r = (r << 1) | (i & 1)
        i >>= 1
    return r


@njit(cache=True)
def _swap_if_below(values, i, log_n):
    j = _bit_reverse(i, log_n)
    if i < j:
        a = load4(values, i)
        store4(values, i, load4(values, j))
        store4(values, j, a)


@njit(cache=True)
def _butterfly(values, i0, i1, w):
    u = load4(values, i0)
    v = fr_mul(load4(values, i1), w)
    store4(values, i0, fr_add(u, v))
    store4(values, i1, fr_sub(u, v))


@njit(cache=True)
def _block_stages(values, twiddles, log_n, block, log_block):
    """All stages with butterfly span <= 2^log_block inside one block of 2^log_block values."""
    base = block << log_block
    for s in range(log_block):
        half = 1 << s
        stride = 1 << (log_n - 1 - s)  # twiddle index step: w_(2·half) = w_n^(n/(2·half))
        for start in range(base, base + (1 << log_block), 2 * half):
            for j in range(half):
                _butterfly(values, start + j, start + j + half, load4(twiddles, j * stride))


@njit(cache=True)
def _stage_chunk(values, twiddles, log_n, s, chunk):
    half = 1 << s
    stride = 1 << (log_n - 1 - s)
    for k in range(chunk * _CHUNK, min((chunk + 1) * _CHUNK, 1 << (log_n - 1))):
        j = k & (half - 1)
        i0 = ((k >> s) << (s + 1)) + j
        _butterfly(values, i0, i0 + half, load4(twiddles, j * stride))


@njit(cache=True, parallel=True)
def ntt_in_place(values, twiddles, log_n):
    """values := its evaluations at w^0..w^(n-1) for the w whose powers fill twiddles (n/2 rows);
    no 1/n factor, so inverse twiddles give n times the interpolation."""
    n = values.shape[0]
    for i in prange(n):
        _swap_if_below(values, i, log_n)
    log_block = min(_BLOCK_LOG, log_n)
    for block in prange(n >> log_block):
        _block_stages(values, twiddles, log_n, block, log_block)
    chunks = max(1, (n >> 1) // _CHUNK)
    for s in range(log_block, log_n):
        for chunk in prange(chunks):
            _stage_chunk(values, twiddles, log_n, s, chunk)


@njit(cache=True, parallel=True)
def scale_rows(values, factors):
    """values[i] := values[i]·factors[i] (factors Montgomery, values standard)."""
    for i in prange(values.shape[0]):
        store4(values, i, fr_mul(load4(values, i), load4(factors, i)))


@njit(cache=True, parallel=True)
def scale_all(values, factor):
    """values[i] := values[i]·factor (factor a Montgomery limb tuple)."""
    for i in prange(values.shape[0]):
        store4(values, i, fr_mul(load4(values, i), factor))


@njit(cache=True, parallel=True)
def product_minus(a, b, c, out):
    """out[i] = a[i]·b[i] − c[i], all standard form (the second product by R² undoes the 1/R)."""
    for i in prange(a.shape[0]):
        ab = fr_mul(fr_mul(load4(a, i), load4(b, i)), FR_R2)
        store4(out, i, fr_sub(ab, load4(c, i)))
