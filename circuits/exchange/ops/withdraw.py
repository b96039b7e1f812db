"""Withdraw: move collateral out to an L1 address.

Request: (account, recipient, amount, nonce) signed with the account's key.
Conditions: the signature; the nonce equals the account's; after funding is settled and the amount
taken, the account still meets initial margin (TV ≥ IR).
Effect: collateral −= amount, nonce + 1; the contract makes the amount claimable by the recipient.
"""

from __future__ import annotations

from circuits.exchange.config import NONCE_BITS, WITHDRAW_TAG
from circuits.exchange.ops.deposit import COLLATERAL_ASSET
from circuits.exchange.rules import assert_account_ranges, assert_margin, initial_ratios, settle_funding
from circuits.exchange.slot import SlotContext, SlotSteps, record_bits, verify_signature, write_account
from circuits.exchange.state_vars import declare_account
from circuits.gadgets.bits import assert_range
from circuits.gadgets.poseidon import poseidon_var
from verifier.pubdata_layout import WITHDRAW


def withdraw_slot(ctx: SlotContext) -> SlotSteps:
    cs = ctx.cs
    index, recipient, amount = ctx.input("account"), ctx.input("recipient"), ctx.input("amount")
    sig = ctx.input("sig", 3)
    old = declare_account(cs, f"{ctx.name}.account_old", ctx.config)

    message = poseidon_var(cs, [WITHDRAW_TAG, index, recipient, amount, old.nonce])
    verify_signature(ctx, message, (old.pk_x, old.pk_y), sig)
    settled = settle_funding(cs, old, ctx.state)
    new = settled.replace(collateral=settled.collateral - amount, nonce=old.nonce + 1)
    assert_range(cs, new.nonce, NONCE_BITS, ctx.enabled)
    assert_account_ranges(cs, new, ctx.enabled)
    assert_margin(cs, new, ctx.state, initial_ratios(ctx.state), ctx.enabled)

    record_bits(
        ctx, WITHDRAW, {"account": index, "recipient": recipient, "asset": COLLATERAL_ASSET, "amount": amount}
    )
    yield from write_account(ctx, "account", index, old, new)
