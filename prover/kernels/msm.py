"""Multi-scalar multiplication by Pippenger's bucket method, for G1 and G2 alike.

Scalars are cut into signed c-bit digits (|digit| <= 2^(c-1)), so a window needs only 2^(c-1)
buckets and a negative digit adds the negated point. Windows are independent and run on
separate threads. Within a window the points are counting-sorted by bucket; a cache-sized run
of buckets at a time is then summed in affine coordinates by pairwise rounds, each round
sharing one field inversion across all its additions (Montgomery's trick), and folded into the
window's total by the running-sum trick (for wide windows, many running sums advance in
lockstep so that they too are batched affine additions); the windows are combined with
doublings. Zero digits cost nothing, so zero scalars and the many ones of a witness are
almost free.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from prover.kernels.curve import (
    affine_is_infinity,
    jac_add,
    jac_add_affine,
    jac_double,
    jac_infinity_like,
    jac_to_affine,
)
from prover.kernels.fields import (
    FQ_ONE,
    f_add,
    f_eq,
    f_inv,
    f_inv_from_norm,
    f_is_zero,
    f_mul,
    f_neg,
    f_norm,
    f_one_like,
    f_sqr,
    f_sub,
    f_zero_like,
    load4,
    reduce_mod_r,
    store4,
)
from prover.kernels.layout import load_xy, store_xy
from prover.kernels.threads import run_in_slices, run_parallel

SCALAR_BITS = 254  # r < 2^254
_SPLIT_MIN = 1 << 14  # below this many terms, scalar preprocessing stays on one thread
CHUNK_POINTS = 1 << 14  # points summed together in one run of buckets: ~1 MiB of G1, in cache
BATCHED_FOLD_MIN = 1 << 11  # from this many buckets, fold them in affine batches (~13 mults a bucket)
_FOLD_SEGMENTS = 1 << 10
_Z = np.uint64(0)

# how the two points of a pair are combined in a batch-affine round
_SUM, _DOUBLE, _TO_INFINITY, _TAKE_SECOND, _TAKE_FIRST = 0, 1, 2, 3, 4


def window_count(c: int) -> int:
    """Windows needed for c-bit signed digits of a scalar < r (the top digit must absorb a carry)."""
    return -(-(SCALAR_BITS + 1) // c)


def choose_window(active: int) -> int:
    """The window width c minimising estimated work: per window, one affine addition per point
    (~7 multiplications) and, per bucket, two Jacobian additions (~27) or, from
    BATCHED_FOLD_MIN buckets on, two batched affine ones (~14)."""
    best_c, best_cost = 2, float("inf")
    for c in range(2, 23):
        buckets = 1 << (c - 1)
        fold = 14 if buckets >= BATCHED_FOLD_MIN else 27
        cost = window_count(c) * (7 * active + fold * buckets)
        if cost < best_cost:
            best_c, best_cost = c, cost
    return best_c


@njit(cache=True)
def _term_is_active(points, scalars, i):
    s = reduce_mod_r((scalars[i, 0], scalars[i, 1], scalars[i, 2], scalars[i, 3]))
    if (s[0] | s[1] | s[2] | s[3]) == _Z:
        return False
    x, y = load_xy(points, i)
    return not affine_is_infinity(x, y)


@njit(cache=True, nogil=True)
def mark_active(points, scalars, keep, lo, hi):
    """keep[i] := term i contributes (scalar nonzero mod r, point not at infinity), lo <= i < hi."""
    for i in range(lo, hi):
        keep[i] = _term_is_active(points, scalars, i)


@njit(cache=True)
def _write_digits(scalars, i, c, digits, k):
    """digits[:, k] = the signed c-bit digits of scalars[i] mod r, least significant first."""
    s = reduce_mod_r((scalars[i, 0], scalars[i, 1], scalars[i, 2], scalars[i, 3]))
    mask = np.uint64((1 << c) - 1)
    half = 1 << (c - 1)
    full = 1 << c
    carry = 0
    for w in range(digits.shape[0]):
        offset = w * c
        limb = offset >> 6
        shift = np.uint64(offset & 63)
        bits = _Z
        if limb < 4:
            bits = s[limb] >> shift
            if shift + np.uint64(c) > np.uint64(64) and limb + 1 < 4:
                bits |= s[limb + 1] << (np.uint64(64) - shift)
        d = np.int64(bits & mask) + carry
        if d > half:
            d -= full
            carry = 1
        else:
            carry = 0
        digits[w, k] = d


@njit(cache=True, nogil=True)
def write_signed_digits(scalars, active, c, digits, lo, hi):
    """digits[:, k] := signed digits in (-2^(c-1), 2^(c-1)] of scalars[active[k]] mod r, lo <= k < hi."""
    for k in range(lo, hi):
        _write_digits(scalars, active[k], c, digits, k)


@njit(cache=True)
def _pair_denominator(x1, y1, x2, y2):
    """(kind, denominator) for adding two affine points: x2 - x1, 2·y1 to double, 1 otherwise."""
    one = f_one_like(x1)
    if affine_is_infinity(x1, y1):
        return _TAKE_SECOND, one
    if affine_is_infinity(x2, y2):
        return _TAKE_FIRST, one
    if f_eq(x1, x2):
        if f_eq(y1, y2) and not f_is_zero(y1):
            return _DOUBLE, f_add(y1, y1)
        return _TO_INFINITY, one  # P + (-P), or doubling a point of order 2
    return _SUM, f_sub(x2, x1)


@njit(cache=True)
def _pair_result(kind, x1, y1, x2, y2, inv):
    """The sum of two affine points given 1/denominator from the batch inversion."""
    if kind == _TAKE_SECOND:
        return x2, y2
    if kind == _TAKE_FIRST:
        return x1, y1
    if kind == _TO_INFINITY:
        zero = f_zero_like(x1)
        return zero, zero
    if kind == _DOUBLE:
        xx = f_sqr(x1)
        slope = f_mul(f_add(f_add(xx, xx), xx), inv)
    else:
        slope = f_mul(f_sub(y2, y1), inv)
    x3 = f_sub(f_sub(f_sqr(slope), x1), x2)
    y3 = f_sub(f_mul(slope, f_sub(x1, x3)), y1)
    return x3, y3


@njit(cache=True)
def _sum_two(x1, y1, x2, y2, inv, u1, v1, u2, v2, jnv):
    """(x1, y1) + (x2, y2) and (u1, v1) + (u2, v2), both generic sums (kind _SUM) given
    1/(x2 - x1) and 1/(u2 - u1), their multiplications interleaved so that the two
    dependency chains overlap."""
    s = f_mul(f_sub(y2, y1), inv)
    t = f_mul(f_sub(v2, v1), jnv)
    x3 = f_sub(f_sub(f_sqr(s), x1), x2)
    u3 = f_sub(f_sub(f_sqr(t), u1), u2)
    y3 = f_sub(f_mul(s, f_sub(x1, x3)), y1)
    v3 = f_sub(f_mul(t, f_sub(u1, u3)), v1)
    return x3, y3, u3, v3


@njit(cache=True)
def _batch_add_pairs(buf, scratch, kinds, src, dst, npairs):
    """buf[dst[k]] = buf[src[k]] + buf[src[k] + 1] for all k, with one Fq inversion in total.

    dst[k] <= src[k] and both increase with k, so writing results in order never clobbers an
    unread input. scratch holds (denominator k, then its inverse) per pair. Montgomery's trick
    runs over the denominators' norms in Fq (for G2, 1/d = d̄/N(d): 7 Fq products a term
    instead of 9), even and odd pairs keeping separate running products: two independent
    multiplication chains that the CPU overlaps, where one would wait out each product's latency.
    """
    prefix = np.empty((npairs, 4), np.uint64)  # running product of the norms before pair k
    acc_even = FQ_ONE
    acc_odd = FQ_ONE
    for k in range(npairs):
        x1, y1 = load_xy(buf, src[k])
        x2, y2 = load_xy(buf, src[k] + 1)
        kind, den = _pair_denominator(x1, y1, x2, y2)
        kinds[k] = kind
        store_xy(scratch, k, den, den)
        if k & 1:
            store4(prefix, k, acc_odd)
            acc_odd = f_mul(acc_odd, f_norm(den))
        else:
            store4(prefix, k, acc_even)
            acc_even = f_mul(acc_even, f_norm(den))
    inv = f_inv(f_mul(acc_even, acc_odd))
    inv_even = f_mul(inv, acc_odd)
    inv_odd = f_mul(inv, acc_even)
    for k in range(npairs - 1, -1, -1):
        den, _ = load_xy(scratch, k)
        if k & 1:
            norm_inv = f_mul(inv_odd, load4(prefix, k))
            inv_odd = f_mul(inv_odd, f_norm(den))
        else:
            norm_inv = f_mul(inv_even, load4(prefix, k))
            inv_even = f_mul(inv_even, f_norm(den))
        store_xy(scratch, k, den, f_inv_from_norm(den, norm_inv))
    k = 0
    while k < npairs:
        x1, y1 = load_xy(buf, src[k])
        x2, y2 = load_xy(buf, src[k] + 1)
        _, inv_k = load_xy(scratch, k)
        if k + 1 < npairs and kinds[k] == _SUM and kinds[k + 1] == _SUM:
            u1, v1 = load_xy(buf, src[k + 1])
            u2, v2 = load_xy(buf, src[k + 1] + 1)
            _, inv_next = load_xy(scratch, k + 1)
            x3, y3, u3, v3 = _sum_two(x1, y1, x2, y2, inv_k, u1, v1, u2, v2, inv_next)
            store_xy(buf, dst[k], x3, y3)
            store_xy(buf, dst[k + 1], u3, v3)
            k += 2
        else:
            x3, y3 = _pair_result(kinds[k], x1, y1, x2, y2, inv_k)
            store_xy(buf, dst[k], x3, y3)
            k += 1


@njit(cache=True)
def _sum_buckets_affine(buf, first, lens, scratch, kinds, src, dst):
    """Pairwise rounds until bucket b (its points at buf[first[b]:first[b] + lens[b]]) holds at
    most one point, its sum, at buf[first[b]]; lens is updated."""
    while True:
        npairs = 0
        for b in range(lens.shape[0]):
            for j in range(lens[b] // 2):
                src[npairs] = first[b] + 2 * j
                dst[npairs] = first[b] + j
                npairs += 1
        if npairs == 0:
            return
        _batch_add_pairs(buf, scratch, kinds, src, dst, npairs)
        for b in range(lens.shape[0]):
            half = lens[b] // 2
            if lens[b] % 2 == 1 and half > 0:
                x, y = load_xy(buf, first[b] + lens[b] - 1)
                store_xy(buf, first[b] + half, x, y)
            lens[b] -= half


@njit(cache=True)
def window_sum(points, digits_w, active, c):
    """Σ digit_k · P_k over one window, as a Jacobian point.

    Points are counting-sorted by bucket (as signed indices), then handled a run of buckets at
    a time, holding about CHUNK_POINTS points, so the pairing rounds work in cache.
    """
    buckets = 1 << (c - 1)
    counts = np.zeros(buckets + 1, np.int64)
    for d in digits_w:
        if d != 0:
            counts[abs(d)] += 1
    start = np.zeros(buckets + 2, np.int64)
    for b in range(1, buckets + 1):
        start[b + 1] = start[b] + counts[b]
    total = start[buckets + 1]
    x0, _ = load_xy(points, 0)
    running = jac_infinity_like(x0)
    acc = jac_infinity_like(x0)
    if total == 0:
        return acc

    order = np.empty(total, np.int64)  # 2·point index + (1 if the digit is negative)
    cursor = start.copy()
    for k in range(digits_w.shape[0]):
        d = digits_w[k]
        if d != 0:
            b = abs(d)
            order[cursor[b]] = 2 * active[k] + (1 if d < 0 else 0)
            cursor[b] += 1

    run = max(1, (CHUNK_POINTS * buckets) // total)
    largest = 0
    for hi in range(buckets, 0, -run):
        lo = max(1, hi - run + 1)
        largest = max(largest, start[hi + 1] - start[lo])
    buf = np.empty_like(points[:largest])
    scratch = np.empty_like(points[: largest // 2 + 1])
    kinds = np.empty(largest // 2 + 1, np.int8)
    src = np.empty(largest // 2 + 1, np.int64)
    dst = np.empty(largest // 2 + 1, np.int64)

    batched = buckets >= BATCHED_FOLD_MIN
    sums = np.zeros((buckets if batched else 0, *points.shape[1:]), np.uint64)
    # Σ b·bucket_b = Σ_b (bucket_B + … + bucket_b), walking the buckets from the top down
    for hi in range(buckets, 0, -run):
        lo = max(1, hi - run + 1)
        base = start[lo]
        for t in range(start[hi + 1] - base):
            entry = order[base + t]
            x, y = load_xy(points, entry >> 1)
            if entry & 1:
                y = f_neg(y)
            store_xy(buf, t, x, y)
        first = start[lo : hi + 1] - base
        lens = counts[lo : hi + 1].copy()
        _sum_buckets_affine(buf, first, lens, scratch, kinds, src, dst)
        for b in range(hi - lo, -1, -1):
            if lens[b] == 1:
                x, y = load_xy(buf, first[b])
                if batched:
                    store_xy(sums, lo - 1 + b, x, y)
                else:
                    running = jac_add_affine(running, x, y)
            if not batched:
                acc = jac_add(acc, running)
    if batched:
        return fold_batched(sums)
    return acc


@njit(cache=True)
def fold_batched(sums):
    """Σ (b + 1)·sums[b] for affine bucket sums, by running sums in affine coordinates.

    The buckets are cut into K segments of L; the K running sums (and their K accumulators)
    advance in lockstep, so each step is one batch of K affine additions sharing an inversion.
    Segment k then contributes acc_k + k·L·running_k.
    """
    count = sums.shape[0]
    segments = min(count, _FOLD_SEGMENTS)
    length = count // segments
    running = np.zeros((2 * segments, *sums.shape[1:]), np.uint64)  # running_k at 2k, addend at 2k+1
    accs = np.zeros_like(running)
    scratch = np.empty_like(running[:segments])
    kinds = np.empty(segments, np.int8)
    pos = np.arange(0, 2 * segments, 2)
    for j in range(length - 1, -1, -1):
        for k in range(segments):
            x, y = load_xy(sums, k * length + j)
            store_xy(running, 2 * k + 1, x, y)
        _batch_add_pairs(running, scratch, kinds, pos, pos, segments)
        for k in range(segments):
            x, y = load_xy(running, 2 * k)
            store_xy(accs, 2 * k + 1, x, y)
        _batch_add_pairs(accs, scratch, kinds, pos, pos, segments)
    x0, _ = load_xy(sums, 0)
    outer = jac_infinity_like(x0)
    weighted = jac_infinity_like(x0)  # Σ_k k·running_k
    for k in range(segments - 1, 0, -1):
        x, y = load_xy(running, 2 * k)
        outer = jac_add_affine(outer, x, y)
        weighted = jac_add(weighted, outer)
    step = 1
    while step < length:
        weighted = jac_double(weighted)
        step *= 2
    for k in range(segments):
        x, y = load_xy(accs, 2 * k)
        weighted = jac_add_affine(weighted, x, y)
    return weighted


@njit(cache=True, nogil=True)
def store_window_sum(points, digits, active, c, out, w):
    """out[w] = affine Σ_k digits[w, k]·P_active[k]; releases the GIL so windows run in threads."""
    x, y = jac_to_affine(window_sum(points, digits[w], active, c))
    store_xy(out, w, x, y)


@njit(cache=True)
def combine_windows(window_points, c, out):
    """out[0] = Σ_w 2^(c·w)·window_points[w], affine."""
    x0, _ = load_xy(window_points, 0)
    acc = jac_infinity_like(x0)
    for w in range(window_points.shape[0] - 1, -1, -1):
        for _ in range(c):
            acc = jac_double(acc)
        x, y = load_xy(window_points, w)
        acc = jac_add_affine(acc, x, y)
    x, y = jac_to_affine(acc)
    store_xy(out, 0, x, y)


def msm(points: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Σ scalars[i]·points[i] as a one-row affine array in the points' layout (zeros at infinity)."""
    out = np.zeros((1, *points.shape[1:]), np.uint64)
    keep = np.zeros(points.shape[0], np.bool_)
    run_in_slices(lambda lo, hi: mark_active(points, scalars, keep, lo, hi), points.shape[0], _SPLIT_MIN)
    active = np.flatnonzero(keep)
    if active.shape[0] == 0:
        return out
    c = choose_window(active.shape[0])
    windows = window_count(c)
    digits = np.empty((windows, active.shape[0]), np.int32)
    run_in_slices(
        lambda lo, hi: write_signed_digits(scalars, active, c, digits, lo, hi), active.shape[0], _SPLIT_MIN
    )
    window_points = np.zeros((windows, *points.shape[1:]), np.uint64)
    run_parallel(lambda w: store_window_sum(points, digits, active, c, window_points, w), windows)
    combine_windows(window_points, c, out)
    return out
