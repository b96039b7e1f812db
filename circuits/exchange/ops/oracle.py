"""OraclePrice: a new oracle price for one market.

Request: (market, price, timestamp) signed with the oracle key held in the global state.
Conditions: the signature; price > 0; the timestamp is later than the market's last; the move is
bounded: |price − old|·PPM ≤ old·max_move.
Effect: the market's price and price time are replaced.
"""

from __future__ import annotations

from circuits.exchange.config import AMOUNT_BITS, ORACLE_TAG, PPM, TIME_BITS
from circuits.exchange.rules import MARGIN_BITS, market_onehot, pick
from circuits.exchange.slot import SlotContext, SlotSteps, record_bits, verify_signature
from circuits.gadgets.bits import assert_range
from circuits.gadgets.compare import assert_less_than
from circuits.gadgets.poseidon import poseidon_var
from verifier.pubdata_layout import ORACLE


def set_market_field(ctx: SlotContext, onehot: list, name: str, value) -> None:
    """Replace one field of the selected market, only when the slot is enabled."""
    cs = ctx.cs
    markets = []
    for bit, market in zip(onehot, ctx.state.markets, strict=True):
        chosen = cs.mul(ctx.enabled, bit)
        markets.append({**market, name: market[name] + cs.mul(chosen, cs.lc(value) - market[name])})
    ctx.state = ctx.state.replace(markets=tuple(markets))


def assert_bounded_move(ctx: SlotContext, old, new, limit, scope: str = "bounded move") -> None:
    """|new − old|·PPM ≤ limit, as both limit ∓ (new − old)·PPM ≥ 0 (when enabled)."""
    cs = ctx.cs
    move = (cs.lc(new) - old).scale(PPM)
    with cs.scope(scope):
        assert_range(cs, cs.lc(limit) - move, MARGIN_BITS, ctx.enabled)
        assert_range(cs, cs.lc(limit) + move, MARGIN_BITS, ctx.enabled)


def oracle_slot(ctx: SlotContext) -> SlotSteps:
    cs = ctx.cs
    market, price, timestamp = ctx.input("market"), ctx.input("price"), ctx.input("timestamp")
    sig = ctx.input("sig", 3)
    onehot = market_onehot(cs, market, ctx.config.n_markets)
    g = ctx.state

    message = poseidon_var(cs, [ORACLE_TAG, market, price, timestamp])
    verify_signature(ctx, message, (g.oracle_x, g.oracle_y), sig)
    record_bits(ctx, ORACLE, {"market": market, "price": price, "timestamp": timestamp})
    assert_range(cs, cs.lc(price) - 1, AMOUNT_BITS, ctx.enabled)
    old_price = pick(cs, onehot, [m["price"] for m in g.markets])
    old_time = pick(cs, onehot, [m["price_time"] for m in g.markets])
    with cs.scope("timestamp"):
        assert_less_than(cs, old_time, timestamp, TIME_BITS, ctx.enabled)
    max_move = pick(cs, onehot, [m["max_move"] for m in g.markets])
    assert_bounded_move(ctx, old_price, price, cs.mul(old_price, max_move))

    set_market_field(ctx, onehot, "price", price)
    set_market_field(ctx, onehot, "price_time", timestamp)
    yield from ()
