"""snarkjs powers-of-tau (``.ptau``) files: read them, and make a local development ceremony.

Sections: 1 header (n8, q, power, ceremony power), 2 τⁱ·G1 (2^(p+1)−1 points), 3 τⁱ·G2, 4 ατⁱ·G1,
5 βτⁱ·G1 (2^p each), 6 β·G2, 7 contributions, and after ``prepare phase2`` the Lagrange-basis
sections 12 (G1), 13 (G2), 14 (α·G1), 15 (β·G1): for each size 2^k (k = 0..p, and k = p+1 for 12)
the points L_j(τ)·G, one block after another. Points are affine, Montgomery form, little-endian.
"""

from __future__ import annotations

import random
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from circuits.binfile import FormatError, read_binfile, read_field_header, write_binfile
from circuits.field import FR, batch_inverse
from prover import bn254
from prover.backends import get_backend
from prover.toxic import DEV_WARNING, ToxicWaste

_G1_BYTES, _G2_BYTES = 64, 128
MAX_POWER = bn254.FR_TWO_ADICITY - 1


@dataclass
class PowersOfTau:
    """A ceremony's points in :mod:`prover.bn254` layouts; the Lagrange arrays are None until prepared."""

    path: str
    power: int
    ceremony_power: int
    tau_g1: np.ndarray
    tau_g2: np.ndarray
    alpha_tau_g1: np.ndarray
    beta_tau_g1: np.ndarray
    beta_g2: np.ndarray
    contributions: bytes
    lagrange_g1: np.ndarray | None = None
    lagrange_g2: np.ndarray | None = None
    lagrange_alpha_g1: np.ndarray | None = None
    lagrange_beta_g1: np.ndarray | None = None

    @property
    def prepared(self) -> bool:
        return self.lagrange_g1 is not None

    def lagrange(self, name: str, log_n: int) -> np.ndarray:
        """The block of L_j(τ)-points for the domain of size 2^log_n from a Lagrange section."""
        arr = getattr(self, f"lagrange_{name}")
        if arr is None:
            raise FormatError(f"{self.path}: not prepared for phase 2 (snarkjs powersoftau prepare phase2)")
        start = (1 << log_n) - 1
        if start + (1 << log_n) > len(arr):
            raise FormatError(f"{self.path}: power {self.power} is too small for a domain of 2^{log_n}")
        return arr[start : start + (1 << log_n)]


def _points(buf: memoryview, point_bytes: int, count: int, path: str, what: str) -> np.ndarray:
    if len(buf) != count * point_bytes:
        expected = count * point_bytes
        raise FormatError(f"{path}: {what} has {len(buf)} bytes, expected {expected} ({count} points)")
    shape = (count, 2, 4) if point_bytes == _G1_BYTES else (count, 2, 2, 4)
    return np.frombuffer(buf, dtype="<u8").reshape(shape)


def read_ptau(path: str | Path) -> PowersOfTau:
    """Read a ``.ptau`` file, checking the header and every section's size."""
    f = read_binfile(path, b"ptau", 1)
    head = f.section(1)
    read_field_header(head, f.path, bn254.FQ)
    if len(head) != 44:
        raise FormatError(f"{f.path}: header has {len(head)} bytes, expected 44")
    power, ceremony_power = struct.unpack_from("<II", head, 36)
    if not 1 <= power <= MAX_POWER:
        raise FormatError(f"{f.path}: power {power} is out of range 1..{MAX_POWER}")
    n = 1 << power
    ptau = PowersOfTau(
        path=f.path,
        power=power,
        ceremony_power=ceremony_power,
        tau_g1=_points(f.section(2), _G1_BYTES, 2 * n - 1, f.path, "section 2 (tauG1)"),
        tau_g2=_points(f.section(3), _G2_BYTES, n, f.path, "section 3 (tauG2)"),
        alpha_tau_g1=_points(f.section(4), _G1_BYTES, n, f.path, "section 4 (alphaTauG1)"),
        beta_tau_g1=_points(f.section(5), _G1_BYTES, n, f.path, "section 5 (betaTauG1)"),
        beta_g2=_points(f.section(6), _G2_BYTES, 1, f.path, "section 6 (betaG2)"),
        contributions=bytes(f.section(7)),
    )
    if len(ptau.contributions) < 4:
        raise FormatError(f"{f.path}: section 7 (contributions) is truncated")
    if f.has(12):
        ptau.lagrange_g1 = _points(f.section(12), _G1_BYTES, 4 * n - 1, f.path, "section 12 (Lagrange tauG1)")
        ptau.lagrange_g2 = _points(f.section(13), _G2_BYTES, 2 * n - 1, f.path, "section 13 (Lagrange tauG2)")
        ptau.lagrange_alpha_g1 = _points(
            f.section(14), _G1_BYTES, 2 * n - 1, f.path, "section 14 (Lagrange alphaTauG1)"
        )
        ptau.lagrange_beta_g1 = _points(
            f.section(15), _G1_BYTES, 2 * n - 1, f.path, "section 15 (Lagrange betaTauG1)"
        )
    return ptau


def lagrange_at(tau: int, log_n: int) -> list[int]:
    """L_j(τ) for the domain of size N = 2^log_n (snarkjs's roots): (τ^N − 1)/N · wʲ/(τ − wʲ)."""
    n = 1 << log_n
    w = bn254.root_of_unity(log_n)
    factor = (pow(tau, n, FR) - 1) * pow(n, -1, FR) % FR
    roots = [1] * n
    for j in range(1, n):
        roots[j] = roots[j - 1] * w % FR
    inverses = batch_inverse([(tau - wj) % FR for wj in roots])
    return [factor * wj % FR * inv % FR for wj, inv in zip(roots, inverses, strict=True)]


def lagrange_sections_scalars(tau: int, power: int) -> tuple[list[int], list[int]]:
    """Scalars of sections 12 (blocks k = 0..power+1) and 13-15 (k = 0..power).

    snarkjs builds the k = power+1 block of section 12 from τ⁰..τ^(2N−2) with a zero in place of
    τ^(2N−1) (N = 2^power), so that block is L_j(τ) − τ^(2N−1)·wʲ/(2N); it serves only the H query,
    whose polynomial has degree below 2N−1, so the missing power does not matter there.
    """
    short: list[int] = []
    for k in range(power + 1):
        short.extend(lagrange_at(tau, k))
    m = 1 << (power + 1)
    w = bn254.root_of_unity(power + 1)
    top = pow(tau, m - 1, FR) * pow(m, -1, FR) % FR
    last = lagrange_at(tau, power + 1)
    wj = 1
    for j in range(m):
        last[j] = (last[j] - top * wj) % FR
        wj = wj * w % FR
    return short + last, short


def new_ptau(
    power: int, path: str | Path, rng: random.Random | None = None, backend: str = "fast"
) -> ToxicWaste:
    """Write a prepared ``.ptau`` of 2^power from fresh local (τ, α, β): for development only.

    Section 7 holds one contribution record with the resulting τ·G1, τ·G2, α·G1, β·G1, β·G2 and
    no proof of knowledge (its key points are at infinity): ``snarkjs groth16 setup`` accepts the file,
    ``snarkjs powersoftau verify`` does not, as nothing links it to a public ceremony. Returns the
    toxic waste, for tests that check a setup against it.
    """
    if not 1 <= power <= MAX_POWER:
        raise ValueError(f"power {power} is out of range 1..{MAX_POWER}")
    print(DEV_WARNING.format(what="this powers-of-tau file"), file=sys.stderr)
    toxic = ToxicWaste.draw(power, rng)
    write_ptau(power, path, toxic, backend)
    return toxic


def write_ptau(power: int, path: str | Path, toxic: ToxicWaste, backend: str = "fast") -> None:
    """The prepared 2^power ceremony of ``toxic``'s τ, α and β, every point a fixed-base multiple."""
    tau, alpha, beta = toxic.tau, toxic.alpha, toxic.beta
    n = 1 << power
    powers = [1]
    for _ in range(2 * n - 2):
        powers.append(powers[-1] * tau % FR)
    lagrange_g1, lagrange_short = lagrange_sections_scalars(tau, power)
    kernels = get_backend(backend)

    def on_g1(scalars: list[int]) -> bytes:
        return kernels.fixed_base_g1(bn254.ints_to_limbs(scalars)).tobytes()

    def on_g2(scalars: list[int]) -> bytes:
        return kernels.fixed_base_g2(bn254.ints_to_limbs(scalars)).tobytes()

    first = powers[:n]
    header = struct.pack("<I", 32) + bn254.FQ.to_bytes(32, "little") + struct.pack("<II", power, power)
    contribution = _contribution_record(
        on_g1([tau]), on_g2([tau]), on_g1([alpha]), on_g1([beta]), on_g2([beta])
    )
    write_binfile(
        path,
        b"ptau",
        1,
        [
            (1, header),
            (2, on_g1(powers)),
            (3, on_g2(first)),
            (4, on_g1([alpha * p % FR for p in first])),
            (5, on_g1([beta * p % FR for p in first])),
            (6, on_g2([beta])),
            (7, struct.pack("<I", 1) + contribution),
            (12, on_g1(lagrange_g1)),
            (13, on_g2(lagrange_short)),
            (14, on_g1([alpha * v % FR for v in lagrange_short])),
            (15, on_g1([beta * v % FR for v in lagrange_short])),
        ],
    )


def _contribution_record(
    tau_g1: bytes, tau_g2: bytes, alpha_g1: bytes, beta_g1: bytes, beta_g2: bytes
) -> bytes:
    """One entry of section 7 in snarkjs's layout: points, key, hash state, next challenge, type, params."""
    no_key = bytes(6 * _G1_BYTES + 3 * _G2_BYTES)
    name = b"zkclear local development ceremony (insecure)"
    params = bytes([1, len(name)]) + name
    return (
        tau_g1
        + tau_g2
        + alpha_g1
        + beta_g1
        + beta_g2
        + no_key
        + bytes(216)  # blake2b partial state: none, there is no response to hash
        + bytes(64)  # next challenge
        + struct.pack("<I", 0)
        + struct.pack("<I", len(params))
        + params
    )
