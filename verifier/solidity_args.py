"""Proofs and verifying keys as the Solidity verifier's arguments (EIP-197 order: G2 coordinates as
[c1, c0]; the point at infinity as zeros)."""

from __future__ import annotations

from verifier.types import G1Point, G2Point, Proof, VerifyingKey

G1Words = list[int]
G2Words = list[list[int]]


def g1_words(p: G1Point) -> G1Words:
    return [0, 0] if p is None else [p[0], p[1]]


def g2_words(p: G2Point) -> G2Words:
    if p is None:
        return [[0, 0], [0, 0]]
    (x0, x1), (y0, y1) = p
    return [[x1, x0], [y1, y0]]


def proof_args(proof: Proof) -> tuple[G1Words, G2Words, G1Words]:
    """(a, b, c) for ``verifyProof(a, b, c, pubSignals)`` and ``submitBatch(..., a, b, c)``."""
    return g1_words(proof.a), g2_words(proof.b), g1_words(proof.c)


def verifying_key_args(vk: VerifyingKey) -> tuple[G1Words, G2Words, G2Words, G2Words, list[G1Words]]:
    """Constructor arguments of Groth16Verifier.sol, which takes keys with one public input."""
    if vk.n_public != 1:
        raise ValueError(f"the on-chain verifier takes one public input; this key has {vk.n_public}")
    return (
        g1_words(vk.alpha1),
        g2_words(vk.beta2),
        g2_words(vk.gamma2),
        g2_words(vk.delta2),
        [g1_words(p) for p in vk.ic],
    )
