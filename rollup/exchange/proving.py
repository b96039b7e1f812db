"""Proving exchange batches: the batch circuit's keys, made once per circuit and cached on disk.

Keys come from the development setup (:mod:`prover.dev_setup`): seconds instead of a ceremony,
and forgeable by whoever kept the toxic waste, so a real deployment replaces the cached ``.zkey``
with one from a public ceremony and a phase-2 contribution (same file name, same format).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from circuits.cs import compile_circuit
from circuits.exchange.batch import BatchShape, batch_circuit
from circuits.exchange.config import ExchangeConfig
from circuits.r1cs import R1CS, r1cs_digest
from prover.dev_setup import dev_setup
from prover.groth16 import prove
from prover.keys import ProvingKey
from prover.zkey import read_zkey, write_zkey
from rollup.exchange.transition import BatchResult
from verifier.types import Proof, VerifyingKey


def default_key_dir() -> Path:
    """Where batch keys are cached: ``$ZKCLEAR_KEY_DIR`` or ``~/.cache/zkclear/keys``."""
    return Path(os.environ.get("ZKCLEAR_KEY_DIR") or Path.home() / ".cache" / "zkclear" / "keys")


def load_or_make_key(r1cs: R1CS, key_dir: Path, rng: random.Random | None = None) -> tuple[ProvingKey, Path]:
    """The cached key of this exact circuit, or a new development key written there atomically."""
    path = key_dir / f"batch-{r1cs_digest(r1cs)[:24]}.zkey"
    if path.exists():
        return read_zkey(path), path
    key_dir.mkdir(parents=True, exist_ok=True)
    pk = dev_setup(r1cs, rng)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    write_zkey(pk, partial)
    os.replace(partial, path)  # a crash leaves no half-written key under the real name
    return pk, path


class BatchProver:
    """Proves batches of one shape: compiles the circuit, loads or makes its key."""

    def __init__(
        self,
        config: ExchangeConfig,
        shape: BatchShape,
        key_dir: Path | None = None,
        backend: str = "fast",
        rng: random.Random | None = None,
    ) -> None:
        self.config, self.shape, self.backend = config, shape, backend
        self.r1cs = compile_circuit(batch_circuit(config, shape))
        self.proving_key, self.key_path = load_or_make_key(self.r1cs, key_dir or default_key_dir(), rng)
        if (self.proving_key.n_vars, self.proving_key.n_public) != (self.r1cs.n_wires, self.r1cs.n_public):
            raise ValueError(f"{self.key_path} does not belong to this batch circuit")

    @property
    def verifying_key(self) -> VerifyingKey:
        return self.proving_key.verifying_key()

    def prove(self, result: BatchResult) -> tuple[Proof, list[int]]:
        """The batch's proof and public inputs ([commitment]); the proof is verified before it is returned."""
        proof, public = prove(self.proving_key, result.witness, backend=self.backend, r1cs=self.r1cs)
        if public != [result.commitment]:
            raise ValueError("the proof's public input is not the batch commitment")
        return proof, public
