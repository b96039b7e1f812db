"""Groth16 proof and verifying-key values, as affine integer points (None is the point at infinity).

G1 points are (x, y); G2 points are ((x.c0, x.c1), (y.c0, y.c1)) with Fq2 = Fq[u]/(u²+1), c0 + c1·u,
which is snarkjs's order inside its JSON (py_ecc's FQ2 takes the same (c0, c1) order).
"""

from __future__ import annotations

from dataclasses import dataclass

G1Point = tuple[int, int] | None
G2Point = tuple[tuple[int, int], tuple[int, int]] | None


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (A, B, C): 256 bytes on chain."""

    a: G1Point
    b: G2Point
    c: G1Point


@dataclass(frozen=True)
class VerifyingKey:
    """What the verifier needs: e(A,B) = e(α,β)·e(Σ pubᵢ·ICᵢ, γ)·e(C, δ)."""

    alpha1: G1Point
    beta2: G2Point
    gamma2: G2Point
    delta2: G2Point
    ic: tuple[G1Point, ...]

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1
