"""A sealed batch's way to the chain: applied (witness, pubdata, roots), proved, submitted, settled.

Each step's result is committed before the next starts, so a restart resumes each batch where it
stopped; applying is repeated when a proof is still needed (the witness is not stored)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from circuits.exchange.batch import BatchShape
from rollup.exchange.operations import Operation
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import BatchResult, apply_batch
from rollup.operator.store import BatchRow, Store

Prover = Callable[[BatchShape, BatchResult], tuple[dict, list]]
"""(shape, applied batch) -> (proof, public signals) in snarkjs's JSON layout."""


class Settlement(Protocol):
    """Where proved batches go: ``submit`` returns a transaction id, ``settled`` says it is final."""

    def submit(self, batch: BatchRow) -> str: ...

    def settled(self, tx: str) -> bool: ...


class PipelineError(RuntimeError):
    """The circuit disagrees with the operator's view of a batch (a bug, never a user error)."""


def apply_sealed(store: Store, batch: BatchRow, before: ExchangeState, ops: Sequence[Operation | None],
                 expected_root: int) -> BatchResult:  # fmt: skip
    """Solve the batch circuit on ``ops``; record roots and pubdata the first time, check them after."""
    result = apply_batch(before, BatchShape(batch.shape), ops)
    if result.new_root != expected_root:
        raise PipelineError(f"batch {batch.id}: the circuit's root differs from the operator's replay")
    if batch.pubdata is None:
        with store.transaction():
            store.record_applied(batch.id, result.old_root, result.new_root, result.commitment,
                                 result.pubdata)  # fmt: skip
    elif (batch.pubdata, batch.commitment) != (result.pubdata, result.commitment):
        raise PipelineError(f"batch {batch.id}: applying it again gave another result")
    return result


def advance_batch(
    store: Store, batch_id: int, before: ExchangeState, ops: Sequence[Operation | None], expected_root: int,
    prover: Prover | None, settlement: Settlement | None,
) -> str:  # fmt: skip
    """Take one batch as far as the prover and settlement allow; returns its status."""
    batch = store.batch(batch_id)
    if batch.status == "sealed" and (prover is not None or batch.pubdata is None):
        result = apply_sealed(store, batch, before, ops, expected_root)
        if prover is None:
            return batch.status
        proof, public = prover(BatchShape(batch.shape), result)
        with store.transaction():
            store.record_proved(batch.id, proof, public)
        batch = store.batch(batch_id)
    if settlement is None:
        return batch.status
    if batch.status == "proved":
        tx = settlement.submit(batch)
        with store.transaction():
            store.record_submitted(batch.id, tx)
        batch = store.batch(batch_id)
    if batch.status == "submitted" and settlement.settled(batch.tx):
        with store.transaction():
            store.record_settled(batch.id)
        batch = store.batch(batch_id)
    return batch.status
