"""Batch EdDSA-Poseidon verification: the checks of the in-circuit verifier
(``circuits.gadgets.eddsa_var``), one signature at a time in a compiled kernel, slices of the
batch on the kernel thread pool.

A signature (R8, S) on message M by key A is valid when S < L, R8 and A are on the curve, 8·A is
not the identity (A has not small order), and S·B8 = R8 + h·(8·A) with h = Poseidon(R8, A, M).
The native ``circuits.gadgets.eddsa.verify`` checks the same except the small-order key, which
circomlibjs's ``verifyPoseidon`` lets through and the circuit refuses: an order the circuit would
reject must not pass here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from circuits.field import FR
from circuits.gadgets.babyjub import Point
from circuits.gadgets.eddsa import Signature
from prover.bn254 import ints_to_limbs
from prover.kernels.fields import load4, store4
from prover.kernels.threads import run_in_slices
from rollup.sigcheck.base_table import base8_table, fixed_base_mul
from rollup.sigcheck.edwards import (
    FR_LIMBS,
    SUBORDER_LIMBS,
    ZERO,
    add,
    below,
    from_affine,
    from_mont,
    on_curve,
    same_point,
    to_mont,
)
from rollup.sigcheck.jit import kernel
from rollup.sigcheck.keys import KeyTables, key_multiple
from rollup.sigcheck.poseidon import permute, poseidon_tables

SPLIT_MIN = 16  # below this many signatures one thread checks them all
FIELDS = 6  # per signature, in this order: M, R8.x, R8.y, A.x, A.y, S
CHUNK = 4096  # signatures per kernel pass at most: bounds the key tables a call builds (48 MiB)
_LIMIT = 1 << 256


@kernel
def verify_one(m, rx, ry, ax, ay, s, key_table, base_table, hash_tables, state, scratch):
    """One signature, standard-form limbs in, by a key whose table (:mod:`rollup.sigcheck.keys`)
    was built, so A is known to be valid; ``state`` and ``scratch`` are (6, 4) uint64 scratch."""
    if not (below(s, SUBORDER_LIMBS) and below(m, FR_LIMBS)):
        return False
    if not (below(rx, FR_LIMBS) and below(ry, FR_LIMBS)):
        return False
    rx, ry = to_mont(rx), to_mont(ry)
    if not on_curve(rx, ry):
        return False
    store4(state, 0, ZERO)
    store4(state, 1, rx)
    store4(state, 2, ry)
    store4(state, 3, to_mont(ax))
    store4(state, 4, to_mont(ay))
    store4(state, 5, to_mont(m))
    permute(state, scratch, hash_tables)
    h = from_mont(load4(state, 0))
    right = add(key_multiple(key_table, h), from_affine(rx, ry))
    return same_point(fixed_base_mul(base_table, s), right)


@kernel
def _verify_rows(rows, key_rows, key_tables, key_usable, ok, base_table, hash_tables, lo, hi):
    state = np.empty((6, 4), np.uint64)
    scratch = np.empty((6, 4), np.uint64)
    for i in range(lo, hi):
        key = key_rows[i]
        if key < 0 or not key_usable[key]:
            ok[i] = False
            continue
        row = rows[i]
        m, rx, ry, ax, ay = load4(row, 0), load4(row, 1), load4(row, 2), load4(row, 3), load4(row, 4)
        s = load4(row, 5)
        ok[i] = verify_one(m, rx, ry, ax, ay, s, key_tables[key], base_table, hash_tables, state, scratch)


def verify_rows(rows: np.ndarray, key_rows: np.ndarray, keys: KeyTables) -> np.ndarray:
    """Verify each row of an (n, 6, 4) uint64 array of standard-form limbs (M, R8.x, R8.y, A.x,
    A.y, S; out-of-range values fail) by the key in row ``key_rows[i]`` of ``keys`` (-1: refused):
    an (n,) bool array."""
    if rows.ndim != 3 or rows.shape[1:] != (FIELDS, 4) or key_rows.shape != rows.shape[:1]:
        raise ValueError(
            f"expected ({FIELDS}, 4) limbs and one key row per signature, got shape {rows.shape}"
        )
    rows = np.ascontiguousarray(rows, dtype=np.uint64)
    ok = np.zeros(rows.shape[0], np.bool_)
    args = (keys.tables, keys.usable, ok, base8_table(), poseidon_tables(5))
    run_in_slices(lambda lo, hi: _verify_rows(rows, key_rows, *args, lo, hi), rows.shape[0], SPLIT_MIN)
    return ok


def signature_rows(messages: Sequence[int], public_keys: Sequence[Point], signatures: Sequence[Signature]):
    """The (n, 6, 4) limb rows of :func:`verify_rows` and an (n,) mask of the rows whose values
    could not be encoded (negative or ≥ 2^256: invalid whatever the rest). Messages are taken
    mod r, as the native verifier does."""
    if not len(messages) == len(public_keys) == len(signatures):
        raise ValueError("messages, public keys and signatures must be as many")
    values = [
        v
        for m, (ax, ay), sig in zip(messages, public_keys, signatures, strict=True)
        for v in (m % FR, sig.R8[0], sig.R8[1], ax, ay, sig.S)
    ]
    unencodable = np.zeros(len(messages), np.bool_)
    try:
        limbs = ints_to_limbs(values)
    except OverflowError:
        for i, v in enumerate(values):
            if not 0 <= v < _LIMIT:
                unencodable[i // FIELDS] = True
                values[i] = 0
        limbs = ints_to_limbs(values)
    return limbs.reshape(len(messages), FIELDS, 4), unencodable


def in_chunks(check: Callable[..., Sequence[bool]], size: int, *columns: Sequence) -> list[bool]:
    """``check`` over ``size`` rows of the columns at a time (key tables and scratch stay bounded),
    the verdicts concatenated in order."""
    return [
        verdict
        for lo in range(0, len(columns[0]), size)
        for verdict in check(*(column[lo : lo + size] for column in columns))
    ]


def verify_many(
    messages: Sequence[int], public_keys: Sequence[Point], signatures: Sequence[Signature]
) -> np.ndarray:
    """Whether each ``signatures[i]`` signs ``messages[i]`` under ``public_keys[i]``: an (n,) bool
    array, by the rules of the module docstring. Key tables are built per call, a chunk at a time."""
    if len(messages) > CHUNK:
        return np.array(in_chunks(verify_many, CHUNK, messages, public_keys, signatures), np.bool_)
    rows, unencodable = signature_rows(messages, public_keys, signatures)
    keys = KeyTables(capacity=max(1, len(set(public_keys))))
    return verify_rows(rows, keys.rows_for(public_keys), keys) & ~unencodable
