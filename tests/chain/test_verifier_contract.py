"""Groth16Verifier.sol against the Python verifier and snarkjs's exported Solidity verifier, on a real
snarkjs proof and on every tampering: all three must give the same answer, and only the valid proof
may pass."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import pytest

from tests.chain.points import double_g1, g2_outside_subgroup, neg_g1, neg_g2
from verifier.chain import Chain, reverts_decoded
from verifier.chain_errors import ContractRevert
from verifier.curve import FQ_MODULUS as Q
from verifier.curve import R_MODULUS as R
from verifier.groth16 import VerificationInputError, verify
from verifier.settlement import deploy_verifier, verify_onchain
from verifier.solidity_args import proof_args, verifying_key_args
from verifier.types import Proof

pytestmark = [pytest.mark.slow, pytest.mark.js]

PUBLIC = 0xC0FFEE
Case = Callable[[list[int], Proof], tuple[list[int], Proof]]


def _with(**changes) -> Callable[[Proof], Proof]:
    return lambda proof: dataclasses.replace(proof, **changes)


CASES: dict[str, Case] = {
    "valid": lambda pub, p: (pub, p),
    "other public input": lambda pub, p: ([pub[0] + 1], p),
    "public input + r": lambda pub, p: ([pub[0] + R], p),
    "public input = r": lambda pub, p: ([R], p),
    "public input = 2^256 - 1": lambda pub, p: ([2**256 - 1], p),
    "A negated": lambda pub, p: (pub, dataclasses.replace(p, a=neg_g1(p.a))),
    "A doubled": lambda pub, p: (pub, dataclasses.replace(p, a=double_g1(p.a))),
    "C doubled": lambda pub, p: (pub, dataclasses.replace(p, c=double_g1(p.c))),
    "B negated": lambda pub, p: (pub, dataclasses.replace(p, b=neg_g2(p.b))),
    "A and C swapped": lambda pub, p: (pub, dataclasses.replace(p, a=p.c, c=p.a)),
    "B coefficients swapped": lambda pub, p: (
        pub,
        dataclasses.replace(p, b=((p.b[0][1], p.b[0][0]), (p.b[1][1], p.b[1][0]))),
    ),
    "A.x + q": lambda pub, p: (pub, dataclasses.replace(p, a=(p.a[0] + Q, p.a[1]))),
    "A.y + q": lambda pub, p: (pub, dataclasses.replace(p, a=(p.a[0], p.a[1] + Q))),
    "C.x + q": lambda pub, p: (pub, dataclasses.replace(p, c=(p.c[0] + Q, p.c[1]))),
    "B.x.c0 + q": lambda pub, p: (pub, dataclasses.replace(p, b=((p.b[0][0] + Q, p.b[0][1]), p.b[1]))),
    "B.y.c1 + q": lambda pub, p: (pub, dataclasses.replace(p, b=(p.b[0], (p.b[1][0], p.b[1][1] + Q)))),
    "A off the curve": lambda pub, p: (pub, dataclasses.replace(p, a=(p.a[0], (p.a[1] + 1) % Q))),
    "C off the curve": lambda pub, p: (pub, dataclasses.replace(p, c=((p.c[0] + 1) % Q, p.c[1]))),
    "B off the twist": lambda pub, p: (
        pub,
        dataclasses.replace(p, b=(p.b[0], ((p.b[1][0] + 1) % Q, p.b[1][1]))),
    ),
    "B outside the G2 subgroup": lambda pub, p: (pub, dataclasses.replace(p, b=g2_outside_subgroup())),
    "A at infinity": lambda pub, p: (pub, dataclasses.replace(p, a=None)),
    "B at infinity": lambda pub, p: (pub, dataclasses.replace(p, b=None)),
    "C at infinity": lambda pub, p: (pub, dataclasses.replace(p, c=None)),
}


@functools.cache
def _python_verdict(case: str, snark) -> bool:
    """The Python verifier's answer (computed once, shared by both chains); malformed input is False."""
    public, proof = CASES[case]([PUBLIC], snark.prove(PUBLIC))
    try:
        return verify(snark.vk, public, proof)
    except VerificationInputError:
        return False


@pytest.fixture(scope="module")
def verifiers(chain: Chain, snark, snarkjs_verifier_artifact):
    ours = deploy_verifier(chain, snark.vk)
    theirs = chain.deploy_artifact(snarkjs_verifier_artifact)
    return ours, theirs


def _accepts(chain, verifier, public, proof) -> bool:
    """verifyProof's answer, a revert counting as refusal (ours reverts when a precompile fails)."""
    try:
        return verify_onchain(chain, verifier, public, proof)
    except ContractRevert:
        return False


@pytest.mark.parametrize("case", list(CASES))
def test_agrees_with_python_and_snarkjs_verifiers(case, chain, snark, verifiers):
    ours, theirs = verifiers
    public, proof = CASES[case]([PUBLIC], snark.prove(PUBLIC))
    expected = case == "valid"
    assert _python_verdict(case, snark) is expected
    assert _accepts(chain, ours, public, proof) is expected
    assert _accepts(chain, theirs, public, proof) is expected


@pytest.mark.parametrize("case", ["B off the twist", "B outside the G2 subgroup"])
def test_reverts_when_the_pairing_precompile_rejects_b(case, chain, snark, verifiers):
    public, proof = CASES[case]([PUBLIC], snark.prove(PUBLIC))
    with pytest.raises(ContractRevert) as info:
        verify_onchain(chain, verifiers[0], public, proof)
    assert info.value.name == "PrecompileFailed"


def test_too_little_gas_reverts_instead_of_answering_false(chain, snark, verifiers):
    """Otherwise gas estimation would settle on a limit at which every proof is refused."""
    call = verifiers[0].functions.verifyProof(*proof_args(snark.prove(PUBLIC)), [PUBLIC])
    assert chain.call(call) is True
    with pytest.raises(ContractRevert), reverts_decoded():
        call.call({"gas": 80_000})


def test_accepts_proofs_of_edge_public_inputs(chain, snark, verifiers):
    ours, theirs = verifiers
    for public in (0, R - 1):
        proof = snark.prove(public)
        assert verify_onchain(chain, ours, [public], proof)
        assert verify_onchain(chain, theirs, [public], proof)
        assert not verify_onchain(chain, ours, [(public + 1) % R], proof)


def test_returns_the_key_it_was_given(chain, snark, verifiers):
    ours, _ = verifiers
    assert chain.call(ours.functions.verifyingKey()) == list(verifying_key_args(snark.vk))


@pytest.mark.parametrize(
    "damage",
    [
        lambda vk: dataclasses.replace(vk, alpha1=(vk.alpha1[0], vk.alpha1[1] + 1)),
        lambda vk: dataclasses.replace(vk, ic=(vk.ic[0], (vk.ic[1][0] + Q, vk.ic[1][1]))),
        lambda vk: dataclasses.replace(vk, ic=(vk.ic[0], None)),
        lambda vk: dataclasses.replace(vk, delta2=None),
        lambda vk: dataclasses.replace(vk, gamma2=g2_outside_subgroup()),
        lambda vk: dataclasses.replace(vk, beta2=(vk.beta2[0], (vk.beta2[1][0], vk.beta2[1][1] + 1))),
    ],
    ids=[
        "alpha off curve",
        "IC1.x + q",
        "IC1 at infinity",
        "delta at infinity",
        "gamma outside subgroup",
        "beta off twist",
    ],
)
def test_refuses_invalid_verifying_keys(chain, snark, damage):
    with pytest.raises(ContractRevert) as info:
        deploy_verifier(chain, damage(snark.vk))
    assert info.value.name == "InvalidVerifyingKey"
