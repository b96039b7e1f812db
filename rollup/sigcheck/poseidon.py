"""Poseidon (circomlib's parameters) compiled: the permutation over Montgomery-form limbs with
the sparse partial rounds of ``circuits.gadgets.poseidon_constants`` and matrix rows as dot
products reduced once (:mod:`rollup.sigcheck.wide`), and a batch hash.

The constants are the circuit's, converted once per width to Montgomery-form arrays; the native
``circuits.gadgets.poseidon.poseidon`` is the reference the tests compare against.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import numpy as np

from circuits.field import FR
from circuits.gadgets.poseidon_constants import FULL_ROUNDS, poseidon_parameters, sparse_partial_rounds
from prover.bn254 import ints_to_limbs
from prover.kernels.fields import fr_add, fr_mul, load4, store4
from prover.kernels.threads import run_in_slices
from rollup.sigcheck.edwards import ZERO, from_mont, to_mont
from rollup.sigcheck.jit import kernel
from rollup.sigcheck.wide import WIDE_ZERO, wide_mac, wide_reduce

_R = 1 << 256
SPLIT_MIN = 64  # below this many hashes one thread does them all


class PoseidonTables(NamedTuple):
    """One width's constants in Montgomery form, as (..., 4) uint64 arrays."""

    full_constants: np.ndarray  # (8, t, 4): the four rounds before and the four after the partial ones
    mds: np.ndarray  # (t, t, 4)
    into_partial: np.ndarray  # (t, t, 4): the last first-half round's matrix in the sparse form
    partial_constants: np.ndarray  # (rp, t, 4)
    partial_first_row: np.ndarray  # (rp, t, 4)
    partial_column: np.ndarray  # (rp, t - 1, 4)


def _mont(values, shape: tuple[int, ...]) -> np.ndarray:
    flat = [v * _R % FR for v in values]
    return ints_to_limbs(flat).reshape(*shape, 4)


@cache
def poseidon_tables(n_inputs: int) -> PoseidonTables:
    t = n_inputs + 1
    constants, mds = poseidon_parameters(t)
    into_partial, partial = sparse_partial_rounds(t)
    half, rp = FULL_ROUNDS // 2, len(partial)
    full = constants[: half * t] + constants[(half + rp) * t :]
    return PoseidonTables(
        _mont(full, (FULL_ROUNDS, t)),
        _mont([m for row in mds for m in row], (t, t)),
        _mont([m for row in into_partial for m in row], (t, t)),
        _mont([c for moved, _, _ in partial for c in moved], (rp, t)),
        _mont([c for _, first, _ in partial for c in first], (rp, t)),
        _mont([c for _, _, column in partial for c in column], (rp, t - 1)),
    )


@kernel
def _pow5(x):
    x2 = fr_mul(x, x)
    return fr_mul(fr_mul(x2, x2), x)


@kernel
def _full_round(state, scratch, constants, rnd, matrix):
    t = state.shape[0]
    for j in range(t):
        store4(scratch, j, _pow5(fr_add(load4(state, j), load4(constants[rnd], j))))
    for i in range(t):
        acc = WIDE_ZERO
        for j in range(t):
            acc = wide_mac(acc, load4(matrix[i], j), load4(scratch, j))
        store4(state, i, wide_reduce(acc))


@kernel
def permute(state, scratch, tables):
    """Poseidon's permutation of ``state`` ((t, 4), Montgomery form) in place; ``scratch`` is (t, 4)."""
    full_constants, mds, into_partial, partial_constants, partial_first_row, partial_column = tables
    t = state.shape[0]
    half = full_constants.shape[0] // 2
    for rnd in range(half):
        _full_round(state, scratch, full_constants, rnd, into_partial if rnd == half - 1 else mds)
    for r in range(partial_constants.shape[0]):
        for j in range(t):
            store4(state, j, fr_add(load4(state, j), load4(partial_constants[r], j)))
        x0 = _pow5(load4(state, 0))
        acc = wide_mac(WIDE_ZERO, load4(partial_first_row[r], 0), x0)
        for j in range(1, t):
            acc = wide_mac(acc, load4(partial_first_row[r], j), load4(state, j))
        for j in range(1, t):
            store4(state, j, fr_add(load4(state, j), fr_mul(x0, load4(partial_column[r], j - 1))))
        store4(state, 0, wide_reduce(acc))
    for rnd in range(half, 2 * half):
        _full_round(state, scratch, full_constants, rnd, mds)


@kernel
def _hash_rows(inputs, out, tables, lo, hi):
    t = inputs.shape[1] + 1
    state = np.empty((t, 4), np.uint64)
    scratch = np.empty((t, 4), np.uint64)
    for i in range(lo, hi):
        store4(state, 0, ZERO)
        for j in range(1, t):
            store4(state, j, to_mont(load4(inputs[i], j - 1)))
        permute(state, scratch, tables)
        store4(out, i, from_mont(load4(state, 0)))


def poseidon_many(inputs: np.ndarray) -> np.ndarray:
    """Poseidon of each row of ``inputs`` ((n, k, 4) uint64, standard form, every value < r),
    as an (n, 4) array: row i equals ``poseidon(inputs[i])`` (1 ≤ k ≤ 16)."""
    if inputs.ndim != 3 or inputs.shape[2] != 4:
        raise ValueError(f"expected (n, inputs, 4) limbs, got shape {inputs.shape}")
    rows = np.ascontiguousarray(inputs, dtype=np.uint64)
    tables = poseidon_tables(rows.shape[1])
    out = np.empty((rows.shape[0], 4), np.uint64)
    run_in_slices(lambda lo, hi: _hash_rows(rows, out, tables, lo, hi), rows.shape[0], SPLIT_MIN)
    return out
