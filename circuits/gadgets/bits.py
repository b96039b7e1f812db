"""Bit decomposition and range checks.

Bits are little-endian lists of constrained wires. A constant input yields constant bits and adds
no constraint. ``when=`` (a bit) makes a check conditional: with ``when = 0`` nothing is enforced.
"""

from __future__ import annotations

from collections.abc import Sequence

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.field import FR, inv_mod

FIELD_BITS = FR.bit_length()  # 254


def from_bits(cs: ConstraintSystem, bits: Sequence[Operand]) -> LinearCombination:
    """Σ bits[i]·2^i: free."""
    total = cs.constant(0)
    for i, bit in enumerate(bits):
        total = total + cs.lc(bit).scale(1 << i)
    return total


def to_bits(cs: ConstraintSystem, x: Operand, n: int) -> list[LinearCombination]:
    """n constrained bits whose weighted sum is x, proving x < 2^n (n ≤ 253 so the sum cannot wrap).

    Costs n constraints (booleanity; the recomposition is folded into the top bit).
    """
    if not 1 <= n < FIELD_BITS:
        raise ValueError(f"to_bits takes 1 ≤ n ≤ {FIELD_BITS - 1}, got {n}; use to_bits_strict for 254")
    return _decompose(cs, cs.lc(x), n)


def _decompose(cs: ConstraintSystem, x: LinearCombination, n: int) -> list[LinearCombination]:
    """The top bit is the linear remainder (x - Σ lower bits)/2^(n-1), so n bits cost n constraints."""
    k = x.constant_value()
    if k is not None:
        if k >> n:
            raise ValueError(f"constant {k} does not fit in {n} bits")
        return [cs.constant((k >> i) & 1) for i in range(n)]
    bits = cs.hint(lambda v: [(v >> i) & 1 for i in range(n - 1)], x, n_out=n - 1) if n > 1 else []
    top = (x - from_bits(cs, bits)).scale(inv_mod(1 << (n - 1)))
    bits.append(top)
    for bit in bits:
        cs.assert_bool(bit)
    return bits


def to_bits_strict(cs: ConstraintSystem, x: Operand) -> list[LinearCombination]:
    """The unique 254-bit decomposition of a field element: the bits must also encode a value < r."""
    bits = _decompose(cs, cs.lc(x), FIELD_BITS)
    assert_bits_less_than(cs, bits, FR)
    return bits


def is_bits_less_than(cs: ConstraintSystem, bits: Sequence[Operand], bound: int) -> LinearCombination:
    """Bit: the number the (constrained) bits encode is < the constant ``bound``.

    Scans from the top keeping ``tight`` = "every higher bit equals bound's", one product per bit.
    """
    bits = [cs.lc(b) for b in bits]
    if bound >> len(bits):
        return cs.constant(1)
    less = cs.constant(0)
    tight = cs.constant(1)
    for i in reversed(range(len(bits))):
        if (bound >> i) & 1:
            drop = cs.mul(tight, 1 - bits[i])  # tight and the bit is below bound's 1
            less = less + drop
            tight = tight - drop
        else:
            tight = tight - cs.mul(tight, bits[i])
    return less


def assert_bits_less_than(
    cs: ConstraintSystem, bits: Sequence[Operand], bound: int, when: Operand | None = None
) -> None:
    """Constrain the number the (constrained) bits encode to be < the constant ``bound``.

    As bits ≤ c = bound - 1, scanning from the top with ``tight`` = "every higher bit equals c's"
    (started at ``when``, so a disabled check holds trivially): at a 1 of c, tight ← tight·bit; over
    each run of 0s of c, tight·(sum of the run's bits) = 0. Cost: ones of c plus runs of zeros.
    """
    if bound <= 0:
        raise ValueError("no bits encode a number below 0")
    bits = [cs.lc(b) for b in bits]
    top = bound - 1
    if top >> len(bits):
        return
    tight = cs.constant(1) if when is None else cs.lc(when)
    run = cs.constant(0)
    for i in reversed(range(len(bits))):
        if (top >> i) & 1:
            tight = cs.mul(tight, bits[i])
        else:
            run = run + bits[i]
            if i == 0 or (top >> (i - 1)) & 1:
                cs.enforce(tight, run, 0, f"bits < {bound}")
                run = cs.constant(0)


def _gate(cs: ConstraintSystem, x: Operand, when: Operand | None) -> LinearCombination:
    """x, or x·when for a conditional check (0 passes every range check)."""
    return cs.lc(x) if when is None else cs.mul(x, when)


def assert_range(cs: ConstraintSystem, x: Operand, n: int, when: Operand | None = None) -> None:
    """Constrain 0 ≤ x < 2^n (n constraints, one more with ``when``)."""
    to_bits(cs, _gate(cs, x, when), n)


def assert_signed_range(cs: ConstraintSystem, x: Operand, n: int = 64, when: Operand | None = None) -> None:
    """Constrain -2^(n-1) ≤ x < 2^(n-1), as x + 2^(n-1) ∈ [0, 2^n)."""
    to_bits(cs, _gate(cs, cs.lc(x) + (1 << (n - 1)), when), n)
