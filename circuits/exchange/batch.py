"""The batch circuit: global state and accounts root in, a fixed sequence of slots, the new state
root and the commitment sha256(old root ‖ new root ‖ pubdata) (low 253 bits) as the single public
output. Each slot has a type fixed by the :class:`BatchShape`; an input bit enables it, and a
disabled slot changes nothing and writes zero bytes (no-op records)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

from circuits.cs import ConstraintSystem, LinearCombination
from circuits.exchange.config import ExchangeConfig
from circuits.exchange.ops.deleverage import deleverage_slot
from circuits.exchange.ops.deposit import deposit_slot
from circuits.exchange.ops.funding import funding_slot
from circuits.exchange.ops.liquidate import liquidate_slot
from circuits.exchange.ops.oracle import oracle_slot
from circuits.exchange.ops.trade import trade_slot
from circuits.exchange.ops.transfer import transfer_slot
from circuits.exchange.ops.withdraw import withdraw_slot
from circuits.exchange.slot import AccountWrite, SlotContext, SlotSteps
from circuits.exchange.state_vars import declare_global, state_root_var
from circuits.gadgets.bits import from_bits, to_bits_strict
from circuits.gadgets.sha256 import sha256_var
from verifier.pubdata_layout import BY_NAME

Var = LinearCombination
COMMITMENT_BITS = 253

SLOT_TYPES: dict[str, Callable[[SlotContext], SlotSteps]] = {
    "deposit": deposit_slot,
    "withdraw": withdraw_slot,
    "trade": trade_slot,
    "liquidate": liquidate_slot,
    "transfer": transfer_slot,
    "deleverage": deleverage_slot,
    "oracle": oracle_slot,
    "funding": funding_slot,
}


@dataclass(frozen=True)
class BatchShape:
    """The op type of each slot, in order, e.g. ("oracle", "deposit", "trade", "trade")."""

    slots: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [s for s in self.slots if s not in SLOT_TYPES]
        if unknown or not self.slots:
            raise ValueError(f"a batch needs slots of types {sorted(SLOT_TYPES)}, got {list(self.slots)}")

    @property
    def pubdata_bytes(self) -> int:
        return sum(BY_NAME[s].width for s in self.slots)


@dataclass(frozen=True)
class SlotDone:
    """Slot ``index`` is solved; ``ctx`` holds the running state after it."""

    index: int
    ctx: SlotContext


@dataclass(frozen=True)
class BatchDone:
    old_root: Var
    new_root: Var
    pubdata_bits: list[Var]
    commitment: Var


BatchEvent = AccountWrite | SlotDone | BatchDone


def _root_bits(cs: ConstraintSystem, root: Var) -> list[Var]:
    """A root as 32 big-endian bytes, in message order (its unique 254-bit form, two zero bits on top)."""
    return [cs.constant(0), cs.constant(0), *reversed(to_bits_strict(cs, root))]


def batch_steps(
    cs: ConstraintSystem, config: ExchangeConfig, shape: BatchShape
) -> Generator[BatchEvent, None, None]:
    """The batch circuit as a sequence of steps (see :mod:`circuits.exchange.slot` for the events)."""
    accounts_root = cs.private_input("accounts_root")
    state = declare_global(cs, "global", config)
    old_root = state_root_var(cs, accounts_root, state)
    pubdata: list[Var] = []
    for i, op in enumerate(shape.slots):
        enabled = cs.private_input(f"slot{i}.enabled")
        cs.assert_bool(enabled)
        ctx = SlotContext(cs, config, f"slot{i}", enabled, accounts_root, state)
        with cs.scope(f"slot{i}.{op}"):
            yield from SLOT_TYPES[op](ctx)
        yield SlotDone(i, ctx)
        accounts_root, state = ctx.accounts_root, ctx.state
        pubdata += ctx.bits
    new_root = state_root_var(cs, accounts_root, state)
    digest = sha256_var(cs, _root_bits(cs, old_root) + _root_bits(cs, new_root) + pubdata)
    commitment = from_bits(cs, list(reversed(digest[256 - COMMITMENT_BITS :])))
    cs.public_output(commitment, "commitment")
    yield BatchDone(old_root, new_root, pubdata, commitment)


def batch_circuit(config: ExchangeConfig, shape: BatchShape) -> Callable[[ConstraintSystem], None]:
    """``define(cs)`` for compile_circuit/solve: the steps run without an operator."""

    def define(cs: ConstraintSystem) -> None:
        for _ in batch_steps(cs, config, shape):
            pass

    return define
