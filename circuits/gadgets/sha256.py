"""SHA-256 in-circuit on bit arrays (FIPS 180-4), for the batch's pubdata commitment; the native
reference is :mod:`hashlib`.

Bits are in message order (each byte most significant bit first) and must already be constrained
to {0, 1} by the caller (they usually come from decompositions). Padding is added as constants, so
the message length is fixed when the circuit is built. Cost: about 26k constraints per block:
XOR of three bits 2, Ch 1, Maj 2 per bit; each sum mod 2^32 is one decomposition of the full sum.
"""

from __future__ import annotations

from collections.abc import Sequence

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.gadgets.bits import from_bits, to_bits
from circuits.gadgets.boolean import xor

Word = list[LinearCombination]  # 32 bits, least significant first

_K = (
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
)  # fmt: skip
_IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)


def bytes_to_bits(data: bytes) -> list[int]:
    """Message-order bits: each byte most significant bit first."""
    return [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]


def bits_to_bytes(bits: Sequence[int]) -> bytes:
    if len(bits) % 8:
        raise ValueError("a whole number of bytes is needed")
    return bytes(sum(bits[i + j] << (7 - j) for j in range(8)) for i in range(0, len(bits), 8))


def _xor3(cs: ConstraintSystem, a: Word, b: Word, c: Word) -> Word:
    return [xor(cs, xor(cs, x, y), z) for x, y, z in zip(a, b, c, strict=True)]


def _maj(
    cs: ConstraintSystem, a: LinearCombination, b: LinearCombination, c: LinearCombination
) -> LinearCombination:
    """Majority as b·c + a·(b ⊕ c): two products."""
    bc = cs.mul(b, c)
    return bc + cs.mul(a, b + c - bc.scale(2))


def _rotr(x: Word, n: int) -> Word:
    return [x[(i + n) % 32] for i in range(32)]


def _shr(cs: ConstraintSystem, x: Word, n: int) -> Word:
    return [x[i + n] if i + n < 32 else cs.constant(0) for i in range(32)]


def _constant_word(cs: ConstraintSystem, value: int) -> Word:
    return [cs.constant((value >> i) & 1) for i in range(32)]


def _add(cs: ConstraintSystem, words: Sequence[Word], constant: int = 0) -> Word:
    """Σ words + constant mod 2^32: the whole sum is decomposed once, its low 32 bits kept."""
    total = sum((from_bits(cs, w) for w in words), cs.constant(constant))
    bound = len(words) * (2**32 - 1) + constant
    return to_bits(cs, total, bound.bit_length())[:32]


def _compress(cs: ConstraintSystem, state: list[Word], block: Sequence[LinearCombination]) -> list[Word]:
    w: list[Word] = [list(reversed(block[32 * t : 32 * t + 32])) for t in range(16)]
    for t in range(16, 64):
        s0 = _xor3(cs, _rotr(w[t - 15], 7), _rotr(w[t - 15], 18), _shr(cs, w[t - 15], 3))
        s1 = _xor3(cs, _rotr(w[t - 2], 17), _rotr(w[t - 2], 19), _shr(cs, w[t - 2], 10))
        w.append(_add(cs, [s1, w[t - 7], s0, w[t - 16]]))
    a, b, c, d, e, f, g, h = state
    for t in range(64):
        big_s1 = _xor3(cs, _rotr(e, 6), _rotr(e, 11), _rotr(e, 25))
        ch = [gi + cs.mul(ei, fi - gi) for ei, fi, gi in zip(e, f, g, strict=True)]
        big_s0 = _xor3(cs, _rotr(a, 2), _rotr(a, 13), _rotr(a, 22))
        maj = [_maj(cs, ai, bi, ci) for ai, bi, ci in zip(a, b, c, strict=True)]
        t1 = [h, big_s1, ch, w[t]]
        a, b, c, d, e, f, g, h = (
            _add(cs, [*t1, big_s0, maj], _K[t]),
            a,
            b,
            c,
            _add(cs, [d, *t1], _K[t]),
            e,
            f,
            g,
        )
    return [_add(cs, [old, new]) for old, new in zip(state, (a, b, c, d, e, f, g, h), strict=True)]


def sha256_var(cs: ConstraintSystem, bits: Sequence[Operand]) -> list[LinearCombination]:
    """The 256 digest bits (message order) of a message given as constrained bits."""
    n = len(bits)
    padded = [cs.lc(b) for b in bits] + [cs.constant(1)]
    padded += [cs.constant(0)] * ((448 - len(padded)) % 512)
    padded += [cs.constant(bit) for bit in bytes_to_bits(n.to_bytes(8, "big"))]
    state = [_constant_word(cs, v) for v in _IV]
    for offset in range(0, len(padded), 512):
        state = _compress(cs, state, padded[offset : offset + 512])
    return [bit for word in state for bit in reversed(word)]
