"""Fills a batch's fixed slots with operations in arrival order.

Operations keep their order inside a batch (each was checked against the state left by the one
before), so an op goes to the first free slot of its type after the last slot used; when there is
none the batch must be sealed first, its unused slots left as no-ops. A batch is also sealed when
its last slot is used or when its oldest operation has waited ``deadline`` seconds.
"""

from __future__ import annotations

from circuits.exchange.batch import BatchShape
from rollup.exchange.operations import Operation
from rollup.operator.refusals import OpRefused, Refusal


class OpenBatch:
    """The batch being filled: its id, its slots (None = no-op) and when its first op arrived."""

    def __init__(self, shape: BatchShape, batch_id: int) -> None:
        self.shape = shape
        self.batch_id = batch_id
        self.slots: list[Operation | None] = [None] * len(shape.slots)
        self.last = -1
        self.opened_at: float | None = None

    @property
    def empty(self) -> bool:
        return self.last < 0

    @property
    def full(self) -> bool:
        return self.last == len(self.slots) - 1

    def slot_for(self, op_type: str) -> int | None:
        """The slot ``op_type`` would take, or None when the batch must be sealed first."""
        if op_type not in self.shape.slots:
            raise OpRefused(Refusal.MALFORMED, f"the batch shape has no {op_type} slot")
        for slot in range(self.last + 1, len(self.slots)):
            if self.shape.slots[slot] == op_type:
                return slot
        return None

    def put(self, slot: int, op: Operation, queued_at: float) -> None:
        if slot <= self.last or self.shape.slots[slot] != op.op_type:
            raise ValueError(f"slot {slot} cannot take a {op.op_type} after slot {self.last}")
        self.slots[slot] = op
        self.last = slot
        if self.opened_at is None:
            self.opened_at = queued_at

    def due(self, now: float, deadline: float) -> bool:
        """Whether its oldest operation has waited ``deadline`` seconds."""
        return self.opened_at is not None and now - self.opened_at >= deadline
