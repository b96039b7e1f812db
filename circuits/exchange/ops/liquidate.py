"""Liquidate: a liquidator takes over (part of) an unhealthy account's position.

Request: the liquidator's signed order (as for a trade: account, market, side, limit price, amount,
order id, expiry), the liquidated account, the size in lots and the price in ticks.
Conditions: the order's signature, limit, expiry and fill slot as for a taker; the accounts differ;
the liquidated account, after funding settlement, is below maintenance margin (TV < risk(mmr));
its position only shrinks (no flip); the price is within the penalty bound of the oracle price:
|price − oracle|·PPM ≤ oracle·penalty; the liquidator meets initial margin afterwards (maintenance
when its own position only shrank).
Effect: positions move as in a trade (the liquidator pays no fee); the liquidated account pays the
liquidation fee (liq_fee ppm of the notional) to the insurance fund. If it is left with no position
and negative collateral, the fund absorbs the shortfall (collateral := 0); a fund that cannot pay
for it (would go below 0) makes the liquidation invalid: that account needs deleveraging.
"""

from __future__ import annotations

from circuits.exchange.config import AMOUNT_BITS, PPM
from circuits.exchange.ops.oracle import assert_bounded_move
from circuits.exchange.ops.trade import FEE_BITS, OrderSide, settle_order_side
from circuits.exchange.rules import (
    MARGIN_BITS,
    assert_different,
    assert_reduce_only,
    margin_slack,
    market_onehot,
    pick,
    settle_funding,
    shortfall,
)
from circuits.exchange.slot import SlotContext, SlotSteps, credit_fund, record_bits, write_account
from circuits.exchange.state_vars import declare_account
from circuits.gadgets.bits import assert_range
from circuits.gadgets.fixed_point import floor_div_var
from verifier.pubdata_layout import LIQUIDATE


def liquidate_slot(ctx: SlotContext) -> SlotSteps:
    cs, g = ctx.cs, ctx.state
    market, liquidator_buys = ctx.input("market"), ctx.input("liquidator_buys")
    size_lots, price_ticks = ctx.input("size_lots"), ctx.input("price_ticks")
    index = ctx.input("account")
    liquidator = OrderSide(ctx, "liquidator")
    old = declare_account(cs, f"{ctx.name}.account_old", ctx.config)
    cs.assert_bool(liquidator_buys)
    onehot = market_onehot(cs, market, ctx.config.n_markets)
    pick_field = lambda name: pick(cs, onehot, [m[name] for m in g.markets])  # noqa: E731

    record_bits(ctx, LIQUIDATE, {
        "liquidator": liquidator.order["account"], "account": index,
        "market_side": cs.lc(market) + cs.lc(liquidator_buys).scale(128),
        "size_lots": size_lots, "price_ticks": price_ticks, "liquidator_order": liquidator.order["order_id"],
    })  # fmt: skip
    size = cs.mul(size_lots, pick_field("lot"))
    price = cs.mul(price_ticks, pick_field("tick"))
    assert_range(cs, cs.lc(size_lots) - 1, AMOUNT_BITS, ctx.enabled)
    oracle_price = pick_field("price")
    assert_bounded_move(
        ctx, oracle_price, price, cs.mul(oracle_price, pick_field("penalty")), "penalty bound"
    )
    liquidator.assert_within_limit(ctx, liquidator_buys, price)
    assert_different(cs, liquidator.order["account"], index, ctx.enabled, "liquidator and account differ")
    liquidator.verify(ctx, market, liquidator_buys)

    signed_size = cs.mul(cs.lc(liquidator_buys).scale(2) - 1, size)  # the liquidator's position change
    cash = cs.mul(signed_size, price)
    moves = [cs.mul(bit, signed_size) for bit in onehot]
    terms = {
        "size": size,
        "cash": cash,
        "fee": cs.constant(0),
        "moves": moves,
        "price_time": pick_field("price_time"),
    }
    with cs.scope("liquidator"):
        settle_order_side(ctx, liquidator, 1, terms, onehot)

    with cs.scope("account"):
        settled = settle_funding(cs, old, g)
        with cs.scope("unhealthy"):
            slack = margin_slack(cs, settled, g, [m["mmr"] for m in g.markets])
            assert_range(cs, -slack - 1, MARGIN_BITS, ctx.enabled)  # TV·PPM − risk ≤ −1
        positions = tuple(p - move for p, move in zip(old.positions, moves, strict=True))
        assert_reduce_only(cs, onehot, old.positions, positions, ctx.enabled)
        fee, _ = floor_div_var(cs, cs.mul(cs.mul(size, price), pick_field("liq_fee")), PPM, FEE_BITS, 20)
        collateral = settled.collateral + cash - fee
        absorbed = shortfall(cs, collateral, positions)  # ≤ 0; range-checks the collateral
        # positions need no range check: each lies between 0 and its old value (reduce only)
        new = settled.replace(collateral=collateral - absorbed, positions=positions)
    credit_fund(ctx, fee + absorbed)

    yield from write_account(ctx, "liquidator", liquidator.order["account"], liquidator.old, liquidator.new,
                             liquidator.fill)  # fmt: skip
    yield from write_account(ctx, "account", index, old, new)
