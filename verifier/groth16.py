"""Groth16 verification over BN254: one product of four pairings (one shared Miller loop, one final
exponentiation) in :mod:`verifier.pairing`, after range, curve and subgroup checks of every input."""

from __future__ import annotations

from verifier.curve import FQ_MODULUS, R_MODULUS, check_g1, check_g2
from verifier.pairing import g1_add, g1_multiply, pairing_product_is_one
from verifier.types import G1Point, Proof, VerifyingKey


class VerificationInputError(ValueError):
    """The inputs are malformed (wrong count, value not below r, point off the curve)."""


def _checked(vk: VerifyingKey, public: list[int], proof: Proof) -> None:
    if len(public) != vk.n_public:
        raise VerificationInputError(f"{len(public)} public inputs given, the key takes {vk.n_public}")
    for i, value in enumerate(public):
        if not 0 <= value < R_MODULUS:
            raise VerificationInputError(f"public input {i} is not below the group order r")
    try:
        for g1 in (proof.a, proof.c, vk.alpha1, *vk.ic):
            check_g1(g1)
        for g2 in (proof.b, vk.beta2, vk.gamma2, vk.delta2):
            check_g2(g2)
    except ValueError as exc:
        raise VerificationInputError(str(exc)) from exc


def public_input_point(vk: VerifyingKey, public: list[int]) -> G1Point:
    """IC₀ + Σ publicᵢ·ICᵢ₊₁ (affine; None at infinity)."""
    acc = vk.ic[0]
    for value, base in zip(public, vk.ic[1:], strict=True):
        if value:
            acc = g1_add(acc, g1_multiply(base, value))
    return acc


def _neg(p: G1Point) -> G1Point:
    return None if p is None else (p[0], -p[1] % FQ_MODULUS)


def verify(vk: VerifyingKey, public: list[int], proof: Proof) -> bool:
    """True iff e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ), checked as e(−A, B)·e(α, β)·e(vk_x, γ)·e(C, δ) = 1.

    Raises VerificationInputError for malformed inputs rather than answering False, so callers can
    tell "invalid proof" (exit 1) from "bad input" (exit 2).
    """
    _checked(vk, public, proof)
    pairs = [
        (_neg(proof.a), proof.b),
        (vk.alpha1, vk.beta2),
        (public_input_point(vk, public), vk.gamma2),
        (proof.c, vk.delta2),
    ]
    return pairing_product_is_one(pairs)
