"""The batch commitment, the proof's single public input, as the rollup contract computes it."""

from __future__ import annotations

import hashlib

COMMITMENT_BITS = 253
ROOT_BYTES = 32


def batch_commitment(old_root: int, new_root: int, pubdata: bytes) -> int:
    """sha256(old_root ‖ new_root ‖ pubdata), roots as 32-byte big-endian, read as a big-endian
    uint256 and reduced to its low 253 bits (top 3 bits cleared), so it is below r."""
    digest = hashlib.sha256(
        old_root.to_bytes(ROOT_BYTES, "big") + new_root.to_bytes(ROOT_BYTES, "big") + pubdata
    ).digest()
    return int.from_bytes(digest, "big") & ((1 << COMMITMENT_BITS) - 1)
