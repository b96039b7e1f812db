"""FundingTick: move a market's cumulative funding index.

Request: (market, new index) from the operator (longs pay shorts index increases, per lot).
Conditions: the move is bounded: |new − old|·PPM ≤ oracle price·max_funding; the index fits 64 bits.
Effect: the market's funding index is replaced; accounts settle against it when next touched.
"""

from __future__ import annotations

from circuits.exchange.ops.oracle import assert_bounded_move, set_market_field
from circuits.exchange.rules import market_onehot, pick
from circuits.exchange.slot import SlotContext, SlotSteps, record_bits
from verifier.pubdata_layout import FUNDING


def funding_slot(ctx: SlotContext) -> SlotSteps:
    cs = ctx.cs
    market, index = ctx.input("market"), ctx.input("index")
    onehot = market_onehot(cs, market, ctx.config.n_markets)
    g = ctx.state
    record_bits(ctx, FUNDING, {"market": market, "index": index})  # range-checks the signed index
    old_index = pick(cs, onehot, [m["funding_index"] for m in g.markets])
    price = pick(cs, onehot, [m["price"] for m in g.markets])
    max_funding = pick(cs, onehot, [m["max_funding"] for m in g.markets])
    assert_bounded_move(ctx, old_index, index, cs.mul(price, max_funding))
    set_market_field(ctx, onehot, "funding_index", index)
    yield from ()
