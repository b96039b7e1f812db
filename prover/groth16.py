"""Groth16 proving from a snarkjs-layout proving key, with the checks that keep bad proofs in.

The QAP evaluations A·w and B·w come from the key's coefficient list (as snarkjs's prover does);
C·w on the domain equals their product whenever the witness satisfies the circuit, so the quotient
uses A·B − A∘B. A ``.zkey`` alone cannot tell a bad witness, so every proof is verified before it
is returned; given the R1CS, the witness is checked first so the failing constraint is named.
"""

from __future__ import annotations

import random
import secrets

import numpy as np

from circuits.field import FR
from circuits.r1cs import R1CS
from prover import bn254
from prover.backends import get_backend
from prover.backends.base import Backend
from prover.curve import G1, G2
from prover.keys import ProvingKey
from verifier.groth16 import verify
from verifier.types import Proof


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
    delta1 = G1.from_affine(pk.delta1)
    a = G1.add(G1.add(G1.from_affine(msm_a), G1.from_affine(pk.alpha1)), G1.multiply(delta1, r))
    b1 = G1.add(G1.add(G1.from_affine(msm_b1), G1.from_affine(pk.beta1)), G1.multiply(delta1, s))
    b2 = G2.add(
        G2.add(G2.from_affine(msm_b2), G2.from_affine(pk.beta2)), G2.multiply(G2.from_affine(pk.delta2), s)
    )
    c = G1.add(G1.from_affine(msm_c), G1.from_affine(msm_h))
    c = G1.add(c, G1.multiply(a, s))
    c = G1.add(c, G1.multiply(b1, r))
    c = G1.add(c, G1.multiply(delta1, -r * s % FR))
    a_aff, c_aff = G1.batch_to_affine([a, c])
    proof = Proof(a=a_aff, b=G2.to_affine(b2), c=c_aff)
    public = bn254.limbs_to_ints(w[1 : pk.n_public + 1])
    if verify_proof and not verify(pk.verifying_key(), public, proof):
        raise UnsatisfiedWitness("the witness does not satisfy the circuit (the proof does not verify)")
    return proof, public
