"""Keys, messages and signatures shared by the signature-check tests (signed by the compiled
signer, which test_sign.py checks against the native one)."""

from __future__ import annotations

import random
from typing import NamedTuple

import pytest

from circuits.field import FR
from circuits.gadgets.babyjub import Point
from circuits.gadgets.eddsa import Signature
from rollup.sigcheck.sign import public_keys, sign_many


class Signed(NamedTuple):
    messages: list[int]
    keys: list[Point]
    signatures: list[Signature]


@pytest.fixture(scope="session")
def private_keys() -> list[bytes]:
    rng = random.Random(11)
    return [bytes(rng.randrange(256) for _ in range(32)) for _ in range(6)]


@pytest.fixture(scope="session")
def signed(private_keys) -> Signed:
    """40 valid signatures (more than one thread's slice) on random messages, keys in rotation."""
    rng = random.Random(12)
    signers = [private_keys[i % len(private_keys)] for i in range(40)]
    messages = [rng.randrange(FR) for _ in signers]
    keys = dict(zip(private_keys, public_keys(private_keys), strict=True))
    return Signed(messages, [keys[k] for k in signers], sign_many(signers, messages))
