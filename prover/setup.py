"""Groth16 circuit-specific setup from an R1CS and a prepared powers of tau, snarkjs-compatible.

The key follows snarkjs's ``groth16 setup``: one extra A-row per public wire, γ = the G2 generator
(IC is not divided by γ), the QAP evaluated in the Lagrange basis read from the ptau. snarkjs's own
``groth16 setup`` output has δ = 1 and is only safe after a phase-2 contribution (``zkey
contribute``); ours draws a random δ locally, which makes it usable at once but only for development:
whoever knows δ can forge proofs.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import struct
import sys
from collections import defaultdict
from typing import Any

import numpy as np

from circuits.binfile import FormatError
from circuits.field import FR
from circuits.r1cs import R1CS
from prover import bn254
from prover.curve import G1, G2, Group, first_off_curve, g1_multiply_all
from prover.keys import ProvingKey
from prover.ptau import PowersOfTau
from prover.toxic import DEV_WARNING

Terms = list[tuple[Any, int]]
NO_CONTRIBUTIONS = struct.pack("<I", 0)  # section 10 after the circuit hash: no phase-2 contributions yet


def domain_log_size(r1cs: R1CS) -> int:
    """log2 of the QAP domain: constraints plus one row per public wire (with wire 0), rounded up."""
    return max(1, (r1cs.n_constraints + r1cs.n_public).bit_length())


def coefficient_columns(r1cs: R1CS) -> dict[str, np.ndarray]:
    """The key's list of non-zero A and B entries (matrix, row, wire, value), with the public rows."""
    coefs: list[tuple[int, int, int]] = []
    values: list[int] = []
    for row, (a, b, _) in enumerate(r1cs.constraints):
        for matrix, terms in ((0, a), (1, b)):
            for wire, k in terms.items():
                coefs.append((matrix, row, wire))
                values.append(k % FR)
    for wire in range(r1cs.n_public + 1):
        coefs.append((0, r1cs.n_constraints + wire, wire))
        values.append(1)
    columns = np.array(coefs, dtype=np.uint32).reshape(-1, 3)
    return {
        "coef_matrix": columns[:, 0].copy(),
        "coef_constraint": columns[:, 1].copy(),
        "coef_signal": columns[:, 2].copy(),
        "coef_value": bn254.ints_to_limbs(values),
    }


def _combine(group: Group, terms: Terms) -> tuple:
    """Σ k·P over (P, k) terms as a Jacobian point; coefficients above r/2 are used as −(r − k)."""
    acc = group.infinity
    for point, k in terms:
        k %= FR
        if k == 1:
            acc = group.add_affine(acc, point)
        elif k:
            signed = k - FR if k > FR // 2 else k
            acc = group.add(acc, group.multiply(group.from_affine(point), signed))
    return acc


def _lagrange(ptau: PowersOfTau, name: str, log_n: int, group: Group) -> list:
    block = ptau.lagrange(name, log_n)
    points = bn254.g1_from_array(block) if group is G1 else bn254.g2_from_array(block)
    bad = first_off_curve(group, points)
    if bad is not None or any(p is None for p in points):
        raise FormatError(f"{ptau.path}: Lagrange {name} point {bad} for 2^{log_n} is not a valid point")
    return points


def _uncompressed(group: Group, points: list) -> bytes:
    """snarkjs's hashing form: big-endian, not Montgomery; G2 as x.c1, x.c0, y.c1, y.c0; ∞ as zeros."""
    out = []
    for p in points:
        if p is None:
            out.append(bytes(64 if group is G1 else 128))
        elif group is G1:
            out.append(p[0].to_bytes(32, "big") + p[1].to_bytes(32, "big"))
        else:
            (x0, x1), (y0, y1) = p
            out.append(b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0)))
    return b"".join(out)


def circuit_hash(pk: ProvingKey, c_before_delta: list, tau_steps: list) -> bytes:
    """snarkjs's circuit hash (``csHash``): BLAKE2b-512 over the key as it is before any δ is applied.

    ``tau_steps`` are the points (τ^(i+N) − τ^i)·G1 for i < N − 1 (N the domain size).
    """
    h = hashlib.blake2b(digest_size=64)
    h.update(_uncompressed(G1, [pk.alpha1, pk.beta1]))
    h.update(_uncompressed(G2, [pk.beta2, G2.generator]))
    h.update(_uncompressed(G1, [G1.generator]))
    h.update(_uncompressed(G2, [G2.generator]))

    def section(group: Group, points: list) -> None:
        h.update(struct.pack(">I", len(points)))
        h.update(_uncompressed(group, points))

    section(G1, bn254.g1_from_array(pk.ic))
    section(G1, tau_steps)
    section(G1, c_before_delta)
    section(G1, bn254.g1_from_array(pk.a))
    section(G1, bn254.g1_from_array(pk.b1))
    section(G2, bn254.g2_from_array(pk.b2))
    return h.digest()


def setup(r1cs: R1CS, ptau: PowersOfTau, rng: random.Random | None = None) -> ProvingKey:
    """A proving key for ``r1cs`` from a prepared ptau, with a fresh local δ (development only)."""
    log_n = domain_log_size(r1cs)
    if log_n > ptau.power:
        raise ValueError(
            f"{ptau.path}: power {ptau.power} is too small: the circuit needs 2^{log_n} "
            f"({r1cs.n_constraints} constraints + {r1cs.n_public + 1} public rows)"
        )
    rng = rng or secrets.SystemRandom()
    n_pub, m = r1cs.n_public, r1cs.n_constraints
    tau_g1 = _lagrange(ptau, "g1", log_n, G1)
    tau_g2 = _lagrange(ptau, "g2", log_n, G2)
    alpha_g1 = _lagrange(ptau, "alpha_g1", log_n, G1)
    beta_g1 = _lagrange(ptau, "beta_g1", log_n, G1)
    h_points = _lagrange(ptau, "g1", log_n + 1, G1)[1::2]
    alpha1, beta1 = (
        bn254.g1_from_array(ptau.alpha_tau_g1[:1])[0],
        bn254.g1_from_array(ptau.beta_tau_g1[:1])[0],
    )
    beta2 = bn254.g2_from_array(ptau.beta_g2)[0]
    if (
        None in (alpha1, beta1, beta2)
        or first_off_curve(G1, [alpha1, beta1]) is not None
        or not G2.is_on_curve(beta2)
    ):
        raise FormatError(f"{ptau.path}: α·G1, β·G1 or β·G2 is not a valid point")
    print(DEV_WARNING.format(what="this proving key's δ"), file=sys.stderr)

    a_terms: dict[int, Terms] = defaultdict(list)
    b1_terms: dict[int, Terms] = defaultdict(list)
    b2_terms: dict[int, Terms] = defaultdict(list)
    k_terms: dict[int, Terms] = defaultdict(list)  # β·A + α·B + C per wire: IC or C query
    for row, (a, b, c) in enumerate(r1cs.constraints):
        for wire, k in a.items():
            a_terms[wire].append((tau_g1[row], k))
            k_terms[wire].append((beta_g1[row], k))
        for wire, k in b.items():
            b1_terms[wire].append((tau_g1[row], k))
            b2_terms[wire].append((tau_g2[row], k))
            k_terms[wire].append((alpha_g1[row], k))
        for wire, k in c.items():
            k_terms[wire].append((tau_g1[row], k))
    for wire in range(n_pub + 1):
        a_terms[wire].append((tau_g1[m + wire], 1))
        k_terms[wire].append((beta_g1[m + wire], 1))

    def query(group: Group, terms: dict[int, Terms], wires: range) -> list:
        return group.batch_to_affine([_combine(group, terms.get(w, [])) for w in wires])

    wires = range(r1cs.n_wires)
    k_points = query(G1, k_terms, wires)
    c_before_delta = k_points[n_pub + 1 :]
    delta = rng.randrange(1, FR)
    delta_inv = pow(delta, -1, FR)

    def divide(points: list) -> np.ndarray:
        return bn254.g1_to_array(g1_multiply_all(points, delta_inv))

    pk = ProvingKey(
        n_vars=r1cs.n_wires,
        n_public=n_pub,
        domain_size=1 << log_n,
        alpha1=alpha1,
        beta1=beta1,
        beta2=beta2,
        gamma2=G2.generator,
        delta1=G1.to_affine(G1.multiply(G1.from_affine(G1.generator), delta)),
        delta2=G2.to_affine(G2.multiply(G2.from_affine(G2.generator), delta)),
        ic=bn254.g1_to_array(k_points[: n_pub + 1]),
        **coefficient_columns(r1cs),
        a=bn254.g1_to_array(query(G1, a_terms, wires)),
        b1=bn254.g1_to_array(query(G1, b1_terms, wires)),
        b2=bn254.g2_to_array(query(G2, b2_terms, wires)),
        c=divide(c_before_delta),
        h=divide(h_points),
        mpc_params=b"",
    )
    pk.mpc_params = circuit_hash(pk, c_before_delta, _tau_steps(ptau, log_n)) + NO_CONTRIBUTIONS
    return pk


def _tau_steps(ptau: PowersOfTau, log_n: int) -> list:
    n = 1 << log_n
    taus = bn254.g1_from_array(ptau.tau_g1[: 2 * n - 1])
    if any(p is None for p in taus) or first_off_curve(G1, taus) is not None:
        raise FormatError(f"{ptau.path}: section 2 (tauG1) holds a point that is not valid")
    steps = [G1.add_affine(G1.neg(G1.from_affine(taus[i])), taus[i + n]) for i in range(n - 1)]
    return G1.batch_to_affine(steps)
