"""Boolean gates on wires already constrained to bits (one constraint each, none for constants)."""

from __future__ import annotations

from circuits.cs import ConstraintSystem, LinearCombination, Operand


def not_(cs: ConstraintSystem, a: Operand) -> LinearCombination:
    return 1 - cs.lc(a)


def and_(cs: ConstraintSystem, a: Operand, b: Operand) -> LinearCombination:
    return cs.mul(a, b)


def or_(cs: ConstraintSystem, a: Operand, b: Operand) -> LinearCombination:
    return cs.lc(a) + cs.lc(b) - cs.mul(a, b)


def xor(cs: ConstraintSystem, a: Operand, b: Operand) -> LinearCombination:
    return cs.lc(a) + cs.lc(b) - cs.mul(a, b).scale(2)
