"""BN254 constants and the array layouts the prover works on.

Arrays, not Python objects, carry keys and witnesses through the prover:
- scalars: ``(n, 4) uint64``, little-endian 64-bit limbs, standard form, each < r;
- G1 points: ``(n, 2, 4) uint64``, affine (x, y) with coordinates in Montgomery form over Fq
  (exactly snarkjs's in-file layout), the point at infinity as all zeros;
- G2 points: ``(n, 2, 2, 4) uint64``, affine ((x.c0, x.c1), (y.c0, y.c1)), Montgomery form.
Single points handed back to callers are affine integer tuples (``G1Point``/``G2Point``), None at infinity.
"""

from __future__ import annotations

import numpy as np

from circuits.field import FR

FQ = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R_MONT = (1 << 256) % FQ  # Montgomery radix for Fq
R_MONT_INV = pow(R_MONT, -1, FQ)
FR_R_MONT = (1 << 256) % FR  # Montgomery radix for Fr
FR_TWO_ADICITY = 28
FR_ROOT_OF_UNITY_2_28 = pow(5, (FR - 1) >> FR_TWO_ADICITY, FR)  # snarkjs's w[28]

G1Point = tuple[int, int] | None
G2Point = tuple[tuple[int, int], tuple[int, int]] | None

G1_GENERATOR: tuple[int, int] = (1, 2)
G2_GENERATOR: tuple[tuple[int, int], tuple[int, int]] = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)


def root_of_unity(log_n: int) -> int:
    """The primitive 2^log_n-th root of unity that snarkjs uses (5^((r-1)/2^log_n))."""
    if not 0 <= log_n <= FR_TWO_ADICITY:
        raise ValueError(f"Fr has no root of unity of order 2^{log_n}")
    return pow(FR_ROOT_OF_UNITY_2_28, 1 << (FR_TWO_ADICITY - log_n), FR)


def ints_to_limbs(values: list[int]) -> np.ndarray:
    """Python ints (< 2^256) to an (n, 4) uint64 limb array."""
    raw = b"".join(v.to_bytes(32, "little") for v in values)
    return np.frombuffer(raw, dtype="<u8").reshape(len(values), 4).copy()


def limbs_to_ints(limbs: np.ndarray) -> list[int]:
    """An (..., 4) uint64 limb array to a flat list of Python ints."""
    raw = np.ascontiguousarray(limbs, dtype="<u8").reshape(-1, 4)
    return [int.from_bytes(row.tobytes(), "little") for row in raw]


def first_not_below(limbs: np.ndarray, modulus: int) -> int | None:
    """Index of the first row of an ``(n, 4)`` limb array whose value is >= modulus, or None."""
    rows = np.asarray(limbs, dtype=np.uint64).reshape(-1, 4)
    bound = [np.uint64((modulus >> (64 * k)) & ((1 << 64) - 1)) for k in range(4)]
    below = np.zeros(rows.shape[0], np.bool_)
    equal = np.ones(rows.shape[0], np.bool_)
    for k in range(3, -1, -1):
        below |= equal & (rows[:, k] < bound[k])
        equal &= rows[:, k] == bound[k]
    bad = np.flatnonzero(~below)
    return int(bad[0]) if bad.shape[0] else None


def g1_from_array(arr: np.ndarray) -> list[G1Point]:
    """Montgomery-form affine G1 rows to integer points (None for the all-zero infinity)."""
    flat = limbs_to_ints(arr)
    out: list[G1Point] = []
    for i in range(0, len(flat), 2):
        x, y = flat[i], flat[i + 1]
        out.append(None if x == 0 and y == 0 else (x * R_MONT_INV % FQ, y * R_MONT_INV % FQ))
    return out


def g2_from_array(arr: np.ndarray) -> list[G2Point]:
    """Montgomery-form affine G2 rows to integer points (None for all zeros)."""
    flat = limbs_to_ints(arr)
    out: list[G2Point] = []
    for i in range(0, len(flat), 4):
        c = flat[i : i + 4]
        if not any(c):
            out.append(None)
        else:
            m = [v * R_MONT_INV % FQ for v in c]
            out.append(((m[0], m[1]), (m[2], m[3])))
    return out


def g1_to_array(points: list[G1Point]) -> np.ndarray:
    flat: list[int] = []
    for p in points:
        flat.extend((0, 0) if p is None else (p[0] * R_MONT % FQ, p[1] * R_MONT % FQ))
    return ints_to_limbs(flat).reshape(len(points), 2, 4)


def g2_to_array(points: list[G2Point]) -> np.ndarray:
    flat: list[int] = []
    for p in points:
        if p is None:
            flat.extend((0, 0, 0, 0))
        else:
            flat.extend(v * R_MONT % FQ for v in (p[0][0], p[0][1], p[1][0], p[1][1]))
    return ints_to_limbs(flat).reshape(len(points), 2, 2, 4)
