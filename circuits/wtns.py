"""iden3 ``.wtns`` witness files: every wire's value, in wire order."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from circuits.binfile import FormatError, read_binfile, read_field_header, write_binfile
from circuits.field import FR

_HEADER, _VALUES = 1, 2


def write_wtns(witness: list[int], path: str | Path) -> None:
    """Write a version-2 ``.wtns`` file as snarkjs and circom's witness calculators do."""
    header = struct.pack("<I", 32) + FR.to_bytes(32, "little") + struct.pack("<I", len(witness))
    values = b"".join((v % FR).to_bytes(32, "little") for v in witness)
    write_binfile(path, b"wtns", 2, [(_HEADER, header), (_VALUES, values)])


def read_wtns_bytes(path: str | Path) -> np.ndarray:
    """The witness as an (n, 32) uint8 array of little-endian values, without per-value Python work."""
    f = read_binfile(path, b"wtns", 2)
    head = f.section(_HEADER)
    read_field_header(head, f.path, FR)
    if len(head) < 40:
        raise FormatError(f"{f.path}: header truncated")
    (n,) = struct.unpack_from("<I", head, 36)
    body = f.section(_VALUES)
    if len(body) != 32 * n:
        raise FormatError(f"{f.path}: {len(body)} bytes of values for {n} wires")
    return np.frombuffer(body, dtype=np.uint8).reshape(n, 32)


def read_wtns(path: str | Path) -> list[int]:
    """The witness as Python ints; every value must be below r."""
    raw = read_wtns_bytes(path)
    values = [int.from_bytes(row.tobytes(), "little") for row in raw]
    if any(v >= FR for v in values):
        raise FormatError(f"{path}: a witness value is not below the field prime")
    return values
