"""What every slot shares: its context (enabled bit, running roots and global state, pubdata bits),
the account write that updates the tree once per touched account, and record encoding.

A slot is a generator: it yields an :class:`AccountWrite` before declaring each account's Merkle
path, so an operator solving the circuit can supply the path in the tree as it stands after the
writes before (and read the new leaf from the solved wires). Compiling ignores the events.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.exchange.config import AMOUNT_BITS, ExchangeConfig
from circuits.exchange.state_vars import AccountVar, GlobalVar, account_leaf_var
from circuits.gadgets.bits import to_bits
from circuits.gadgets.eddsa_var import eddsa_verify_var
from circuits.gadgets.merkle import merkle_update_var
from verifier.pubdata_layout import RecordLayout

Var = LinearCombination


@dataclass(frozen=True)
class AccountWrite:
    """A slot is about to write ``new`` at ``index`` and reads the Merkle path next, from input
    ``path_input``; ``fill`` is (slot index, order id, filled) when an order's fill slot changes."""

    lane: str
    path_input: str
    index: Var
    new: AccountVar
    fill: tuple[Var, Var, Var] | None = None


@dataclass
class SlotContext:
    """Running state across a batch's slots: the accounts root, the global state, pubdata bits."""

    cs: ConstraintSystem
    config: ExchangeConfig
    name: str  # input prefix, e.g. "slot3"
    enabled: Var
    accounts_root: Var
    state: GlobalVar
    bits: list[Var] = field(default_factory=list)

    def input(self, field_name: str, n: int | None = None) -> Var | list[Var]:
        return self.cs.private_input(f"{self.name}.{field_name}", n)

    def siblings(self, field_name: str, depth: int) -> list[list[Var]]:
        flat = self.input(field_name, 3 * depth)
        return [flat[3 * i : 3 * i + 3] for i in range(depth)]


SlotSteps = Generator[AccountWrite, None, None]


def write_account(
    ctx: SlotContext,
    lane: str,
    index: Operand,
    old: AccountVar,
    new: AccountVar,
    fill: tuple[Var, Var, Var] | None = None,
    old_leaf: Var | None = None,
) -> SlotSteps:
    """Prove ``old`` (or ``old_leaf`` when given) at ``index`` under the running root and write
    ``new`` (when enabled)."""
    cs = ctx.cs
    index = cs.lc(index)
    yield AccountWrite(lane, f"{ctx.name}.{lane}.path", index, new, fill)
    siblings = ctx.siblings(f"{lane}.path", ctx.config.account_depth)
    old_leaf = account_leaf_var(cs, old) if old_leaf is None else old_leaf
    ctx.accounts_root = merkle_update_var(
        cs, ctx.accounts_root, old_leaf, account_leaf_var(cs, new), index, siblings, 4, ctx.enabled
    )


def verify_signature(ctx: SlotContext, message: Var, key: tuple[Operand, Operand], sig: list[Var]) -> None:
    """EdDSA-Poseidon signature ``sig`` = (R8.x, R8.y, S) on ``message`` by ``key``, when enabled."""
    r8x, r8y, s = sig
    with ctx.cs.scope("signature"):
        eddsa_verify_var(ctx.cs, message, key, (r8x, r8y), s, ctx.enabled)


def credit_fund(ctx: SlotContext, amount: Operand) -> None:
    """Add ``amount`` (negative to pay out) to the insurance fund when enabled; the fund must stay
    in [0, 2^64), so a fund that cannot pay makes the operation invalid."""
    cs = ctx.cs
    insurance = ctx.state.insurance + cs.mul(ctx.enabled, amount)
    with cs.scope("insurance fund"):
        to_bits(cs, cs.mul(ctx.enabled, insurance), AMOUNT_BITS)
    ctx.state = ctx.state.replace(insurance=insurance)


def field_bits(cs: ConstraintSystem, value: Operand, width: int) -> list[Var]:
    """Message-order (big-endian) bits of a value known to fit ``width`` bytes; decomposing it also
    range-checks it to 8·width bits."""
    return list(reversed(to_bits(cs, value, 8 * width)))


def record_bits(
    ctx: SlotContext,
    layout: RecordLayout,
    values: Mapping[str, Operand],
    ready: Mapping[str, Sequence[Var]] | None = None,
) -> None:
    """Append the record's bits: the op code, then each field (signed ones offset by 2^(8w−1)),
    all multiplied by the enabled bit so a disabled slot contributes zero bytes (no-op records).
    ``ready`` gives message-order bits of fields already decomposed and gated by the caller."""
    cs = ctx.cs
    ctx.bits += [ctx.enabled.scale((layout.op_code >> (7 - i)) & 1) for i in range(8)]
    for f in layout.fields:
        if ready and f.name in ready:
            ctx.bits += list(ready[f.name])
            continue
        value = cs.lc(values[f.name]) + ((1 << (8 * f.width - 1)) if f.signed else 0)
        ctx.bits += field_bits(cs, cs.mul(ctx.enabled, value), f.width)
