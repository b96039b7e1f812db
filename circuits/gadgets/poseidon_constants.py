"""Poseidon parameters as circomlib uses them, derived by the specification's Grain LFSR procedure.

The reference script (hadeshash ``generate_parameters_grain.sage``) seeds an 80-bit Grain LFSR with
the parameters, draws the round constants with rejection sampling and then the Cauchy MDS matrix.
circomlib ran it with field=1 (prime), sbox=0 (x^5), n=254, R_F=8 and the R_P below.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from circuits.field import FR, inv_mod

FULL_ROUNDS = 8
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)  # t = 2..17
MAX_INPUTS = len(PARTIAL_ROUNDS)
FIELD_BITS = 254


class _Grain:
    """The self-shrinking Grain LFSR bit source of the Poseidon specification.

    The register is an 80-bit int, bit i = s_i (s_0 oldest); the feedback s_{i+80} = s_{i+62} ⊕
    s_{i+51} ⊕ s_{i+38} ⊕ s_{i+23} ⊕ s_{i+13} ⊕ s_i reaches back 18 bits at least, so 18 steps
    are computed at once. Output: of each pair of raw bits, the second is kept when the first is 1.
    """

    _CHUNK = 18

    def __init__(self, t: int, partial_rounds: int) -> None:
        fields = [(1, 2), (0, 4), (FIELD_BITS, 12), (t, 12), (FULL_ROUNDS, 10), (partial_rounds, 10)]
        seed = [(value >> (width - 1 - i)) & 1 for value, width in fields for i in range(width)] + [1] * 30
        self.register = sum(bit << i for i, bit in enumerate(seed))
        self.bits: list[int] = []
        self.position = 0
        self.discard = 160  # raw bits dropped before the first output

    def _raw(self, n_bits: int) -> np.ndarray:
        """The next raw bits: ``n_bits`` rounded up to a multiple of 18."""
        chunks = []
        reg, mask = self.register, (1 << self._CHUNK) - 1
        for _ in range(-(-n_bits // self._CHUNK)):
            new = (reg ^ (reg >> 13) ^ (reg >> 23) ^ (reg >> 38) ^ (reg >> 51) ^ (reg >> 62)) & mask
            chunks.append(new)
            reg = (reg >> self._CHUNK) | (new << 62)
        self.register = reg
        arr = np.array(chunks, dtype=np.uint32)
        return ((arr[:, None] >> np.arange(self._CHUNK, dtype=np.uint32)) & 1).astype(np.uint8).ravel()

    def _refill(self) -> None:
        raw = self._raw(18 * 3641)[self.discard :]  # an even number of bits either way
        self.discard = 0
        kept = raw[1::2][raw[0::2] == 1]
        self.bits = self.bits[self.position :] + kept.tolist()
        self.position = 0

    def next_int(self, bits: int) -> int:
        while self.position + bits > len(self.bits):
            self._refill()
        chunk = self.bits[self.position : self.position + bits]
        self.position += bits
        return int("".join(map(str, chunk)), 2)

    def next_field_element(self) -> int:
        """A uniform element of Fr by rejection sampling."""
        while True:
            value = self.next_int(FIELD_BITS)
            if value < FR:
                return value


def partial_rounds(t: int) -> int:
    if not 2 <= t <= MAX_INPUTS + 1:
        raise ValueError(f"Poseidon width t={t} is outside 2..{MAX_INPUTS + 1}")
    return PARTIAL_ROUNDS[t - 2]


@cache
def poseidon_parameters(t: int) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """(round constants, flat, t per round; MDS matrix rows) for state width t."""
    rp = partial_rounds(t)
    grain = _Grain(t, rp)
    constants = tuple(grain.next_field_element() for _ in range((FULL_ROUNDS + rp) * t))
    while True:
        draws = [grain.next_int(FIELD_BITS) % FR for _ in range(2 * t)]
        if len(set(draws)) != 2 * t:
            continue
        xs, ys = draws[:t], draws[t:]
        if any((x + y) % FR == 0 for x in xs for y in ys):
            continue
        mds = tuple(tuple(inv_mod(x + y) for y in ys) for x in xs)
        return constants, mds


Matrix = tuple[tuple[int, ...], ...]
SparseRound = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]  # constants, first row, column


def _mat_mul(a: Matrix, b: Matrix) -> Matrix:
    cols = list(zip(*b, strict=True))
    return tuple(tuple(sum(x * y for x, y in zip(row, col, strict=True)) % FR for col in cols) for row in a)


def _mat_inverse(m: Matrix) -> Matrix:
    """Gauss-Jordan inverse over Fr."""
    n = len(m)
    rows = [list(row) + [int(i == j) for j in range(n)] for i, row in enumerate(m)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col]), None)
        if pivot is None:
            raise ValueError("singular matrix")
        rows[col], rows[pivot] = rows[pivot], rows[col]
        scale = inv_mod(rows[col][col])
        rows[col] = [x * scale % FR for x in rows[col]]
        for r in range(n):
            if r != col and rows[r][col]:
                f = rows[r][col]
                rows[r] = [(x - f * y) % FR for x, y in zip(rows[r], rows[col], strict=True)]
    return tuple(tuple(row[n:]) for row in rows)


def _mat_vec(m: Matrix, x: Sequence[int]) -> tuple[int, ...]:
    return tuple(sum(a * b for a, b in zip(row, x, strict=True)) % FR for row in m)


@cache
def sparse_partial_rounds(t: int) -> tuple[Matrix, list[SparseRound]]:
    """The partial rounds in the sparse form of the Poseidon paper (appendix B).

    With M = [[m00, v], [w, N]], round r's matrix is rewritten as M''·diag(1, N^(R-r)) where
    M'' = [[m00, v·N^-(R-r)], [N^(R-1-r)·w, I]] is sparse; the diagonal factor commutes with the
    partial S-box and moves into the previous round (and its constants), ending in the last full
    round. Returns that round's matrix and, per partial round, (constants, M'' row 0, M'' column 0).
    """
    constants, mds = poseidon_parameters(t)
    rp = partial_rounds(t)
    first = FULL_ROUNDS // 2
    v, w = mds[0][1:], tuple(row[0] for row in mds[1:])
    n_hat = tuple(row[1:] for row in mds[1:])
    n_inv = _mat_inverse(n_hat)
    identity: Matrix = tuple(tuple(int(i == j) for j in range(t - 1)) for i in range(t - 1))
    rounds: list[SparseRound] = []
    power, u, column = identity, v, w  # N^(R-1-r), v·N^-(R-1-r), N^(R-1-r)·w for r = R-1
    for r in reversed(range(rp)):
        column = _mat_vec(power, w)
        power = _mat_mul(n_hat, power)  # N^(R-r)
        u = _mat_vec(tuple(zip(*n_inv, strict=True)), u)  # u·N^-1
        c = constants[(first + r) * t : (first + r + 1) * t]
        rounds.append(((c[0], *_mat_vec(power, c[1:])), (mds[0][0], *u), column))
    rounds.reverse()
    return (mds[0], *_mat_mul(power, mds[1:])), rounds
