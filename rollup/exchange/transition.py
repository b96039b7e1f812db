"""The batch transition: apply a batch of operations by solving the batch circuit on values.

The operator supplies what only it knows (Merkle paths, leaves, signatures); every new value (leaves,
fill slots, global state, pubdata) is read back from the solved wires, so the rules live only in the
circuit. A batch that breaks a rule fails to solve, naming the broken constraint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from circuits.cs import ConstraintSystem
from circuits.exchange.batch import SLOT_TYPES, BatchDone, BatchShape, SlotDone, batch_steps
from circuits.exchange.config import ExchangeConfig
from circuits.exchange.slot import AccountWrite, SlotContext
from circuits.exchange.state_vars import declare_global, global_flat, values_of
from circuits.field import FR
from circuits.gadgets.sha256 import bits_to_bytes
from rollup.exchange.operations import Inputs, Operation, flat_path
from rollup.exchange.state import ExchangeState


@dataclass
class BatchResult:
    state: ExchangeState
    pubdata: bytes
    old_root: int
    new_root: int
    commitment: int
    assignment: dict[str, int | list[int]]
    witness: list[int]


@cache
def slot_input_sizes(config: ExchangeConfig, op_type: str) -> dict[str, int | None]:
    """Each input a slot of this type declares (relative name → list length, None for one value)."""
    cs = ConstraintSystem()
    g = declare_global(cs, "global", config)
    ctx = SlotContext(cs, config, "slot", cs.private_input("enabled"), cs.private_input("root"), g)
    for _ in SLOT_TYPES[op_type](ctx):
        pass
    # every list input of a slot has at least 3 values (a signature, siblings, a leaf's fields)
    return {
        name.removeprefix("slot."): (len(wires) if len(wires) > 1 else None)
        for name, wires in cs.names.items()
        if name.startswith("slot.")
    }


def _slot_assignment(state: ExchangeState, config: ExchangeConfig, i: int, op_type: str,
                     op: Operation | None) -> Inputs:  # fmt: skip
    """All of slot i's inputs but its account paths: the op's, or zeros for a disabled slot."""
    inputs: Inputs = {
        k: ([0] * n if n is not None else 0) for k, n in slot_input_sizes(config, op_type).items()
    }
    if op is not None:
        if op.op_type != op_type:
            raise ValueError(f"slot {i} takes a {op_type} operation, got {op.op_type}")
        inputs |= op.slot_inputs(state)
    out: Inputs = {f"slot{i}.{k}": v for k, v in inputs.items()}
    out[f"slot{i}.enabled"] = int(op is not None)
    return out


def apply_batch(state: ExchangeState, shape: BatchShape, ops: Sequence[Operation | None]) -> BatchResult:
    """Apply ``ops`` (one per slot, None for a no-op) to a copy of ``state``."""
    if len(ops) != len(shape.slots):
        raise ValueError(f"the shape has {len(shape.slots)} slots, got {len(ops)} operations")
    config = state.config
    new = state.copy()
    assignment: dict[str, int | list[int]] = {
        "accounts_root": state.tree.root,
        "global": [v % FR for v in global_flat(state.globals)],
    }
    assignment |= _slot_assignment(new, config, 0, shape.slots[0], ops[0])
    cs = ConstraintSystem(assignment)
    done: BatchDone | None = None
    for event in batch_steps(cs, config, shape):
        if isinstance(event, AccountWrite):
            slot = event.path_input.split(".")[0]
            if assignment[f"{slot}.enabled"]:
                index = event.index.value
                assignment[event.path_input] = flat_path(new.tree.path(index))
                fill = None if event.fill is None else tuple(v.value for v in event.fill)
                new.write(index, values_of(event.new), fill)
        elif isinstance(event, SlotDone):
            new.globals = values_of(event.ctx.state)
            if event.index + 1 < len(ops):
                j = event.index + 1
                assignment |= _slot_assignment(new, config, j, shape.slots[j], ops[j])
        elif isinstance(event, BatchDone):
            done = event
    assert done is not None
    pubdata = bits_to_bytes([b.value for b in done.pubdata_bits])
    return BatchResult(new, pubdata, done.old_root.value, done.new_root.value, done.commitment.value,
                       assignment, cs.witness())  # fmt: skip
