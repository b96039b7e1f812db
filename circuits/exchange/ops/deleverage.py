"""Deleverage: close (part of) a bankrupt account's position against an opposite one, when the
insurance fund cannot absorb its shortfall.

Request: from the operator: the deleveraged account, the counterparty, the market, the size in
lots and a price (quote units per lot, off the tick grid so the bankrupt account can be closed at
its bankruptcy price).
Conditions: the deleveraged account, after funding settlement, is bankrupt beyond the fund:
TV < 0 and insurance + TV < 0; both positions only shrink (they are opposite); the price is on
the bankrupt account's good side of the oracle (its TV does not fall) and no better than its
bankruptcy price (its TV afterwards is below one quote unit per lot deleveraged); the counterparty
stays at or above maintenance margin. Which opposite position is deleveraged (the most profitable
first) is the operator's policy; the circuit does not rank positions.
Effect: both positions shrink by the size at that price, without fees; if the bankrupt account is
left with no position and negative collateral, the fund absorbs it (it cannot go below 0).
"""

from __future__ import annotations

from circuits.exchange.config import AMOUNT_BITS
from circuits.exchange.rules import (
    assert_account_ranges,
    assert_different,
    assert_margin,
    assert_reduce_only,
    market_onehot,
    pick,
    settle_funding,
    shortfall,
)
from circuits.exchange.slot import SlotContext, SlotSteps, credit_fund, record_bits, write_account
from circuits.exchange.state_vars import AccountVar, declare_account
from circuits.gadgets.bits import assert_range
from verifier.pubdata_layout import DELEVERAGE

TV_BITS = 140  # |TV| < 2^130 for ≤ 5 markets of 64-bit positions and prices


def total_value(cs, account: AccountVar, g) -> object:
    return sum((cs.mul(p, m["price"]) for p, m in zip(account.positions, g.markets, strict=True)),
               cs.lc(account.collateral))  # fmt: skip


def deleverage_slot(ctx: SlotContext) -> SlotSteps:
    cs, g = ctx.cs, ctx.state
    market, bankrupt_buys = ctx.input("market"), ctx.input("bankrupt_buys")
    size_lots, price = ctx.input("size_lots"), ctx.input("price")
    index, other = ctx.input("account"), ctx.input("counterparty")
    old = declare_account(cs, f"{ctx.name}.account_old", ctx.config)
    old_other = declare_account(cs, f"{ctx.name}.counterparty_old", ctx.config)
    cs.assert_bool(bankrupt_buys)
    onehot = market_onehot(cs, market, ctx.config.n_markets)
    market_side = cs.lc(market) + cs.lc(bankrupt_buys).scale(128)
    record_bits(ctx, DELEVERAGE, {"account": index, "counterparty": other, "market_side": market_side,
                                  "size_lots": size_lots, "price": price})  # fmt: skip
    assert_range(cs, cs.lc(size_lots) - 1, AMOUNT_BITS, ctx.enabled)
    size = cs.mul(size_lots, pick(cs, onehot, [m["lot"] for m in g.markets]))
    assert_different(cs, index, other, ctx.enabled, "accounts differ")

    signed_size = cs.mul(cs.lc(bankrupt_buys).scale(2) - 1, size)  # the bankrupt account's change
    cash = cs.mul(signed_size, price)
    moves = [cs.mul(bit, signed_size) for bit in onehot]

    with cs.scope("account"):
        settled = settle_funding(cs, old, g)
        before = total_value(cs, settled, g)
        with cs.scope("fund exhausted"):
            assert_range(cs, -before - g.insurance - 1, TV_BITS, ctx.enabled)  # insurance + TV ≤ −1
        positions = tuple(p + move for p, move in zip(old.positions, moves, strict=True))
        assert_reduce_only(cs, onehot, old.positions, positions, ctx.enabled)
        collateral = settled.collateral - cash
        moved = settled.replace(collateral=collateral, positions=positions)
        after = total_value(cs, moved, g)
        with cs.scope("bankruptcy price"):
            assert_range(cs, after - before, TV_BITS, ctx.enabled)  # TV does not fall
            assert_range(cs, size - after - 1, TV_BITS, ctx.enabled)  # TV after < size
        absorbed = shortfall(cs, collateral, positions)
        new = moved.replace(collateral=collateral - absorbed)

    with cs.scope("counterparty"):
        settled_other = settle_funding(cs, old_other, g)
        other_positions = tuple(p - move for p, move in zip(old_other.positions, moves, strict=True))
        assert_reduce_only(cs, onehot, old_other.positions, other_positions, ctx.enabled)
        other_collateral = settled_other.collateral + cash
        new_other = settled_other.replace(collateral=other_collateral, positions=other_positions)
        assert_account_ranges(cs, new_other, ctx.enabled)
        assert_margin(cs, new_other, g, [m["mmr"] for m in g.markets], ctx.enabled)

    credit_fund(ctx, absorbed)
    yield from write_account(ctx, "account", index, old, new)
    yield from write_account(ctx, "counterparty", other, old_other, new_other)
