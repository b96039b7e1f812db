"""EdDSA-Poseidon on Baby Jubjub as circomlibjs does it (``prv2pub``, ``signPoseidon``,
``verifyPoseidon``): native key derivation, signing and verification for clients.

Key: h = BLAKE-512(private key); s = the first 32 bytes pruned, little-endian; A = (s >> 3)·B8.
Signature on a field element m: r = BLAKE-512(h[32:64] ‖ m as 32 bytes LE) mod L, R8 = r·B8,
S = (r + Poseidon(R8.x, R8.y, A.x, A.y, m)·s) mod L. Verify: S < L and S·B8 = R8 + 8·hash·A.
"""

from __future__ import annotations

from dataclasses import dataclass

from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, SUBORDER, Point
from circuits.gadgets.blake512 import blake512
from circuits.gadgets.poseidon import poseidon

PRIVATE_KEY_BYTES = 32


@dataclass(frozen=True)
class Signature:
    R8: Point
    S: int

    def pack(self) -> bytes:
        """circomlibjs's ``packSignature``: packed R8 ‖ S little-endian (64 bytes)."""
        return babyjub.pack(self.R8) + self.S.to_bytes(32, "little")

    @classmethod
    def unpack(cls, data: bytes) -> Signature:
        if len(data) != 64:
            raise ValueError(f"a packed signature has 64 bytes, got {len(data)}")
        r8 = babyjub.unpack(data[:32])
        if r8 is None:
            raise ValueError("the packed R8 is not a curve point")
        return cls(r8, int.from_bytes(data[32:], "little"))


def expanded_key(private_key: bytes) -> tuple[int, bytes]:
    """circomlibjs's key expansion: the secret scalar (clamped, from BLAKE-512) and the nonce prefix."""
    if len(private_key) != PRIVATE_KEY_BYTES:
        raise ValueError(f"a private key has {PRIVATE_KEY_BYTES} bytes, got {len(private_key)}")
    digest = bytearray(blake512(private_key))
    digest[0] &= 0xF8
    digest[31] = (digest[31] & 0x7F) | 0x40
    return int.from_bytes(digest[:32], "little"), bytes(digest[32:])


def public_key(private_key: bytes) -> Point:
    """circomlibjs's ``prv2pub``."""
    s, _ = expanded_key(private_key)
    return babyjub.mul(BASE8, s >> 3)


def message_hash(r8: Point, a: Point, message: int) -> int:
    return poseidon([r8[0], r8[1], a[0], a[1], message])


def sign(private_key: bytes, message: int) -> Signature:
    """circomlibjs's ``signPoseidon`` on a field element."""
    if not 0 <= message < FR:
        raise ValueError("the message must be a field element")
    s, prefix = expanded_key(private_key)
    a = babyjub.mul(BASE8, s >> 3)
    r = int.from_bytes(blake512(prefix + message.to_bytes(32, "little")), "little") % SUBORDER
    r8 = babyjub.mul(BASE8, r)
    return Signature(r8, (r + message_hash(r8, a, message) * s) % SUBORDER)


def verify(message: int, signature: Signature, a: Point) -> bool:
    """circomlibjs's ``verifyPoseidon``: S < L, R8 and A on the curve, S·B8 = R8 + (8·hash)·A."""
    if not (babyjub.on_curve(signature.R8) and babyjub.on_curve(a) and 0 <= signature.S < SUBORDER):
        return False
    left = babyjub.mul(BASE8, signature.S)
    right = babyjub.add(signature.R8, babyjub.mul(a, 8 * message_hash(signature.R8, a, message % FR)))
    return left == right
