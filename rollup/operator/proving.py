"""The pipeline's Groth16 prover: one BatchProver per batch shape, keys cached on disk by circuit."""

from __future__ import annotations

import random
from pathlib import Path

from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from rollup.exchange.proving import BatchProver
from rollup.exchange.transition import BatchResult
from verifier.snarkjs_json import proof_to_json
from verifier.types import VerifyingKey


class Groth16Prover:
    """Proves applied batches (a :data:`rollup.operator.pipeline.Prover`), proof and public inputs in
    snarkjs's JSON layout; each proof is verified by BatchProver before it is returned."""

    def __init__(self, config: ExchangeConfig, key_dir: Path | None = None, backend: str = "fast",
                 rng: random.Random | None = None) -> None:  # fmt: skip
        self.config, self.key_dir, self.backend, self.rng = config, key_dir, backend, rng
        self._provers: dict[BatchShape, BatchProver] = {}

    def batch_prover(self, shape: BatchShape) -> BatchProver:
        if shape not in self._provers:
            self._provers[shape] = BatchProver(self.config, shape, self.key_dir, self.backend, self.rng)
        return self._provers[shape]

    def verifying_key(self, shape: BatchShape) -> VerifyingKey:
        return self.batch_prover(shape).verifying_key

    def __call__(self, shape: BatchShape, result: BatchResult) -> tuple[dict, list]:
        proof, public = self.batch_prover(shape).prove(result)
        return proof_to_json(proof), [str(value) for value in public]
