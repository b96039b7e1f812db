"""The compiled signer makes exactly the native signer's keys and signatures."""

import pytest

from circuits.gadgets import babyjub, eddsa
from circuits.gadgets.babyjub import BASE8, SUBORDER
from rollup.sigcheck.sign import base8_multiples, public_keys, sign_many


def test_keys_and_signatures_equal_native(private_keys):
    keys = private_keys[:3]
    messages = [0, 12345, 2**253 + 7]
    assert public_keys(keys) == [eddsa.public_key(k) for k in keys]
    assert sign_many(keys, messages) == [eddsa.sign(k, m) for k, m in zip(keys, messages, strict=True)]


def test_base8_multiples_at_the_edges():
    scalars = [0, 1, 2, SUBORDER - 1, SUBORDER, 2**256 - 1]
    expected = [babyjub.mul(BASE8, k) for k in scalars]
    assert base8_multiples(scalars) == expected
    assert expected[0] == expected[4] == babyjub.IDENTITY


def test_bad_input(private_keys):
    with pytest.raises(ValueError, match="field elements"):
        sign_many(private_keys[:1], [-1])
    with pytest.raises(ValueError, match="one private key per message"):
        sign_many(private_keys[:2], [1])
