"""Deposit: credit an on-chain deposit to an account.

Request: the next entry of the contract's deposit queue, keccak(l2_key ‖ asset ‖ amount), where
l2_key is the depositor's circomlib-packed Baby Jubjub key; the operator picks the account index.
Conditions: the asset is the collateral asset (0); the account is fresh (an empty leaf, all its
fields zero) or already has this key.
Effect: funding settled, collateral += amount, the key stored, the consumed-deposit count + 1.
"""

from __future__ import annotations

from functools import cache

from circuits.cs import LinearCombination as Var
from circuits.exchange.config import ExchangeConfig
from circuits.exchange.rules import assert_account_ranges, settle_funding
from circuits.exchange.slot import SlotContext, SlotSteps, record_bits, write_account
from circuits.exchange.state_vars import AccountVar, account_leaf_var, declare_account
from circuits.field import FR
from circuits.gadgets.bits import is_bits_less_than, to_bits_strict
from circuits.gadgets.merkle import SparseMerkleTree
from verifier.pubdata_layout import DEPOSIT

COLLATERAL_ASSET = 0
HALF_FIELD = (FR - 1) // 2


def packed_key_bits(ctx: SlotContext, pk_x, pk_y) -> list:
    """Message-order bits of circomlib's 32-byte packed key (y little-endian, top bit: x > (r−1)/2),
    zero when the slot is disabled."""
    cs = ctx.cs
    x_bits = to_bits_strict(cs, cs.mul(ctx.enabled, pk_x))
    y_bits = to_bits_strict(cs, cs.mul(ctx.enabled, pk_y))
    sign = 1 - is_bits_less_than(cs, x_bits, HALF_FIELD + 1)
    value_bits = [*y_bits, cs.constant(0), sign]  # 256 bits, little-endian
    return [value_bits[8 * byte + 7 - i] for byte in range(32) for i in range(8)]


def deposit_slot(ctx: SlotContext) -> SlotSteps:
    cs = ctx.cs
    index = ctx.input("account")
    pk_x, pk_y = ctx.input("pk_x"), ctx.input("pk_y")
    amount = ctx.input("amount")
    fresh = ctx.input("fresh")
    old = declare_account(cs, f"{ctx.name}.account_old", ctx.config)

    old_leaf = fresh_leaf(ctx, fresh, old)
    used = 1 - cs.lc(fresh)  # a used account must already have this key
    cs.enforce(used, cs.lc(old.pk_y) - pk_y, 0, "deposit key y")
    cs.enforce(used, cs.lc(old.pk_x) - pk_x, 0, "deposit key x")
    settled = settle_funding(cs, old, ctx.state)
    new = settled.replace(pk_x=pk_x, pk_y=pk_y, collateral=settled.collateral + amount)
    assert_account_ranges(cs, new, ctx.enabled)
    ctx.state = ctx.state.replace(deposits=ctx.state.deposits + ctx.enabled)

    record_bits(
        ctx,
        DEPOSIT,
        {"asset": COLLATERAL_ASSET, "amount": amount, "account": index},
        ready={"l2_key": packed_key_bits(ctx, pk_x, pk_y)},
    )
    yield from write_account(ctx, "account", index, old, new, old_leaf=old_leaf)


def fresh_leaf(ctx: SlotContext, fresh: Var, old: AccountVar) -> Var:
    """The leaf ``old`` is proven against: 0 for a fresh account (bit ``fresh``, and then every
    field must be zero, the fill slots empty), else its hash."""
    cs = ctx.cs
    cs.assert_bool(fresh)
    empty = old.replace(orders_root=cs.lc(old.orders_root) - empty_orders_root(ctx.config))
    for value in empty.flat():
        cs.enforce(fresh, value, 0, "fresh account is empty")
    return cs.mul(1 - cs.lc(fresh), account_leaf_var(cs, old))


@cache
def empty_orders_root(config: ExchangeConfig) -> int:
    return SparseMerkleTree(config.order_depth, 4).root
