"""SHA-256 in-circuit against hashlib, at the padding and block boundaries."""

import hashlib
import random

import pytest

from circuits.cs import ConstraintSystem, compile_circuit, solve
from circuits.gadgets.sha256 import bits_to_bytes, bytes_to_bits, sha256_var
from circuits.r1cs import UnsatisfiedConstraint
from tests.gadgets.harness import evaluate, hint_values, n_constraints, run_cheating

RNG = random.Random(9)


def digest_circuit(n_bytes):
    return lambda cs: sha256_var(cs, cs.private_input("m", 8 * n_bytes))


def checked_circuit(n_bytes):
    """Message private, digest public: the statement the batch circuit makes."""

    def define(cs):
        digest = sha256_var(cs, cs.private_input("m", 8 * n_bytes))
        for got, want in zip(digest, cs.public_input("digest", 256), strict=True):
            cs.assert_equal(got, want)

    return define


def message(n):
    return bytes(RNG.randrange(256) for _ in range(n))


@pytest.mark.parametrize("n", [1, 55, 56, 63, 64, 65])
def test_matches_hashlib(n):
    m = message(n)
    assert bits_to_bytes(evaluate(digest_circuit(n), {"m": bytes_to_bits(m)})) == hashlib.sha256(m).digest()


def test_empty_message_is_a_constant():
    digest = sha256_var(ConstraintSystem(), [])
    assert bits_to_bytes([b.constant_value() for b in digest]) == hashlib.sha256(b"").digest()
    assert n_constraints(lambda cs: sha256_var(cs, [])) == 0


def test_cost_per_block_is_below_circomlib():
    assert n_constraints(digest_circuit(55)) < 29_400
    assert n_constraints(digest_circuit(119)) < 2 * 29_400


def test_r1cs_accepts_and_flipped_digest_bit_is_rejected():
    m = message(20)
    digest = bytes_to_bits(hashlib.sha256(m).digest())
    r1cs = compile_circuit(checked_circuit(20))
    r1cs.check(solve(checked_circuit(20), {"m": bytes_to_bits(m), "digest": digest}))
    flipped = list(digest)
    flipped[RNG.randrange(256)] ^= 1
    with pytest.raises(UnsatisfiedConstraint):
        solve(checked_circuit(20), {"m": bytes_to_bits(m), "digest": flipped})


def test_tampered_sum_bits_are_rejected():
    """The prover's only freedom is the bits of each sum mod 2^32; flipping any one fails."""
    m = bytes_to_bits(message(8))
    hints = hint_values(digest_circuit(8), {"m": m})
    for index in RNG.sample(range(len(hints)), 12):
        bit = RNG.randrange(len(hints[index]))

        def flip(i, values, index=index, bit=bit):
            return [v ^ (j == bit) for j, v in enumerate(values)] if i == index else None

        with pytest.raises(UnsatisfiedConstraint):
            run_cheating(digest_circuit(8), {"m": m}, flip)


def test_bit_helpers():
    assert bytes_to_bits(b"\x80\x01") == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert bits_to_bytes(bytes_to_bits(b"zk")) == b"zk"
    with pytest.raises(ValueError):
        bits_to_bytes([1, 0])
