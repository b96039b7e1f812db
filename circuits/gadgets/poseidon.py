"""Poseidon hash with circomlib's parameters (x^5, 8 full rounds, t = inputs + 1 ≤ 17): native and
in-circuit. Both equal circomlibjs's ``poseidon(inputs)``: state [0, inputs…], output state[0]."""

from __future__ import annotations

from collections.abc import Sequence

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.field import FR
from circuits.gadgets.poseidon_constants import (
    FULL_ROUNDS,
    MAX_INPUTS,
    partial_rounds,
    poseidon_parameters,
    sparse_partial_rounds,
)


def _width(n_inputs: int) -> int:
    if not 1 <= n_inputs <= MAX_INPUTS:
        raise ValueError(f"Poseidon takes 1 to {MAX_INPUTS} inputs, got {n_inputs}")
    return n_inputs + 1


def poseidon(inputs: Sequence[int]) -> int:
    """Native Poseidon over Fr (inputs are reduced mod r, as circomlibjs does)."""
    t = _width(len(inputs))
    constants, mds = poseidon_parameters(t)
    rp = partial_rounds(t)
    state = [0, *(x % FR for x in inputs)]
    for rnd in range(FULL_ROUNDS + rp):
        state = [(s + c) % FR for s, c in zip(state, constants[rnd * t : (rnd + 1) * t], strict=True)]
        if FULL_ROUNDS // 2 <= rnd < FULL_ROUNDS // 2 + rp:
            state[0] = pow(state[0], 5, FR)
        else:
            state = [pow(s, 5, FR) for s in state]
        state = [sum(m * s for m, s in zip(row, state, strict=True)) % FR for row in mds]
    return state[0]


def _pow5(cs: ConstraintSystem, x: LinearCombination) -> LinearCombination:
    """x^5 in three products (free for a constant)."""
    x2 = cs.mul(x, x)
    return cs.mul(cs.mul(x2, x2), x)


def poseidon_var(cs: ConstraintSystem, inputs: Sequence[Operand]) -> LinearCombination:
    """In-circuit Poseidon: 3 constraints per S-box, S-boxes on constants are free (240 constraints
    for 2 inputs, like circomlib). Partial rounds use the sparse-matrix form, so each costs O(t)
    linear-combination work instead of O(t²); the native :func:`poseidon` is the plain definition."""
    t = _width(len(inputs))
    constants, mds = poseidon_parameters(t)
    into_partial, partial = sparse_partial_rounds(t)
    half = FULL_ROUNDS // 2
    state = [cs.constant(0), *(cs.lc(x) for x in inputs)]

    def full_round(rnd: int, matrix: Sequence[Sequence[int]]) -> list[LinearCombination]:
        sboxed = [_pow5(cs, s + c) for s, c in zip(state, constants[rnd * t : (rnd + 1) * t], strict=True)]
        return [_dot(cs, row, sboxed) for row in matrix]

    for rnd in range(half):
        state = full_round(rnd, into_partial if rnd == half - 1 else mds)
    for moved, first, column in partial:
        state = [s + c for s, c in zip(state, moved, strict=True)]
        x0 = _pow5(cs, state[0])
        state = [
            _dot(cs, first, [x0, *state[1:]]),
            *(s + x0.scale(w) for s, w in zip(state[1:], column, strict=True)),
        ]
    for rnd in range(half + len(partial), FULL_ROUNDS + len(partial)):
        state = full_round(rnd, mds)
    return state[0]


def _dot(cs: ConstraintSystem, row: Sequence[int], state: Sequence[LinearCombination]) -> LinearCombination:
    """Σ row[j]·state[j] (free), accumulated in one dictionary."""
    terms: dict[int, int] = {}
    for m, s in zip(row, state, strict=True):
        for wire, coeff in s.terms.items():
            terms[wire] = (terms.get(wire, 0) + m * coeff) % FR
    return LinearCombination(cs, {w: c for w, c in terms.items() if c})
