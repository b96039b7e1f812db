"""The secret scalars of a development setup: τ, α, β (powers of tau) and δ (the circuit's phase 2).

Whoever knows them can forge proofs, so they exist only in memory while a local setup runs; a real
deployment takes its powers of tau from a public ceremony and δ from a phase-2 contribution.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from circuits.field import FR

DEV_WARNING = (
    "WARNING: {what} uses toxic waste generated on this machine; it is for development only. "
    "Anyone who kept that randomness can forge proofs. Use a public ceremony for anything real."
)


def _nonzero(rng: random.Random) -> int:
    return rng.randrange(1, FR)


@dataclass(frozen=True, repr=False)  # no repr: the scalars must not end up in logs or tracebacks
class ToxicWaste:
    tau: int
    alpha: int
    beta: int
    delta: int

    @classmethod
    def draw(cls, power: int, rng: random.Random | None = None) -> ToxicWaste:
        """Fresh scalars for domains up to 2^power (τ is kept off the 2^(power+1)-th roots of unity,
        where the Lagrange basis would be degenerate)."""
        rng = rng or secrets.SystemRandom()
        tau = _nonzero(rng)
        while pow(tau, 2 << power, FR) == 1:
            tau = _nonzero(rng)
        alpha, beta = _nonzero(rng), _nonzero(rng)
        return cls(tau, alpha, beta, _nonzero(rng))
