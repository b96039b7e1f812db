"""Groth16 verification over BN254 with py_ecc: one product of four pairings, one final exponentiation."""

from __future__ import annotations

from py_ecc import optimized_bn128 as ob

from verifier.curve import R_MODULUS, check_g1, check_g2, to_g1, to_g2
from verifier.types import Proof, VerifyingKey


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


def public_input_point(vk: VerifyingKey, public: list[int]) -> tuple[ob.FQ, ob.FQ, ob.FQ]:
    """IC₀ + Σ publicᵢ·ICᵢ₊₁."""
    acc = to_g1(vk.ic[0])
    for value, base in zip(public, vk.ic[1:], strict=True):
        if value:
            acc = ob.add(acc, ob.multiply(to_g1(base), value))
    return acc


def verify(vk: VerifyingKey, public: list[int], proof: Proof) -> bool:
    """True iff e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ).

    Raises VerificationInputError for malformed inputs rather than answering False, so callers can
    tell "invalid proof" (exit 1) from "bad input" (exit 2).
    """
    _checked(vk, public, proof)
    vk_x = public_input_point(vk, public)
    pairs = [
        (to_g2(proof.b), ob.neg(to_g1(proof.a))),
        (to_g2(vk.beta2), to_g1(vk.alpha1)),
        (to_g2(vk.gamma2), vk_x),
        (to_g2(vk.delta2), to_g1(proof.c)),
    ]
    acc = ob.FQ12.one()
    for q, p in pairs:
        if ob.is_inf(q) or ob.is_inf(p):
            continue  # e(O, ·) = e(·, O) = 1
        acc = acc * ob.pairing(q, p, final_exponentiate=False)
    return ob.final_exponentiate(acc) == ob.FQ12.one()
