"""The backend interface: the few heavy primitives a Groth16 proof needs.

Every backend takes and returns the array layouts of :mod:`prover.bn254`, so a proving key read
from a ``.zkey`` flows to any backend without conversion. The reference backend (Python ints,
py_ecc) is the obviously-correct check for the fast one.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from prover.bn254 import G1Point, G2Point


class Backend(Protocol):
    """Heavy primitives of the prover. Implementations must agree bit for bit."""

    name: str

    def msm_g1(self, points: np.ndarray, scalars: np.ndarray) -> G1Point:
        """Σ scalars[i]·points[i] over G1; points ``(n, 2, 4)``, scalars ``(n, 4)``."""
        ...

    def msm_g2(self, points: np.ndarray, scalars: np.ndarray) -> G2Point:
        """Σ scalars[i]·points[i] over G2; points ``(n, 2, 2, 4)``, scalars ``(n, 4)``."""
        ...

    def fixed_base_g1(self, scalars: np.ndarray) -> np.ndarray:
        """scalars[i]·G for the G1 generator G, as affine ``(n, 2, 4)`` rows (a setup's workload)."""
        ...

    def fixed_base_g2(self, scalars: np.ndarray) -> np.ndarray:
        """scalars[i]·H for the G2 generator H, as affine ``(n, 2, 2, 4)`` rows."""
        ...

    def ntt(self, values: np.ndarray, inverse: bool = False) -> np.ndarray:
        """Evaluate (or interpolate, when inverse) over the 2^k-th roots of unity; ``(n, 4)`` in and out."""
        ...

    def qap_evaluations(
        self,
        coef_matrix: np.ndarray,
        coef_constraint: np.ndarray,
        coef_signal: np.ndarray,
        coef_value: np.ndarray,
        witness: np.ndarray,
        domain_size: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(A·w, B·w, C) on the domain, each ``(domain_size, 4)`` standard form: A·w and B·w summed
        from a key's coefficient list (matrix 0 = A, 1 = B; row; wire; standard-form value ``(m, 4)``)
        and the witness ``(n, 4)``, and C = A∘B pointwise (equal to C·w for a satisfying witness)."""
        ...

    def quotient_evaluations(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Given A, B, C evaluated on the domain of size n, return A·B − C evaluated on the odd
        points of the domain of size 2n (the coset snarkjs's ``.zkey`` H query is built for)."""
        ...
