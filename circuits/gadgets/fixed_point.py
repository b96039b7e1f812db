"""Fixed-point arithmetic with floor rounding, for prices and sizes.

A quotient is proven by num = q·den + r with 0 ≤ r < den and q range-checked, all bounded so
that |q·den + r| < 2^(q_bits + den_bits + 1) ≤ 2^252 < r_field / 2: the equation then holds over
the integers, so q is exactly ⌊num/den⌋ (rounding toward -∞ for signed values) and cannot wrap.
"""

from __future__ import annotations

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.field import FR
from circuits.gadgets.bits import assert_bits_less_than, assert_range, assert_signed_range, to_bits

MAX_PRODUCT_BITS = 251


def floor_div(num: int, den: int) -> tuple[int, int]:
    """Native (⌊num/den⌋, num mod den) for den > 0."""
    if den <= 0:
        raise ValueError(f"divisor must be positive, got {den}")
    return num // den, num % den


def mul_div(a: int, b: int, den: int) -> int:
    """Native ⌊a·b/den⌋ for den > 0."""
    return floor_div(a * b, den)[0]


def _assert_remainder(
    cs: ConstraintSystem, r: LinearCombination, den: LinearCombination, den_bits: int
) -> None:
    """0 ≤ r < den (so den ≥ 1), with r < 2^den_bits and den - r ≤ 2^den_bits for a variable den."""
    k = den.constant_value()
    if k is None:
        assert_range(cs, r, den_bits)
        assert_range(cs, den - r - 1, den_bits)
        return
    if not 1 <= k < 1 << den_bits:
        raise ValueError(f"constant divisor {k} outside [1, 2^{den_bits})")
    width = max((k - 1).bit_length(), 1)
    bits = to_bits(cs, r, width)
    if k != 1 << width:
        assert_bits_less_than(cs, bits, k)


def floor_div_var(
    cs: ConstraintSystem,
    num: Operand,
    den: Operand,
    q_bits: int,
    den_bits: int,
    signed: bool = False,
) -> tuple[LinearCombination, LinearCombination]:
    """(q, r) with num = q·den + r and 0 ≤ r < den, q in [0, 2^q_bits) or, when ``signed``, in
    [-2^(q_bits-1), 2^(q_bits-1)); a num whose quotient leaves that range is rejected. den is meant
    to lie in [1, 2^den_bits): the constraints give r < 2^den_bits and den - r ≤ 2^den_bits, so
    den < 2^(den_bits+1), which keeps |q·den + r| < 2^252 and q exact."""
    if q_bits + den_bits > MAX_PRODUCT_BITS:
        raise ValueError(f"q_bits + den_bits must be ≤ {MAX_PRODUCT_BITS} so that nothing wraps")
    num, den = cs.lc(num), cs.lc(den)

    def quotient(n: int, d: int) -> list[int]:
        n_int = n - FR if signed and n > FR // 2 else n
        q, r = floor_div(n_int, d) if d else (0, 0)
        return [q, r]

    q, r = cs.hint(quotient, num, den, n_out=2)
    if signed:
        assert_signed_range(cs, q, q_bits)
    else:
        assert_range(cs, q, q_bits)
    _assert_remainder(cs, r, den, den_bits)
    cs.assert_equal(cs.mul(q, den) + r, num, "num = q·den + r")
    return q, r


def mul_div_var(
    cs: ConstraintSystem,
    a: Operand,
    b: Operand,
    den: Operand,
    a_bits: int = 64,
    b_bits: int = 64,
    den_bits: int = 64,
    signed: bool = False,
    check_inputs: bool = True,
) -> LinearCombination:
    """⌊a·b/den⌋ for b in [0, 2^b_bits), a in [0, 2^a_bits) (or signed two's-offset when ``signed``)
    and 1 ≤ den < 2^den_bits. ``check_inputs`` range-checks a and b here; pass False only when
    the caller already has."""
    if check_inputs:
        (assert_signed_range if signed else assert_range)(cs, a, a_bits)
        assert_range(cs, b, b_bits)
    q, _ = floor_div_var(cs, cs.mul(a, b), den, a_bits + b_bits, den_bits, signed)
    return q
