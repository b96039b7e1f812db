"""A development Groth16 setup from toxic waste drawn on this machine, in seconds at any size.

With τ, α, β and δ known, every key point is a computed scalar times a generator: the QAP
polynomials are evaluated at τ in the Lagrange basis as field elements, and the points come from
fixed-base multiplications. The key is the one :func:`prover.setup.setup` makes from a ptau with the
same τ, α, β and δ (tested), without the ptau's millions of points. Whoever kept the toxic waste
can forge proofs: development and tests only.
"""

from __future__ import annotations

import random
import sys

import numpy as np

from circuits.field import FR
from circuits.r1cs import R1CS
from prover import bn254
from prover.backends import get_backend
from prover.keys import ProvingKey
from prover.ptau import lagrange_at
from prover.setup import NO_CONTRIBUTIONS, circuit_hash, coefficient_columns, domain_log_size
from prover.toxic import DEV_WARNING, ToxicWaste


def dev_setup(r1cs: R1CS, rng: random.Random | None = None, backend: str = "fast") -> ProvingKey:
    """A proving key for ``r1cs`` from fresh local toxic waste, which is then forgotten."""
    print(DEV_WARNING.format(what="this proving key"), file=sys.stderr)
    return setup_from_toxic_waste(r1cs, ToxicWaste.draw(domain_log_size(r1cs), rng), backend)


def qap_at_tau(r1cs: R1CS, lagrange: list[int]) -> tuple[list[int], list[int], list[int]]:
    """u_j(τ), v_j(τ), w_j(τ) per wire from L_row(τ), with snarkjs's extra A-row per public wire."""
    u, v, w = ([0] * r1cs.n_wires for _ in range(3))
    for row, (a, b, c) in enumerate(r1cs.constraints):
        at_row = lagrange[row]
        for wire, k in a.items():
            u[wire] += k * at_row
        for wire, k in b.items():
            v[wire] += k * at_row
        for wire, k in c.items():
            w[wire] += k * at_row
    for wire in range(r1cs.n_public + 1):
        u[wire] += lagrange[r1cs.n_constraints + wire]
    return [x % FR for x in u], [x % FR for x in v], [x % FR for x in w]


def setup_from_toxic_waste(r1cs: R1CS, toxic: ToxicWaste, backend: str = "fast") -> ProvingKey:
    """The proving key of ``r1cs`` for these τ, α, β, δ (γ = 1, as snarkjs)."""
    log_n = domain_log_size(r1cs)
    n, n_pub = 1 << log_n, r1cs.n_public
    tau, alpha, beta, delta = toxic.tau, toxic.alpha, toxic.beta, toxic.delta
    delta_inv = pow(delta, -1, FR)
    kernels = get_backend(backend)

    def g1(scalars: list[int]) -> np.ndarray:
        return kernels.fixed_base_g1(bn254.ints_to_limbs(scalars))

    def g2(scalars: list[int]) -> np.ndarray:
        return kernels.fixed_base_g2(bn254.ints_to_limbs(scalars))

    u, v, w = qap_at_tau(r1cs, lagrange_at(tau, log_n))
    k = [(beta * x + alpha * y + z) % FR for x, y, z in zip(u, v, w, strict=True)]
    h = lagrange_at(tau, log_n + 1)[1::2]  # H query: the odd points of the doubled domain, over δ
    singles1 = bn254.g1_from_array(g1([alpha, beta, delta]))
    singles2 = bn254.g2_from_array(g2([beta, delta]))
    pk = ProvingKey(
        n_vars=r1cs.n_wires,
        n_public=n_pub,
        domain_size=n,
        alpha1=singles1[0],
        beta1=singles1[1],
        beta2=singles2[0],
        gamma2=bn254.G2_GENERATOR,
        delta1=singles1[2],
        delta2=singles2[1],
        ic=g1(k[: n_pub + 1]),
        **coefficient_columns(r1cs),
        a=g1(u),
        b1=g1(v),
        b2=g2(v),
        c=g1([x * delta_inv % FR for x in k[n_pub + 1 :]]),
        h=g1([x * delta_inv % FR for x in h]),
        mpc_params=b"",
    )
    tau_n_minus_1 = (pow(tau, n, FR) - 1) % FR
    steps, power = [], tau_n_minus_1
    for _ in range(n - 1):  # (τ^(i+N) − τ^i)·G1 = τ^i·(τ^N − 1)·G1
        steps.append(power)
        power = power * tau % FR
    before_delta = bn254.g1_from_array(g1(k[n_pub + 1 :]))
    pk.mpc_params = circuit_hash(pk, before_delta, bn254.g1_from_array(g1(steps))) + NO_CONTRIBUTIONS
    return pk
