"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau files.

A file is a 4-byte magic, a u32 version, a u32 section count, then sections of
(u32 type, u64 size, bytes). Readers get a map from section type to its byte ranges.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path


class FormatError(ValueError):
    """A file is truncated, corrupted or of the wrong kind; the message names the file."""


@dataclass
class BinFile:
    """A parsed container: the raw bytes and where each section lies."""

    path: str
    data: bytes
    version: int
    sections: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def section(self, kind: int) -> memoryview:
        """The bytes of the one section of this type."""
        spans = self.sections.get(kind)
        if not spans:
            raise FormatError(f"{self.path}: section {kind} is missing")
        if len(spans) > 1:
            raise FormatError(f"{self.path}: section {kind} appears {len(spans)} times")
        start, size = spans[0]
        return memoryview(self.data)[start : start + size]

    def has(self, kind: int) -> bool:
        return kind in self.sections


def read_binfile(path: str | Path, magic: bytes, max_version: int) -> BinFile:
    """Parse the container of an iden3 binary file, checking magic, version and section bounds."""
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror})") from exc
    if len(data) < 12:
        raise FormatError(f"{path}: too short to be a {magic.decode()} file")
    if data[:4] != magic:
        raise FormatError(f"{path}: not a {magic.decode()} file (magic {data[:4]!r})")
    version, n_sections = struct.unpack_from("<II", data, 4)
    if version < 1 or version > max_version:
        raise FormatError(f"{path}: unsupported {magic.decode()} version {version}")
    parsed = BinFile(path, data, version)
    offset = 12
    for _ in range(n_sections):
        if offset + 12 > len(data):
            raise FormatError(f"{path}: truncated in the section table")
        kind, size = struct.unpack_from("<IQ", data, offset)
        offset += 12
        if offset + size > len(data):
            raise FormatError(f"{path}: section {kind} runs past the end of the file (truncated?)")
        parsed.sections.setdefault(kind, []).append((offset, size))
        offset += size
    if offset != len(data):
        raise FormatError(f"{path}: {len(data) - offset} unexpected bytes after the last section")
    return parsed


def write_binfile(path: str | Path, magic: bytes, version: int, sections: list[tuple[int, bytes]]) -> None:
    """Write a container; the file appears whole or not at all (written aside, then renamed)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    with open(tmp, "wb") as out:
        out.write(magic + struct.pack("<II", version, len(sections)))
        for kind, payload in sections:
            out.write(struct.pack("<IQ", kind, len(payload)))
            out.write(payload)
    tmp.replace(path)


def read_field_header(buf: memoryview, path: str, expected_prime: int) -> tuple[int, int]:
    """Read (n8, prime) at the start of a header section and check the prime."""
    if len(buf) < 4:
        raise FormatError(f"{path}: header truncated")
    (n8,) = struct.unpack_from("<I", buf, 0)
    if n8 != 32 or len(buf) < 4 + n8:
        raise FormatError(f"{path}: field element size {n8}, expected 32")
    prime = int.from_bytes(buf[4 : 4 + n8], "little")
    if prime != expected_prime:
        raise FormatError(f"{path}: field prime {prime} is not BN254's")
    return n8, prime
