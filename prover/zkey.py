"""snarkjs Groth16 ``.zkey`` files: read into a :class:`ProvingKey` and write one back.

Sections: 1 protocol (1 = Groth16); 2 header (n8q, q, n8r, r, nVars, nPublic, domainSize, α1, β1, β2,
γ2, δ1, δ2); 3 IC; 4 A/B coefficients (u32 count, then u32 matrix, u32 row, u32 wire, 32-byte value);
5 A, 6 B1, 7 B2, 8 C, 9 H points; 10 circuit hash and phase-2 contributions. A coefficient c is stored
as c·R² mod r (R = 2^256): snarkjs's prover multiplies it by the plain witness value in Montgomery
arithmetic, which yields c·w in Montgomery form directly; so decoding divides by R² (one Montgomery
product by R⁻¹) and encoding is two conversions into Montgomery form, done over whole arrays.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from circuits.binfile import BinFile, FormatError, read_binfile, write_binfile
from circuits.field import FR
from prover import bn254
from prover.kernels.checks import first_off_curve
from prover.kernels.convert import from_montgomery, to_montgomery
from prover.keys import ProvingKey

_G1, _G2 = (2, 4), (2, 2, 4)  # limb shapes of one affine point
_HEADER_BYTES = 4 + 32 + 4 + 32 + 12 + 3 * 64 + 3 * 128
_COEF_BYTES = 12 + 32
_COEF_DTYPE = np.dtype([("matrix", "<u4"), ("row", "<u4"), ("wire", "<u4"), ("value", "<u8", (4,))])


def _points(f: BinFile, kind: int, count: int, tail: tuple[int, ...], what: str) -> np.ndarray:
    """A section of ``count`` Montgomery affine points read straight into a ``(count, *tail)``
    uint64 array, each checked to be on the curve."""
    arr = np.empty((count, *tail), np.uint64)
    size = f.section_size(kind)
    if size != arr.nbytes:
        raise FormatError(f"{f.path}: {what} has {size} bytes, expected {count} G{len(tail) - 1} points")
    bad = first_off_curve(f.section_into(kind, arr))
    if bad is not None:
        raise FormatError(f"{f.path}: {what} point {bad} is not on the curve")
    return arr


def _header_point(head: memoryview, pos: int, tail: tuple[int, ...], path: str, what: str) -> np.ndarray:
    arr = np.frombuffer(head, dtype="<u8", count=int(np.prod(tail)), offset=pos).reshape(1, *tail).copy()
    if first_off_curve(arr) is not None:
        raise FormatError(f"{path}: {what} point 0 is not on the curve")
    return arr


def read_zkey(path: str | Path) -> ProvingKey:
    """Read a Groth16 ``.zkey`` (snarkjs's or ours), checking sizes, ranges and points on the curve."""
    f = read_binfile(path, b"zkey", 2)
    proto = f.section(1)
    if len(proto) != 4 or struct.unpack("<I", proto)[0] != 1:
        raise FormatError(f"{f.path}: not a Groth16 proving key")
    head = f.section(2)
    if len(head) != _HEADER_BYTES:
        raise FormatError(f"{f.path}: Groth16 header has {len(head)} bytes, expected {_HEADER_BYTES}")
    n8q, q = struct.unpack_from("<I", head, 0)[0], int.from_bytes(head[4:36], "little")
    n8r, r = struct.unpack_from("<I", head, 36)[0], int.from_bytes(head[40:72], "little")
    if (n8q, q, n8r, r) != (32, bn254.FQ, 32, FR):
        raise FormatError(f"{f.path}: the key is not over BN254")
    n_vars, n_public, domain_size = struct.unpack_from("<III", head, 72)
    if domain_size == 0 or domain_size & (domain_size - 1) or domain_size > 1 << bn254.FR_TWO_ADICITY:
        raise FormatError(f"{f.path}: domain size {domain_size} is not a power of two")
    if n_public + 1 > n_vars or n_public + 1 > domain_size:
        raise FormatError(f"{f.path}: {n_public} public signals do not fit {n_vars} wires")
    pos = 84
    single = []
    for tail in (_G1, _G1, _G2, _G2, _G1, _G2):
        single.append(_header_point(head, pos, tail, f.path, f"header point {len(single) + 1}"))
        pos += 8 * int(np.prod(tail))
    alpha1, beta1, beta2, gamma2, delta1, delta2 = single

    coefs = f.section(4)
    if len(coefs) < 4:
        raise FormatError(f"{f.path}: coefficient section is truncated")
    (n_coefs,) = struct.unpack_from("<I", coefs, 0)
    if len(coefs) != 4 + n_coefs * _COEF_BYTES:
        raise FormatError(f"{f.path}: coefficient section has {len(coefs)} bytes for {n_coefs} entries")
    table = np.frombuffer(coefs, dtype=_COEF_DTYPE, offset=4)
    if np.any(table["matrix"] > 1) or np.any(table["row"] >= domain_size) or np.any(table["wire"] >= n_vars):
        raise FormatError(f"{f.path}: a coefficient refers to a matrix, row or wire out of range")
    stored = table["value"]  # a strided view: from_montgomery makes the one copy
    if bn254.first_not_below(stored, FR) is not None:
        raise FormatError(f"{f.path}: a coefficient is not below the field prime")

    return ProvingKey(
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain_size,
        alpha1=bn254.g1_from_array(alpha1)[0],
        beta1=bn254.g1_from_array(beta1)[0],
        beta2=bn254.g2_from_array(beta2)[0],
        gamma2=bn254.g2_from_array(gamma2)[0],
        delta1=bn254.g1_from_array(delta1)[0],
        delta2=bn254.g2_from_array(delta2)[0],
        ic=_points(f, 3, n_public + 1, _G1, "IC section"),
        coef_matrix=table["matrix"].copy(),
        coef_constraint=table["row"].copy(),
        coef_signal=table["wire"].copy(),
        coef_value=from_montgomery(stored, "fr", times=2),
        a=_points(f, 5, n_vars, _G1, "A section"),
        b1=_points(f, 6, n_vars, _G1, "B1 section"),
        b2=_points(f, 7, n_vars, _G2, "B2 section"),
        c=_points(f, 8, n_vars - n_public - 1, _G1, "C section"),
        h=_points(f, 9, domain_size, _G1, "H section"),
        mpc_params=bytes(f.section(10)),
    )


def write_zkey(pk: ProvingKey, path: str | Path) -> None:
    """Write ``pk`` as a snarkjs Groth16 ``.zkey`` (version 1) that snarkjs proves with."""
    head = (
        struct.pack("<I", 32)
        + bn254.FQ.to_bytes(32, "little")
        + struct.pack("<I", 32)
        + FR.to_bytes(32, "little")
        + struct.pack("<III", pk.n_vars, pk.n_public, pk.domain_size)
        + bn254.g1_to_array([pk.alpha1, pk.beta1]).tobytes()
        + bn254.g2_to_array([pk.beta2, pk.gamma2]).tobytes()
        + bn254.g1_to_array([pk.delta1]).tobytes()
        + bn254.g2_to_array([pk.delta2]).tobytes()
    )
    table = np.zeros(len(pk.coef_matrix), dtype=_COEF_DTYPE)
    table["matrix"] = pk.coef_matrix
    table["row"] = pk.coef_constraint
    table["wire"] = pk.coef_signal
    table["value"] = to_montgomery(to_montgomery(pk.coef_value, "fr"), "fr")
    sections = [
        (1, struct.pack("<I", 1)),
        (2, head),
        (3, pk.ic.tobytes()),
        (4, struct.pack("<I", len(table)) + table.tobytes()),
        (5, pk.a.tobytes()),
        (6, pk.b1.tobytes()),
        (7, pk.b2.tobytes()),
        (8, pk.c.tobytes()),
        (9, pk.h.tobytes()),
        (10, pk.mpc_params),
    ]
    write_binfile(path, b"zkey", 1, sections)
