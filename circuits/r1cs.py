"""Rank-1 constraint systems: the data type, the satisfaction check, and iden3 ``.r1cs`` files."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from pathlib import Path

from circuits.binfile import FormatError, read_binfile, read_field_header, write_binfile
from circuits.field import FR

Terms = dict[int, int]
Constraint = tuple[Terms, Terms, Terms]

_HEADER, _CONSTRAINTS, _WIRE2LABEL = 1, 2, 3


class UnsatisfiedConstraint(ValueError):
    """A witness breaks constraint ``index``; ``label`` says where it was written."""

    def __init__(self, index: int, label: str) -> None:
        super().__init__(f"constraint {index} is not satisfied ({label})")
        self.index = index
        self.label = label


@dataclass
class R1CS:
    """Constraints A·w ∘ B·w = C·w over Fr, with wires in iden3 order:
    one, public outputs, public inputs, private inputs, internal."""

    n_wires: int
    n_outputs: int
    n_pub_inputs: int
    n_prv_inputs: int
    constraints: list[Constraint]
    labels: list[str] = field(default_factory=list)

    @property
    def n_public(self) -> int:
        """Public signals, not counting the constant wire 0."""
        return self.n_outputs + self.n_pub_inputs

    @property
    def n_constraints(self) -> int:
        return len(self.constraints)

    def first_unsatisfied(self, witness: list[int]) -> int | None:
        """Index of the first constraint the witness breaks, or None."""
        if len(witness) != self.n_wires:
            raise ValueError(f"witness has {len(witness)} values, the circuit {self.n_wires} wires")
        if witness[0] != 1:
            return -1
        for i, (a, b, c) in enumerate(self.constraints):
            va = sum(k * witness[w] for w, k in a.items())
            vb = sum(k * witness[w] for w, k in b.items())
            vc = sum(k * witness[w] for w, k in c.items())
            if (va * vb - vc) % FR:
                return i
        return None

    def check(self, witness: list[int]) -> None:
        """Raise :class:`UnsatisfiedConstraint` naming the first broken constraint."""
        bad = self.first_unsatisfied(witness)
        if bad == -1:
            raise UnsatisfiedConstraint(0, "witness[0] must be 1")
        if bad is not None:
            label = self.labels[bad] if bad < len(self.labels) and self.labels[bad] else "unlabelled"
            raise UnsatisfiedConstraint(bad, label)

    def public_values(self, witness: list[int]) -> list[int]:
        return witness[1 : 1 + self.n_public]


def _pack_terms(terms: Terms) -> bytes:
    out = [struct.pack("<I", len(terms))]
    for wire in sorted(terms):
        out.append(struct.pack("<I", wire) + (terms[wire] % FR).to_bytes(32, "little"))
    return b"".join(out)


def _header_and_body(r1cs: R1CS) -> tuple[bytes, bytes]:
    header = struct.pack("<I", 32) + FR.to_bytes(32, "little") + struct.pack(
        "<IIIIQI",
        r1cs.n_wires,
        r1cs.n_outputs,
        r1cs.n_pub_inputs,
        r1cs.n_prv_inputs,
        r1cs.n_wires,
        r1cs.n_constraints,
    )
    body = b"".join(_pack_terms(a) + _pack_terms(b) + _pack_terms(c) for a, b, c in r1cs.constraints)
    return header, body


def r1cs_digest(r1cs: R1CS) -> str:
    """SHA-256 (hex) of the circuit's shape and constraints: names a circuit in a key cache."""
    header, body = _header_and_body(r1cs)
    return hashlib.sha256(header + body).hexdigest()


def write_r1cs(r1cs: R1CS, path: str | Path) -> None:
    """Write an iden3 ``.r1cs`` file (version 1) that circom and snarkjs read."""
    header, body = _header_and_body(r1cs)
    labels = b"".join(struct.pack("<Q", i) for i in range(r1cs.n_wires))
    write_binfile(path, b"r1cs", 1, [(_HEADER, header), (_CONSTRAINTS, body), (_WIRE2LABEL, labels)])


def read_r1cs(path: str | Path) -> R1CS:
    """Read an iden3 ``.r1cs`` file (circom's or ours)."""
    f = read_binfile(path, b"r1cs", 1)
    head = f.section(_HEADER)
    read_field_header(head, f.path, FR)
    if len(head) < 36 + 28:
        raise FormatError(f"{f.path}: header truncated")
    n_wires, n_out, n_pub, n_prv, _n_labels, m = struct.unpack_from("<IIIIQI", head, 36)
    if 1 + n_out + n_pub > n_wires:  # circom's optimiser may drop private inputs, never public ones
        raise FormatError(f"{f.path}: more public signals than wires")
    body = f.section(_CONSTRAINTS)
    constraints: list[Constraint] = []
    pos = 0
    try:
        for _ in range(m):
            lcs = []
            for _ in range(3):
                (n,) = struct.unpack_from("<I", body, pos)
                pos += 4
                terms: Terms = {}
                for _ in range(n):
                    if pos + 36 > len(body):
                        raise struct.error("short term")
                    (wire,) = struct.unpack_from("<I", body, pos)
                    coeff = int.from_bytes(body[pos + 4 : pos + 36], "little")
                    if wire >= n_wires or coeff >= FR:
                        raise FormatError(f"{f.path}: term out of range (wire {wire})")
                    pos += 36
                    terms[wire] = coeff
                lcs.append(terms)
            constraints.append((lcs[0], lcs[1], lcs[2]))
    except struct.error as exc:
        raise FormatError(f"{f.path}: constraint section truncated") from exc
    if pos != len(body):
        raise FormatError(f"{f.path}: constraint section has {len(body) - pos} trailing bytes")
    return R1CS(n_wires, n_out, n_pub, n_prv, constraints)
