"""The proven-batch file: everything ``submitBatch`` needs, and what a reader needs to check it.

One JSON object (docs/batch_file.md): the batch number, old and new state roots, the pubdata, the
deposits it consumes from the on-chain queue, the public inputs and the proof in snarkjs's layouts.
Loading checks that the parts agree with each other (the public input is the commitment of the roots
and pubdata, the deposit count matches the records), so a damaged file is refused before it costs gas.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.commitment import batch_commitment
from verifier.curve import R_MODULUS
from verifier.pubdata_layout import PubdataError, decode_records
from verifier.snarkjs_json import JsonFormatError, proof_from_json, proof_to_json, public_from_json
from verifier.types import Proof

FORMAT = "zkclear-proven-batch/1"


@dataclass(frozen=True)
class Withdrawal:
    recipient: str  # 0x-address
    amount: int  # quanta of the collateral


@dataclass(frozen=True)
class ProvenBatch:
    """A sealed, proven batch: its roots, pubdata and Groth16 proof of the commitment."""

    batch_number: int
    old_root: int
    new_root: int
    pubdata: bytes
    first_deposit: int  # queue index of the first deposit the batch consumes
    proof: Proof
    public: tuple[int, ...]
    shape: tuple[str, ...] = ()  # the batch circuit's slot types, for the reader

    @property
    def commitment(self) -> int:
        return batch_commitment(self.old_root, self.new_root, self.pubdata)

    @property
    def deposit_count(self) -> int:
        return sum(name == "deposit" for name, _ in decode_records(self.pubdata))

    @property
    def withdrawals(self) -> list[Withdrawal]:
        return [
            Withdrawal(f"0x{fields['recipient']:040x}", fields["amount"])
            for name, fields in decode_records(self.pubdata)
            if name == "withdraw"
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "batch_number": self.batch_number,
            "old_root": f"0x{self.old_root:064x}",
            "new_root": f"0x{self.new_root:064x}",
            "commitment": str(self.commitment),
            "pubdata": "0x" + self.pubdata.hex(),
            "deposits": {"first": self.first_deposit, "count": self.deposit_count},
            "shape": list(self.shape),
            "public": [str(v) for v in self.public],
            "proof": proof_to_json(self.proof),
        }


def save_batch(batch: ProvenBatch, path: str | Path) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(batch.to_json(), indent=1) + "\n")
    tmp.replace(path)


def load_batch(path: str | Path) -> ProvenBatch:
    """Read and cross-check a proven-batch file; raises JsonFormatError naming the file and the problem."""
    try:
        obj = json.loads(Path(path).read_text())
    except OSError as exc:
        raise JsonFormatError(f"{path}: cannot read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JsonFormatError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise JsonFormatError(f'{path}: not a proven batch (expected "format": "{FORMAT}")')
    try:
        deposits = _get(obj, "deposits", dict, path)
        shape = obj.get("shape", [])
        if not isinstance(shape, list) or not all(isinstance(s, str) for s in shape):
            raise JsonFormatError(f"{path}: shape must be a list of slot types")
        batch = ProvenBatch(
            batch_number=_count(_get(obj, "batch_number", int, path), "batch_number", path),
            old_root=_root(_get(obj, "old_root", str, path), "old_root", path),
            new_root=_root(_get(obj, "new_root", str, path), "new_root", path),
            pubdata=_hex_bytes(_get(obj, "pubdata", str, path), path),
            first_deposit=_count(_get(deposits, "first", int, path), "deposits.first", path),
            proof=proof_from_json(_get(obj, "proof", dict, path), f"{path}: proof"),
            public=tuple(public_from_json(_get(obj, "public", list, path), f"{path}: public")),
            shape=tuple(shape),
        )
        count = _get(deposits, "count", int, path)
        if count != batch.deposit_count:
            raise JsonFormatError(f"{path}: deposits.count is {count}, the pubdata has {batch.deposit_count}")
    except PubdataError as exc:
        raise JsonFormatError(f"{path}: pubdata: {exc}") from exc
    if batch.public != (batch.commitment,):
        raise JsonFormatError(f"{path}: the public input is not the commitment of the roots and pubdata")
    if "commitment" in obj and obj["commitment"] != str(batch.commitment):
        raise JsonFormatError(f"{path}: commitment does not match the roots and pubdata")
    return batch


def _get(obj: dict[str, Any], key: str, kind: type, path: str | Path) -> Any:
    if key not in obj:
        raise JsonFormatError(f"{path}: missing {key!r}")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise JsonFormatError(f"{path}: {key!r} must be a JSON {kind.__name__}")
    return value


def _count(value: int, name: str, path: str | Path) -> int:
    if not 0 <= value < 1 << 64:
        raise JsonFormatError(f"{path}: {name} must be in [0, 2^64)")
    return value


def _hex_bytes(text: str, path: str | Path) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError as exc:
        raise JsonFormatError(f"{path}: pubdata is not hex") from exc


def _root(text: str, name: str, path: str | Path) -> int:
    try:
        value = int(text, 16)
    except ValueError as exc:
        raise JsonFormatError(f"{path}: {name} is not hex") from exc
    if not 0 <= value < R_MODULUS:
        raise JsonFormatError(f"{path}: {name} is not a field element")
    return value
