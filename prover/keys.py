"""The Groth16 proving key: what a snarkjs ``.zkey`` holds, as arrays in :mod:`prover.bn254` layouts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prover import bn254
from prover.bn254 import G1Point, G2Point
from verifier.types import VerifyingKey


@dataclass
class ProvingKey:
    """A circuit's Groth16 key with snarkjs's conventions.

    The QAP has one A-row per constraint plus one per public signal (wire 0..n_public, with
    coefficient 1), so the domain holds n_constraints + n_public + 1 rows. ``coef_*`` list the
    non-zero A and B matrix entries (matrix 0 = A, 1 = B) with plain values (not the file's encoding).
    Point arrays: ``a``, ``b1`` (G1) and ``b2`` (G2) per wire; ``c`` per private wire
    (wires n_public+1..); ``h`` per domain point; ``ic`` per public wire (0..n_public).
    """

    n_vars: int
    n_public: int
    domain_size: int
    alpha1: G1Point
    beta1: G1Point
    beta2: G2Point
    gamma2: G2Point
    delta1: G1Point
    delta2: G2Point
    ic: np.ndarray
    coef_matrix: np.ndarray
    coef_constraint: np.ndarray
    coef_signal: np.ndarray
    coef_value: np.ndarray
    a: np.ndarray
    b1: np.ndarray
    b2: np.ndarray
    c: np.ndarray
    h: np.ndarray
    mpc_params: bytes  # section 10 as is: snarkjs's circuit hash, then the phase-2 contributions

    @property
    def log_domain_size(self) -> int:
        return self.domain_size.bit_length() - 1

    def verifying_key(self) -> VerifyingKey:
        return VerifyingKey(
            alpha1=self.alpha1,
            beta2=self.beta2,
            gamma2=self.gamma2,
            delta2=self.delta2,
            ic=tuple(bn254.g1_from_array(self.ic)),
        )
