"""Batch EdDSA-Poseidon signing for clients and load tests: the signatures of
``circuits.gadgets.eddsa.sign`` (same keys, same deterministic nonces), with the curve
multiplications and Poseidon hashes compiled; natively one signature costs tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from circuits.field import FR
from circuits.gadgets.babyjub import SUBORDER, Point
from circuits.gadgets.blake512 import blake512
from circuits.gadgets.eddsa import Signature, expanded_key
from prover.bn254 import ints_to_limbs, limbs_to_ints
from prover.kernels.fields import fr_inv, fr_mul, load4, store4
from prover.kernels.threads import run_in_slices
from rollup.sigcheck.base_table import base8_table, fixed_base_mul
from rollup.sigcheck.edwards import from_mont
from rollup.sigcheck.jit import kernel
from rollup.sigcheck.poseidon import poseidon_many

SPLIT_MIN = 16


@kernel
def _base8_multiples(scalars, out, table, lo, hi):
    for i in range(lo, hi):
        p = fixed_base_mul(table, load4(scalars, i))
        z_inv = fr_inv(p[3])
        store4(out[i], 0, from_mont(fr_mul(p[0], z_inv)))
        store4(out[i], 1, from_mont(fr_mul(p[1], z_inv)))


def base8_multiples(scalars: Sequence[int]) -> list[Point]:
    """k·B8 for each scalar 0 ≤ k < 2^256, as affine points."""
    limbs = ints_to_limbs(list(scalars))
    out = np.empty((len(limbs), 2, 4), np.uint64)
    table = base8_table()
    run_in_slices(lambda lo, hi: _base8_multiples(limbs, out, table, lo, hi), len(limbs), SPLIT_MIN)
    coords = limbs_to_ints(out)
    return list(zip(coords[0::2], coords[1::2], strict=True))


def public_keys(private_keys: Sequence[bytes]) -> list[Point]:
    """``eddsa.public_key`` of each private key."""
    return base8_multiples([expanded_key(key)[0] >> 3 for key in private_keys])


def sign_many(private_keys: Sequence[bytes], messages: Sequence[int]) -> list[Signature]:
    """``eddsa.sign(private_keys[i], messages[i])`` for every i (messages are field elements)."""
    if len(private_keys) != len(messages):
        raise ValueError("need one private key per message")
    if any(not 0 <= m < FR for m in messages):
        raise ValueError("the messages must be field elements")
    distinct = list(dict.fromkeys(private_keys))
    expanded = {key: expanded_key(key) for key in distinct}
    keys_a = dict(zip(distinct, public_keys(distinct), strict=True))
    nonces = [
        int.from_bytes(blake512(expanded[key][1] + m.to_bytes(32, "little")), "little") % SUBORDER
        for key, m in zip(private_keys, messages, strict=True)
    ]
    r8s = base8_multiples(nonces)
    hash_inputs = [
        v for key, m, r8 in zip(private_keys, messages, r8s, strict=True) for v in (*r8, *keys_a[key], m)
    ]
    hashes = limbs_to_ints(poseidon_many(ints_to_limbs(hash_inputs).reshape(len(messages), 5, 4)))
    return [
        Signature(r8, (r + h * expanded[key][0]) % SUBORDER)
        for key, r8, r, h in zip(private_keys, r8s, nonces, hashes, strict=True)
    ]
