"""Poseidon parameters as circomlib uses them, derived by the specification's Grain LFSR procedure.

The reference script (hadeshash ``generate_parameters_grain.sage``) seeds an 80-bit Grain LFSR with
the parameters, draws the round constants with rejection sampling and then the Cauchy MDS matrix.
circomlib ran it with field=1 (prime), sbox=0 (x^5), n=254, R_F=8 and the R_P below.
"""

from __future__ import annotations

from functools import cache

from circuits.field import FR, inv_mod

FULL_ROUNDS = 8
PARTIAL_ROUNDS = (56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68)  # t = 2..17
MAX_INPUTS = len(PARTIAL_ROUNDS)
FIELD_BITS = 254


class _Grain:
    """The self-shrinking Grain LFSR bit source of the Poseidon specification."""

    def __init__(self, t: int, partial_rounds: int) -> None:
        fields = [(1, 2), (0, 4), (FIELD_BITS, 12), (t, 12), (FULL_ROUNDS, 10), (partial_rounds, 10)]
        state: list[int] = []
        for value, width in fields:
            state += [(value >> (width - 1 - i)) & 1 for i in range(width)]
        self.state = state + [1] * 30
        for _ in range(160):
            self._step()

    def _step(self) -> int:
        s = self.state
        bit = s[62] ^ s[51] ^ s[38] ^ s[23] ^ s[13] ^ s[0]
        s.pop(0)
        s.append(bit)
        return bit

    def next_bit(self) -> int:
        while True:
            keep = self._step()
            bit = self._step()
            if keep:
                return bit

    def next_int(self, bits: int) -> int:
        value = 0
        for _ in range(bits):
            value = (value << 1) | self.next_bit()
        return value

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
