"""Signatures made by circomlibjs pass the batch verifier, and its verdicts on forgeries are ours."""

import random

import pytest

from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, SUBORDER
from circuits.gadgets.eddsa import Signature
from rollup.sigcheck.verify import verify_many
from tests.gadgets.circomlibjs import ask

pytestmark = pytest.mark.js


@pytest.fixture(scope="module")
def theirs():
    """(message, public key, signature) from circomlibjs's prv2pub and signPoseidon."""
    rng = random.Random(21)
    keys = [bytes(rng.randrange(256) for _ in range(32)) for _ in range(20)]
    messages = [rng.randrange(FR) for _ in keys]
    answers = ask(
        [{"op": "prv2pub", "prv": k.hex()} for k in keys]
        + [{"op": "sign", "prv": k.hex(), "msg": m} for k, m in zip(keys, messages, strict=True)]
    )
    pubs, sigs = answers[: len(keys)], answers[len(keys) :]
    return [
        (m, tuple(int(c) for c in pub), Signature(tuple(int(c) for c in sig["R8"]), int(sig["S"])))
        for m, pub, sig in zip(messages, pubs, sigs, strict=True)
    ]


def test_circomlibjs_signatures_pass(theirs):
    assert verify_many(*zip(*theirs, strict=True)).all()


def test_circomlibjs_verdicts_on_forgeries_are_ours(theirs):
    cases = []
    for k, (m, a, s) in enumerate(theirs[:6]):
        cases += [
            (m + 1, a, s),
            (m, babyjub.add(a, BASE8), s),
            (m, a, Signature(babyjub.add(s.R8, BASE8), s.S)),
            (m, a, Signature(s.R8, s.S + SUBORDER)),
            (m, a, Signature(s.R8, (s.S + k + 1) % SUBORDER)),
            (m, a, s),
        ]
    verdicts = ask([{"op": "verify", "msg": m, "R8": s.R8, "S": s.S, "A": a} for m, a, s in cases])
    assert verify_many(*zip(*cases, strict=True)).tolist() == verdicts
    assert verdicts == [False] * 5 + [True] + verdicts[6:]
