"""EdDSA-Poseidon: keys and signatures against circomlibjs, and the in-circuit verifier against
forgeries (wrong message, tampered R8, S + L, wrong key, aliased hash bits)."""

import random
import subprocess

import pytest

from circuits.cs import compile_circuit, solve
from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, SUBORDER
from circuits.gadgets.eddsa import Signature, message_hash, public_key, sign, verify
from circuits.gadgets.eddsa_var import eddsa_verify_var
from circuits.r1cs import UnsatisfiedConstraint, write_r1cs
from circuits.wtns import write_wtns
from tests.gadgets.circomlibjs import ROOT, ask, available
from tests.gadgets.harness import evaluate, hint_values, run_cheating

RNG = random.Random(3)
KEYS = [bytes(RNG.randrange(256) for _ in range(32)) for _ in range(3)]
MESSAGES = [RNG.randrange(FR) for _ in KEYS]


def verifier(conditional=False):
    def define(cs):
        a, r8 = cs.public_input("A", 2), cs.private_input("R8", 2)
        when = cs.private_input("enabled") if conditional else None
        eddsa_verify_var(cs, cs.public_input("M"), a, r8, cs.private_input("S"), when=when)

    return define


def assignment(message, sig, a, **extra):
    return {"M": message, "A": list(a), "R8": list(sig.R8), "S": sig.S, **extra}


@pytest.fixture(scope="module")
def reference():
    requests = [{"op": "prv2pub", "prv": k.hex()} for k in KEYS]
    requests += [{"op": "sign", "prv": k.hex(), "msg": m} for k, m in zip(KEYS, MESSAGES, strict=True)]
    return ask(requests)


@pytest.fixture(scope="module")
def signed():
    """(message, signature, public key) made natively with the first key."""
    key = KEYS[0]
    return MESSAGES[0], sign(key, MESSAGES[0]), public_key(key)


@pytest.mark.js
def test_keys_and_signatures_match_circomlibjs(reference):
    pubs, sigs = reference[: len(KEYS)], reference[len(KEYS) :]
    for key, message, pub, sig in zip(KEYS, MESSAGES, pubs, sigs, strict=True):
        a = public_key(key)
        assert a == tuple(int(c) for c in pub)
        theirs = Signature(tuple(int(c) for c in sig["R8"]), int(sig["S"]))
        assert sign(key, message) == theirs  # deterministic: the same nonce derivation
        assert verify(message, theirs, a)
        assert Signature.unpack(theirs.pack()) == theirs


@pytest.mark.js
def test_circomlibjs_accepts_ours_and_rejects_forgeries():
    key = bytes(range(32))
    a = public_key(key)
    sig = sign(key, 42)
    forged = [
        (43, sig),
        (42, Signature(babyjub.add(sig.R8, BASE8), sig.S)),
        (42, Signature(sig.R8, (sig.S + 1) % SUBORDER)),
    ]
    answers = ask([{"op": "verify", "msg": m, "R8": s.R8, "S": s.S, "A": a} for m, s in [(42, sig), *forged]])
    assert answers == [True, False, False, False]
    assert [verify(m, s, a) for m, s in [(42, sig), *forged]] == answers


def test_native_rejects_s_plus_l_and_bad_points(signed):
    message, sig, a = signed
    assert verify(message, sig, a)
    assert not verify(message, Signature(sig.R8, sig.S + SUBORDER), a)  # same point, S ≥ L
    assert babyjub.mul(BASE8, sig.S + SUBORDER) == babyjub.mul(BASE8, sig.S)
    assert not verify(message, Signature((1, 2), sig.S), a)
    with pytest.raises(ValueError):
        sign(b"short", 1)


@pytest.mark.js
def test_circomlibjs_signatures_verify_in_circuit(reference):
    pubs, sigs = reference[: len(KEYS)], reference[len(KEYS) :]
    for message, pub, sig in list(zip(MESSAGES, pubs, sigs, strict=True))[:2]:
        a = tuple(int(c) for c in pub)
        theirs = Signature(tuple(int(c) for c in sig["R8"]), int(sig["S"]))
        evaluate(verifier(), assignment(message, theirs, a))


def test_compiled_verifier_accepts_the_witness(signed, tmp_path):
    """Our R1CS check and snarkjs's both accept the witness of the compiled verifier."""
    message, sig, a = signed
    r1cs = compile_circuit(verifier())
    assert r1cs.n_constraints <= 4217  # circomlib's EdDSAPoseidonVerifier
    witness = solve(verifier(), assignment(message, sig, a))
    r1cs.check(witness)
    if not available():
        return
    write_r1cs(r1cs, tmp_path / "eddsa.r1cs")
    write_wtns(witness, tmp_path / "eddsa.wtns")
    files = [str(tmp_path / "eddsa.r1cs"), str(tmp_path / "eddsa.wtns")]
    done = subprocess.run(
        ["npx", "snarkjs", "wtns", "check", *files], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "WITNESS IS CORRECT" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda m, s, a: (m + 1, s, a), id="wrong-message"),
        pytest.param(lambda m, s, a: (m, Signature(babyjub.add(s.R8, BASE8), s.S), a), id="tampered-R8"),
        pytest.param(lambda m, s, a: (m, Signature((s.R8[0], s.R8[1] + 1), s.S), a), id="R8-off-curve"),
        pytest.param(lambda m, s, a: (m, Signature(s.R8, s.S + SUBORDER), a), id="S-plus-L"),
        pytest.param(lambda m, s, a: (m, Signature(s.R8, (s.S + 1) % SUBORDER), a), id="wrong-S"),
        pytest.param(lambda m, s, a: (m, s, babyjub.add(a, BASE8)), id="wrong-key"),
        pytest.param(lambda m, s, a: (m, s, babyjub.IDENTITY), id="identity-key"),
        pytest.param(lambda m, s, a: (m, s, (a[0], a[1] + 1)), id="key-off-curve"),
    ],
)
def test_forgeries_are_rejected(signed, forge):
    message, sig, a = forge(*signed)
    assert not verify(message, sig, a)
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(verifier(), assignment(message, sig, a))


def test_aliased_hash_bits_are_rejected():
    """A cheating prover splitting the hash h into the bits of h + r (a different scalar, when
    below 2^254) passes booleanity and recomposition but fails the alias check."""
    key = KEYS[1]
    message = next(m for m in range(100) if message_hash_of(key, m) + FR < 2**254)
    sig, a = sign(key, message), public_key(key)
    v = assignment(message, sig, a)
    alias = message_hash_of(key, message) + FR
    forged = [(alias >> i) & 1 for i in range(253)]
    hints = hint_values(verifier(), v)
    digest_hint = next(i for i, h in enumerate(hints) if len(h) == 253)  # after S's 250 lower bits
    with pytest.raises(UnsatisfiedConstraint, match="bits <"):
        run_cheating(verifier(), v, lambda i, values: forged if i == digest_hint else None)


def message_hash_of(key, message):
    sig = sign(key, message)
    return message_hash(sig.R8, public_key(key), message)


def test_enabled_flag(signed):
    message, sig, a = signed
    evaluate(verifier(conditional=True), assignment(message, sig, a, enabled=1))
    evaluate(verifier(conditional=True), assignment(message + 1, sig, a, enabled=0))
    evaluate(verifier(conditional=True), {"M": 0, "A": [0, 0], "R8": [0, 0], "S": FR - 1, "enabled": 0})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(verifier(conditional=True), assignment(message + 1, sig, a, enabled=1))
