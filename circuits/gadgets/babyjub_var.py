"""Baby Jubjub in-circuit: point checks, additions, and fixed- and variable-base multiplication.

Edwards additions use the complete law (6 constraints; 3 when one point is constant). Long
scalar multiplications run on the birationally equivalent Montgomery curve v² = u³ + 168698·u² + u,
where an addition costs 3 constraints and a doubling 4, but whose formulas fail when the two points
share u (equal or opposite) or either is the identity. Each Montgomery step below comes with the
bound that rules those cases out for every input (all points are small known multiples of a point
of prime order L ≈ 2^250.6); steps the bound does not cover use the complete Edwards law.
Scalars come as little-endian bits that the caller has constrained (e.g. from ``to_bits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.field import FR, inv_mod
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import MONT_A, MONT_B, SUBORDER, Point

PointVar = tuple[LinearCombination, LinearCombination]
WINDOW = 3  # bits per fixed-base window
# Montgomery windows: acc < 1.29·8^i and the new point ≤ 9·8^i, whose sum stays below L while
# 10.3·8^i < L, i.e. for windows 0..82
FIXED_MONTGOMERY_WINDOWS = 83
# variable-base: adding ±2^(i-1)·P to an odd multiple a with |a| < 2^(i-1) is safe while 2^(i-1) < L/2
VARIABLE_MONTGOMERY_DIGITS = 250


def point(cs: ConstraintSystem, p: Sequence[Operand]) -> PointVar:
    x, y = p
    return cs.lc(x), cs.lc(y)


def _divide(cs: ConstraintSystem, num: LinearCombination, den: LinearCombination) -> LinearCombination:
    """num/den as a new wire with den·q = num (the callers' denominators are never 0 on the curve)."""
    k_num, k_den = num.constant_value(), den.constant_value()
    if k_num is not None and k_den is not None:
        return cs.constant(k_num * inv_mod(k_den) % FR)
    (q,) = cs.hint(lambda n, d: n * inv_mod(d) % FR if d else 0, num, den)
    cs.enforce(den, q, num, "division")
    return q


def _product_minus(
    cs: ConstraintSystem, a: LinearCombination, b: LinearCombination, minus: LinearCombination
) -> LinearCombination:
    """a·b - minus as one fresh wire (one constraint), so that chained coordinates stay short."""
    if a.constant_value() is not None or b.constant_value() is not None:
        return cs.mul(a, b) - minus
    (w,) = cs.hint(lambda x, y, m: (x * y - m) % FR, a, b, minus)
    cs.enforce(a, b, w + minus)
    return w


def assert_on_curve(cs: ConstraintSystem, p: PointVar) -> None:
    """a·x² + y² = 1 + d·x²·y² (3 constraints)."""
    x, y = p
    x2, y2 = cs.mul(x, x), cs.mul(y, y)
    cs.enforce(x2, y2.scale(babyjub.D), x2.scale(babyjub.A) + y2 - 1, "on curve")


def edwards_add(cs: ConstraintSystem, p: PointVar, q: PointVar) -> PointVar:
    """The complete addition law: 6 constraints, 3 when q is constant. Inputs must be on the curve."""
    (x1, y1), (x2, y2) = p, q
    beta = cs.mul(x1, y2)
    gamma = cs.mul(y1, x2)
    delta = cs.mul(y1 - x1.scale(babyjub.A), x2 + y2)
    tau = cs.mul(beta, gamma).scale(babyjub.D)
    x3 = _divide(cs, beta + gamma, 1 + tau)
    y3 = _divide(cs, delta + beta.scale(babyjub.A) - gamma, 1 - tau)
    return x3, y3


def edwards_double(cs: ConstraintSystem, p: PointVar) -> PointVar:
    """2·p in 5 constraints (the addition law with the shared product x·y)."""
    x, y = p
    xy = cs.mul(x, y)
    tau = cs.mul(xy, xy).scale(babyjub.D)
    delta = cs.mul(y - x.scale(babyjub.A), x + y)
    return _divide(cs, xy.scale(2), 1 + tau), _divide(cs, delta + xy.scale(babyjub.A - 1), 1 - tau)


def to_montgomery(cs: ConstraintSystem, p: PointVar) -> PointVar:
    """(u, v) = ((1 + y)/(1 - y), u/x): 2 constraints; p must not be the identity or of order 2."""
    x, y = p
    u = _divide(cs, 1 + y, 1 - y)
    return u, _divide(cs, u, x)


def from_montgomery(cs: ConstraintSystem, m: PointVar) -> PointVar:
    """(x, y) = (u/v, (u - 1)/(u + 1)): 2 constraints."""
    u, v = m
    return _divide(cs, u, v), _divide(cs, u - 1, u + 1)


def montgomery_add(cs: ConstraintSystem, p: PointVar, q: PointVar) -> PointVar:
    """p + q for points with different u (neither equal nor opposite): 3 constraints."""
    (u1, v1), (u2, v2) = p, q
    lam = _divide(cs, v2 - v1, u2 - u1)
    u3 = _product_minus(cs, lam.scale(MONT_B), lam, u1 + u2 + MONT_A)
    return u3, _product_minus(cs, lam, u1 - u3, v1)


def montgomery_double(cs: ConstraintSystem, p: PointVar) -> PointVar:
    """2·p for a point not of order 2 (v ≠ 0): 4 constraints."""
    u, v = p
    uu = cs.mul(u, u)
    lam = _divide(cs, uu.scale(3) + u.scale(2 * MONT_A) + 1, v.scale(2 * MONT_B))
    u3 = _product_minus(cs, lam.scale(MONT_B), lam, u.scale(2) + MONT_A)
    return u3, _product_minus(cs, lam, u - u3, v)


def _lookup(cs: ConstraintSystem, bits: Sequence[LinearCombination], table: Sequence[Point]) -> PointVar:
    """table[Σ bits[i]·2^i] for a constant table of 2^len(bits) ≤ 8 points: 0, 1 or 3 constraints."""
    if len(bits) == 1:
        (b,) = bits
        return tuple(b.scale(table[1][c] - table[0][c]) + table[0][c] for c in (0, 1))  # type: ignore[return-value]
    b0, b1 = bits[0], bits[1]
    both = cs.mul(b0, b1)

    def bilinear(entries: Sequence[Point], c: int) -> LinearCombination:
        e0, e1, e2, e3 = (e[c] for e in entries)
        return b0.scale(e1 - e0) + b1.scale(e2 - e0) + both.scale(e3 - e2 - e1 + e0) + e0

    if len(bits) == 2:
        return bilinear(table, 0), bilinear(table, 1)
    low, high = table[:4], table[4:]
    return tuple(  # type: ignore[return-value]
        bilinear(low, c) + cs.mul(bits[2], bilinear(high, c) - bilinear(low, c)) for c in (0, 1)
    )


@cache
def _fixed_tables(base: Point, n_bits: int) -> tuple[list[list[Point]], list[list[Point]]]:
    """Montgomery tables (k + 2)·8^i·base for the first windows, then Edwards tables k·8^i·base,
    the first Edwards table (or a lone correction) taking away the offsets Σ 2·8^i·base."""
    widths = [min(WINDOW, n_bits - i) for i in range(0, n_bits, WINDOW)]
    mont, edwards = [], []
    offset = 0
    step = base  # 8^i·base
    for i, width in enumerate(widths):
        multiples = [babyjub.IDENTITY]  # k·step for k = 0 .. 2^width + 1
        for _ in range(2**width + 1):
            multiples.append(babyjub.add(multiples[-1], step))
        if i < FIXED_MONTGOMERY_WINDOWS:
            mont.append([babyjub.to_montgomery(m) for m in multiples[2:]])
            offset += 2 * 8**i
        else:
            edwards.append(multiples[: 2**width])
        step = multiples[8] if width == WINDOW else step
    correction = babyjub.neg(babyjub.mul(base, offset % SUBORDER))
    if edwards:
        edwards[0] = [babyjub.add(p, correction) for p in edwards[0]]
    else:
        edwards.append([correction])
    return mont, edwards


def fixed_base_mul(cs: ConstraintSystem, bits: Sequence[Operand], base: Point = babyjub.BASE8) -> PointVar:
    """(Σ bits[i]·2^i)·base for a constant base of prime order L (≈ 2 constraints per bit).

    3-bit windows; window i adds a table point (k_i + 2)·8^i·base on the Montgomery curve: the
    accumulator's multiple Σ_{j<i} (k_j + 2)·8^j < 1.29·8^i stays below the new one (≥ 2·8^i) and
    their sum below L, so no addition meets equal or opposite points."""
    if not babyjub.in_subgroup(base) or base == babyjub.IDENTITY:
        raise ValueError("the base must be a point of the prime-order subgroup")
    if not bits:
        raise ValueError("no scalar bits")
    bits = [cs.lc(b) for b in bits]
    mont, edwards = _fixed_tables(base, len(bits))
    windows = [bits[i : i + WINDOW] for i in range(0, len(bits), WINDOW)]
    acc = _lookup(cs, windows[0], mont[0])
    for window, table in zip(windows[1:], mont[1:], strict=False):
        acc = montgomery_add(cs, acc, _lookup(cs, window, table))
    result = from_montgomery(cs, acc)
    edwards_windows = windows[len(mont) :]
    if not edwards_windows:
        return edwards_add(cs, result, point(cs, edwards[0][0]))
    for window, table in zip(edwards_windows, edwards, strict=True):
        result = edwards_add(cs, result, _lookup(cs, window, table))
    return result


def scalar_mul(cs: ConstraintSystem, bits: Sequence[Operand], p: PointVar) -> PointVar:
    """(Σ bits[i]·2^i)·p for p of prime order L (not the identity): about 8 constraints per bit.

    Right to left with signed digits: h = Σ_{i≥1} (2·b_i - 1)·2^(i-1) + 2^(n-1) - (1 - b_0), so
    the accumulator takes ±2^(i-1)·p (a sign select, 1 constraint) from a doubling chain. Before
    step i it holds an odd multiple a with |a| < 2^(i-1), which differs from ±2^(i-1) mod L while
    2^(i-1) < L/2; the last digits, the 2^(n-1)·p term and the final correction use Edwards."""
    n = len(bits)
    if n < 2:
        raise ValueError("scalar_mul takes at least 2 bits")
    bits = [cs.lc(b) for b in bits]
    power = to_montgomery(cs, p)  # 2^(i-1)·p, starting at i = 1
    acc: PointVar = (power[0], cs.mul(bits[1].scale(2) - 1, power[1]))
    acc_edwards: PointVar | None = None
    for i in range(2, n):
        power = montgomery_double(cs, power)
        if i <= VARIABLE_MONTGOMERY_DIGITS:
            acc = montgomery_add(cs, acc, (power[0], cs.mul(bits[i].scale(2) - 1, power[1])))
            continue
        acc_edwards = acc_edwards or from_montgomery(cs, acc)
        px, py = from_montgomery(cs, power)
        acc_edwards = edwards_add(cs, acc_edwards, (cs.mul(bits[i].scale(2) - 1, px), py))
    acc_edwards = acc_edwards or from_montgomery(cs, acc)
    acc_edwards = edwards_add(cs, acc_edwards, from_montgomery(cs, montgomery_double(cs, power)))
    x, y = p
    missing = 1 - bits[0]  # take p away when b_0 = 0
    return edwards_add(cs, acc_edwards, (cs.mul(missing, x).scale(-1), 1 + cs.mul(missing, y - 1)))
