"""The iden3 binary container shared by .r1cs, .wtns, .zkey and .ptau files.

A file is a 4-byte magic, a u32 version, a u32 section count, then sections of
(u32 type, u64 size, bytes). Readers get a map from section type to its byte ranges; a section's
bytes are read from the file when asked for, so a large key is never held twice (whole file, then
arrays) and big sections can go straight into the arrays the prover works on.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class FormatError(ValueError):
    """A file is truncated, corrupted or of the wrong kind; the message names the file."""


@dataclass
class BinFile:
    """A parsed container: its path, version and where each section lies (read on demand)."""

    path: str
    version: int
    sections: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def _span(self, kind: int) -> tuple[int, int]:
        spans = self.sections.get(kind)
        if not spans:
            raise FormatError(f"{self.path}: section {kind} is missing")
        if len(spans) > 1:
            raise FormatError(f"{self.path}: section {kind} appears {len(spans)} times")
        return spans[0]

    def section_size(self, kind: int) -> int:
        return self._span(kind)[1]

    def section(self, kind: int) -> memoryview:
        """The bytes of the one section of this type."""
        out = bytearray(self.section_size(kind))
        self._read_into(kind, memoryview(out))
        return memoryview(out)

    def section_into(self, kind: int, out: np.ndarray) -> np.ndarray:
        """Read the section's bytes straight into ``out`` (C-contiguous, exactly the section's size)
        and return it: one copy from the file, into aligned writable memory the kernels take."""
        size = self.section_size(kind)
        if not out.flags.c_contiguous or out.nbytes != size:
            raise FormatError(f"{self.path}: section {kind} has {size} bytes, not {out.nbytes}")
        self._read_into(kind, memoryview(out.reshape(-1).view(np.uint8)))
        return out

    def has(self, kind: int) -> bool:
        return kind in self.sections

    def _read_into(self, kind: int, buf: memoryview) -> None:
        start, size = self._span(kind)
        try:
            with open(self.path, "rb") as fh:
                fh.seek(start)
                got = fh.readinto(buf) if size else 0
        except OSError as exc:
            raise FormatError(f"{self.path}: cannot read ({exc.strerror})") from exc
        if got != size:
            raise FormatError(f"{self.path}: section {kind} ends early (the file changed while read?)")


def read_binfile(path: str | Path, magic: bytes, max_version: int) -> BinFile:
    """Parse the container of an iden3 binary file, checking magic, version and section bounds."""
    path = str(path)
    try:
        with open(path, "rb") as fh:
            length = os.fstat(fh.fileno()).st_size
            head = fh.read(12)
            if len(head) < 12:
                raise FormatError(f"{path}: too short to be a {magic.decode()} file")
            if head[:4] != magic:
                raise FormatError(f"{path}: not a {magic.decode()} file (magic {head[:4]!r})")
            version, n_sections = struct.unpack_from("<II", head, 4)
            if version < 1 or version > max_version:
                raise FormatError(f"{path}: unsupported {magic.decode()} version {version}")
            parsed = BinFile(path, version)
            offset = 12
            for _ in range(n_sections):
                entry = fh.read(12)
                if len(entry) < 12:
                    raise FormatError(f"{path}: truncated in the section table")
                kind, size = struct.unpack("<IQ", entry)
                offset += 12
                if offset + size > length:
                    raise FormatError(f"{path}: section {kind} runs past the end of the file (truncated?)")
                parsed.sections.setdefault(kind, []).append((offset, size))
                offset += size
                fh.seek(offset)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read ({exc.strerror})") from exc
    if offset != length:
        raise FormatError(f"{path}: {length - offset} unexpected bytes after the last section")
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
