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

    def ntt(self, values: np.ndarray, inverse: bool = False) -> np.ndarray:
        """Evaluate (or interpolate, when inverse) over the 2^k-th roots of unity; ``(n, 4)`` in and out."""
        ...

    def quotient_evaluations(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Given A, B, C evaluated on the domain of size n, return A·B − C evaluated on the odd
        points of the domain of size 2n (the coset snarkjs's ``.zkey`` H query is built for)."""
        ...
