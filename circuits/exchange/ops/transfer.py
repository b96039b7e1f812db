"""Transfer: move collateral between two accounts of one key (cross ↔ isolated).

Request: (source, target, amount, isolated, source nonce) signed with the source's key; ``isolated``
is what a fresh target becomes (0 cross, m + 1 bound to market m).
Conditions: the signature and nonce; the accounts differ; the target is fresh (then it takes the
source's key and ``isolated``) or already has the source's key (then ``isolated`` must equal its
own); after funding settlement of both, the source still meets initial margin.
Effect: source collateral −= amount, its nonce + 1; target collateral += amount.
"""

from __future__ import annotations

from circuits.exchange.config import NONCE_BITS, TRANSFER_TAG
from circuits.exchange.ops.deposit import fresh_leaf
from circuits.exchange.rules import (
    assert_account_ranges,
    assert_different,
    assert_margin,
    initial_ratios,
    settle_funding,
)
from circuits.exchange.slot import SlotContext, SlotSteps, record_bits, verify_signature, write_account
from circuits.exchange.state_vars import declare_account
from circuits.gadgets.bits import assert_range
from circuits.gadgets.poseidon import poseidon_var
from verifier.pubdata_layout import TRANSFER


def transfer_slot(ctx: SlotContext) -> SlotSteps:
    cs = ctx.cs
    source, target = ctx.input("source"), ctx.input("target")
    amount, isolated = ctx.input("amount"), ctx.input("isolated")
    sig = ctx.input("sig", 3)
    old_source = declare_account(cs, f"{ctx.name}.source_old", ctx.config)
    old_target = declare_account(cs, f"{ctx.name}.target_old", ctx.config)
    fresh = ctx.input("fresh")

    record_bits(ctx, TRANSFER, {"source": source, "target": target, "amount": amount, "isolated": isolated})
    assert_range(cs, ctx.config.n_markets - cs.lc(isolated), 8, ctx.enabled)  # isolated ≤ n_markets
    message = poseidon_var(cs, [TRANSFER_TAG, source, target, amount, isolated, old_source.nonce])
    verify_signature(ctx, message, (old_source.pk_x, old_source.pk_y), sig)
    assert_different(cs, source, target, ctx.enabled, "source and target differ")

    target_leaf = fresh_leaf(ctx, fresh, old_target)
    used = 1 - cs.lc(fresh)
    for mine, theirs in ((old_target.pk_x, old_source.pk_x), (old_target.pk_y, old_source.pk_y),
                         (old_target.isolated, isolated)):  # fmt: skip
        cs.enforce(used, cs.lc(mine) - theirs, 0, "same key and binding")

    settled = settle_funding(cs, old_source, ctx.state)
    new_source = settled.replace(collateral=settled.collateral - amount, nonce=old_source.nonce + 1)
    assert_range(cs, new_source.nonce, NONCE_BITS, ctx.enabled)
    assert_account_ranges(cs, new_source, ctx.enabled)
    assert_margin(cs, new_source, ctx.state, initial_ratios(ctx.state), ctx.enabled)
    settled_target = settle_funding(cs, old_target, ctx.state)
    new_target = settled_target.replace(
        pk_x=old_source.pk_x,
        pk_y=old_source.pk_y,
        isolated=isolated,
        collateral=settled_target.collateral + amount,
    )
    assert_account_ranges(cs, new_target, ctx.enabled)

    yield from write_account(ctx, "source", source, old_source, new_source)
    yield from write_account(ctx, "target", target, old_target, new_target, old_leaf=target_leaf)
