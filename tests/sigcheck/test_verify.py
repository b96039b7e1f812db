"""The batch verifier against the native verifier (and, for small-order keys, the in-circuit one)
on valid signatures and on every kind of forgery, alone and mixed in one batch."""

from functools import cache

import pytest

from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, GENERATOR, SUBORDER
from circuits.gadgets.eddsa import Signature, verify
from circuits.r1cs import UnsatisfiedConstraint
from rollup.sigcheck.verify import verify_many
from tests.gadgets.harness import evaluate
from tests.gadgets.test_eddsa import assignment, verifier


@cache
def torsion() -> list[babyjub.Point]:
    """The eight points of order dividing 8 (T = L·G has order 8)."""
    t = babyjub.mul(GENERATOR, SUBORDER)
    return [babyjub.mul(t, k) for k in range(8)]


def both(messages, keys, signatures) -> tuple[list[bool], list[bool]]:
    ours = verify_many(messages, keys, signatures).tolist()
    native = [verify(m, s, a) for m, a, s in zip(messages, keys, signatures, strict=True)]
    return ours, native


def test_valid_signatures_pass(signed):
    ours, native = both(*signed)
    assert ours == native == [True] * len(signed.messages)


FORGERIES = {
    "wrong-message": lambda m, a, s: (m + 1, a, s),
    "message-plus-r": lambda m, a, s: (m + FR, a, s),  # the same field element: still valid
    "wrong-key": lambda m, a, s: (m, babyjub.add(a, BASE8), s),
    "tampered-R8": lambda m, a, s: (m, a, Signature(babyjub.add(s.R8, BASE8), s.S)),
    "R8-plus-torsion": lambda m, a, s: (m, a, Signature(babyjub.add(s.R8, torsion()[4]), s.S)),
    "R8-off-curve": lambda m, a, s: (m, a, Signature((s.R8[0], s.R8[1] + 1), s.S)),
    "R8-x-plus-r": lambda m, a, s: (m, a, Signature((s.R8[0] + FR, s.R8[1]), s.S)),
    "S-plus-L": lambda m, a, s: (m, a, Signature(s.R8, s.S + SUBORDER)),
    "S-equal-L": lambda m, a, s: (m, a, Signature(s.R8, SUBORDER)),
    "wrong-S": lambda m, a, s: (m, a, Signature(s.R8, (s.S + 1) % SUBORDER)),
    "S-too-wide": lambda m, a, s: (m, a, Signature(s.R8, s.S + 2**256)),
    "S-negative": lambda m, a, s: (m, a, Signature(s.R8, s.S - SUBORDER)),
    "key-off-curve": lambda m, a, s: (m, (a[0], a[1] + 1), s),
    "key-y-plus-r": lambda m, a, s: (m, (a[0], a[1] + FR), s),
    "key-plus-torsion": lambda m, a, s: (m, babyjub.add(a, torsion()[1]), s),  # 8·A same, the hash not
    "identity-key": lambda m, a, s: (m, babyjub.IDENTITY, s),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_agrees_with_native(signed, name):
    cases = [FORGERIES[name](m, a, s) for m, a, s in zip(*signed, strict=True)][:4]
    ours, native = both(*zip(*cases, strict=True))
    assert ours == native
    assert all(ours) == (name == "message-plus-r")


def small_order_forgery(t: babyjub.Point, message: int) -> tuple[int, babyjub.Point, Signature]:
    """With a small-order key 8·h·A vanishes, so R8 = S·B8 'signs' anything."""
    s = 123456789 + message % 1000
    return message, t, Signature(babyjub.mul(BASE8, s), s)


def test_small_order_keys_are_refused_as_the_circuit_does():
    cases = [small_order_forgery(t, 1000 + k) for k, t in enumerate(torsion())]
    ours, native = both(*zip(*cases, strict=True))
    assert native == [True] * 8  # circomlibjs's verifyPoseidon accepts these
    assert ours == [False] * 8
    message, key, sig = cases[1]
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(verifier(), assignment(message, sig, key))


def test_a_mixed_batch_keeps_each_answer_in_place(signed):
    cases = list(zip(*signed, strict=True))
    for k, name in enumerate(FORGERIES):
        cases.insert(3 * k, FORGERIES[name](*cases[3 * k]))
    cases.insert(7, small_order_forgery(torsion()[3], 5))
    expected = [verify(m, s, a) for m, a, s in cases]
    expected[7] = False
    assert verify_many(*zip(*cases, strict=True)).tolist() == expected


def test_empty_and_mismatched_batches(signed):
    assert verify_many([], [], []).tolist() == []
    with pytest.raises(ValueError, match="as many"):
        verify_many(signed.messages[:2], signed.keys[:1], signed.signatures[:2])


def test_long_batches_go_in_chunks(signed, monkeypatch):
    cases = list(zip(*signed, strict=True))
    cases[9] = FORGERIES["wrong-message"](*cases[9])
    whole = verify_many(*zip(*cases, strict=True)).tolist()
    monkeypatch.setattr("rollup.sigcheck.verify.CHUNK", 7)
    assert verify_many(*zip(*cases, strict=True)).tolist() == whole == [i != 9 for i in range(len(cases))]
