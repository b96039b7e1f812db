"""Groth16 proving from a snarkjs-layout proving key, with the checks that keep bad proofs in.

The QAP evaluations A·w and B·w come from the key's coefficient list (as snarkjs's prover does);
C·w on the domain equals their product whenever the witness satisfies the circuit, so the quotient
uses A·B − A∘B. A ``.zkey`` alone cannot tell a bad witness, so every proof is verified before it
is returned; given the R1CS, the witness is checked first so the failing constraint is named.
"""

from __future__ import annotations

import random
import secrets
from typing import TYPE_CHECKING

import numpy as np

from circuits.field import FR
from prover import bn254
from prover.backends import get_backend
from prover.backends.base import Backend
from prover.bn254 import G1Point
from prover.keys import ProvingKey
from verifier.types import Proof

if TYPE_CHECKING:  # the R1CS module is loaded by whoever reads one, not by every proof
    from circuits.r1cs import R1CS


class UnsatisfiedWitness(ValueError):
    """The witness does not satisfy the circuit; no proof is produced."""


def witness_limbs(witness: np.ndarray | list[int], n_vars: int) -> np.ndarray:
    """A witness as an ``(n, 4)`` uint64 standard-form array, checked (< r, wire 0 is 1) without
    per-value Python work when it comes as ``read_wtns_bytes``'s (n, 32) uint8 array; a list of
    ints is packed once."""
    if isinstance(witness, np.ndarray):
        if witness.ndim != 2 or witness.shape[1] != 32 or witness.dtype != np.uint8:
            raise ValueError(
                f"witness array has shape {witness.shape} {witness.dtype}, expected (n, 32) uint8"
            )
        limbs = np.ascontiguousarray(witness).view("<u8").astype(np.uint64)
    else:
        try:
            limbs = bn254.ints_to_limbs([int(v) for v in witness])
        except OverflowError:
            raise ValueError("a witness value is not in [0, r)") from None
    if len(limbs) != n_vars:
        raise ValueError(f"witness has {len(limbs)} values, the proving key {n_vars} wires")
    if bn254.first_not_below(limbs, FR) is not None:
        raise ValueError("a witness value is not in [0, r)")
    if n_vars and not np.array_equal(limbs[0], [1, 0, 0, 0]):
        raise UnsatisfiedWitness("the witness does not satisfy the circuit: wire 0 must be 1")
    return limbs


def _combine_g1(backend: Backend, points: list[G1Point], scalars: list[int]) -> G1Point:
    """Σ scalars[i]·points[i] over a few G1 points, on the backend: the blinding terms of a proof."""
    return backend.msm_g1(bn254.g1_to_array(points), bn254.ints_to_limbs(scalars))


def _verifies(pk: ProvingKey, public: list[int], proof: Proof) -> bool:
    """The proof passes Groth16 verification under ``pk``'s verifying key (imported only when asked)."""
    from verifier.groth16 import verify

    return verify(pk.verifying_key(), public, proof)


def prove(
    pk: ProvingKey,
    witness: np.ndarray | list[int],
    backend: Backend | str = "reference",
    rng: random.Random | None = None,
    r1cs: R1CS | None = None,
    verify_proof: bool = True,
) -> tuple[Proof, list[int]]:
    """A Groth16 proof with fresh blinding (r, s), and the public signals (wires 1..n_public).

    Raises :class:`UnsatisfiedWitness` when the R1CS (if given) names a broken constraint or the
    proof fails verification; ``verify_proof=False`` skips the latter (for benchmarks of a trusted witness).
    """
    backend = get_backend(backend) if isinstance(backend, str) else backend
    rng = rng or secrets.SystemRandom()
    w = witness_limbs(witness, pk.n_vars)
    if r1cs is not None:
        if r1cs.n_wires != pk.n_vars or r1cs.n_public != pk.n_public:
            raise ValueError("the R1CS does not match the proving key (wire or public counts differ)")
        try:
            r1cs.check(bn254.limbs_to_ints(w))
        except ValueError as exc:
            raise UnsatisfiedWitness(f"the witness does not satisfy the circuit: {exc}") from exc

    a_eval, b_eval, c_eval = backend.qap_evaluations(
        pk.coef_matrix, pk.coef_constraint, pk.coef_signal, pk.coef_value, w, pk.domain_size
    )
    h_eval = backend.quotient_evaluations(a_eval, b_eval, c_eval)

    msm_a = backend.msm_g1(pk.a, w)
    msm_b1 = backend.msm_g1(pk.b1, w)
    msm_b2 = backend.msm_g2(pk.b2, w)
    msm_c = backend.msm_g1(pk.c, w[pk.n_public + 1 :])
    msm_h = backend.msm_g1(pk.h, h_eval)

    r, s = rng.randrange(FR), rng.randrange(FR)
    a = _combine_g1(backend, [msm_a, pk.alpha1, pk.delta1], [1, 1, r])
    b1 = _combine_g1(backend, [msm_b1, pk.beta1, pk.delta1], [1, 1, s])
    b2 = backend.msm_g2(bn254.g2_to_array([msm_b2, pk.beta2, pk.delta2]), bn254.ints_to_limbs([1, 1, s]))
    c = _combine_g1(backend, [msm_c, msm_h, a, b1, pk.delta1], [1, 1, s, r, -r * s % FR])
    proof = Proof(a=a, b=b2, c=c)
    public = bn254.limbs_to_ints(w[1 : pk.n_public + 1])
    if verify_proof and not _verifies(pk, public, proof):
        raise UnsatisfiedWitness("the witness does not satisfy the circuit (the proof does not verify)")
    return proof, public
