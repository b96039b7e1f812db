"""Comparators and selection: zero and equality tests, order on bounded integers, select, min, max, abs.

``is_*`` returns a constrained bit; ``assert_*`` constrains, conditionally with ``when=`` (a bit).
Order comparisons on n-bit operands assume both lie in [0, 2^n): the caller range-checks them
(every exchange amount is range-checked once where it enters), and n ≤ 252 so nothing wraps.
"""

from __future__ import annotations

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.field import inv_mod
from circuits.gadgets.bits import FIELD_BITS, assert_range, to_bits

MAX_ORDER_BITS = FIELD_BITS - 2


def _check_width(n: int) -> None:
    if not 1 <= n <= MAX_ORDER_BITS:
        raise ValueError(f"comparisons take operands of 1..{MAX_ORDER_BITS} bits, got {n}")


def is_zero(cs: ConstraintSystem, x: Operand) -> LinearCombination:
    """Bit: x = 0 (two constraints: x·inv = 1 - out and x·out = 0)."""
    x = cs.lc(x)
    k = x.constant_value()
    if k is not None:
        return cs.constant(int(k == 0))
    (inv,) = cs.hint(lambda v: inv_mod(v) if v else 0, x)
    out = 1 - cs.mul(x, inv)
    cs.enforce(x, out, 0, "is_zero")
    return out


def is_equal(cs: ConstraintSystem, a: Operand, b: Operand) -> LinearCombination:
    return is_zero(cs, cs.lc(a) - cs.lc(b))


def assert_equal(cs: ConstraintSystem, a: Operand, b: Operand, when: Operand | None = None) -> None:
    """Constrain a = b, or when·(a - b) = 0 with a condition bit."""
    if when is None:
        cs.assert_equal(a, b)
    else:
        cs.enforce(when, cs.lc(a) - cs.lc(b), 0, "equal when")


def select(cs: ConstraintSystem, cond: Operand, a: Operand, b: Operand) -> LinearCombination:
    """cond ? a : b for a bit cond (one constraint, none if cond is constant or a, b are equal)."""
    b = cs.lc(b)
    return b + cs.mul(cond, cs.lc(a) - b)


def is_less_than(cs: ConstraintSystem, a: Operand, b: Operand, n: int) -> LinearCombination:
    """Bit: a < b for a, b in [0, 2^n); n + 1 constraints (bit n of a - b + 2^n is 1 iff a ≥ b)."""
    _check_width(n)
    bits = to_bits(cs, cs.lc(a) - cs.lc(b) + (1 << n), n + 1)
    return 1 - bits[n]


def is_less_equal(cs: ConstraintSystem, a: Operand, b: Operand, n: int) -> LinearCombination:
    """Bit: a ≤ b, as not b < a."""
    return 1 - is_less_than(cs, b, a, n)


def assert_less_than(
    cs: ConstraintSystem, a: Operand, b: Operand, n: int, when: Operand | None = None
) -> None:
    """Constrain a < b for a, b in [0, 2^n), as b - a - 1 ∈ [0, 2^n); n constraints."""
    _check_width(n)
    assert_range(cs, cs.lc(b) - cs.lc(a) - 1, n, when)


def assert_less_equal(
    cs: ConstraintSystem, a: Operand, b: Operand, n: int, when: Operand | None = None
) -> None:
    """Constrain a ≤ b for a, b in [0, 2^n), as b - a ∈ [0, 2^n)."""
    _check_width(n)
    assert_range(cs, cs.lc(b) - cs.lc(a), n, when)


def minimum(cs: ConstraintSystem, a: Operand, b: Operand, n: int) -> LinearCombination:
    return select(cs, is_less_than(cs, a, b, n), a, b)


def maximum(cs: ConstraintSystem, a: Operand, b: Operand, n: int) -> LinearCombination:
    return select(cs, is_less_than(cs, a, b, n), b, a)


def abs_signed(cs: ConstraintSystem, x: Operand, n: int = 64) -> tuple[LinearCombination, LinearCombination]:
    """(|x|, x < 0) for x in [-2^(n-1), 2^(n-1)), which this also enforces; n + 1 constraints."""
    _check_width(n)
    x = cs.lc(x)
    negative = 1 - to_bits(cs, x + (1 << (n - 1)), n)[n - 1]
    return x - cs.mul(negative, x).scale(2), negative
