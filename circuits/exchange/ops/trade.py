"""Trade: a taker order fills against a maker order at the maker's price.

Request: two orders, each (account, market, is_buy, price, amount, order_id, expiry) signed by
its account's key, and the fill (size in lots, price in ticks).
Conditions: both signatures; opposite sides, different accounts, the same market (an isolated
account only in its own market); the fill price is the maker's price, on the tick grid, within
the taker's limit; the size is ≥ 1 lot on the lot grid; neither order expired (expiry > the
market's price time); each order's filled amount stays ≤ its amount (fill slots: a replay or an
old id is refused); after funding is settled and the fees (fee ppm of the notional, each side)
paid, each account meets initial margin, or maintenance margin when its position only shrank.
Effect: positions ± size, collateral ∓ size·price − fee, both fees to the insurance fund.
"""

from __future__ import annotations

from circuits.exchange.config import AMOUNT_BITS, ORDER_TAG, PPM, TIME_BITS
from circuits.exchange.rules import (
    assert_account_ranges,
    assert_different,
    assert_margin,
    is_reducing,
    market_onehot,
    pick,
    settle_funding,
    write_fill,
)
from circuits.exchange.slot import (
    SlotContext,
    SlotSteps,
    credit_fund,
    record_bits,
    verify_signature,
    write_account,
)
from circuits.exchange.state_vars import declare_account
from circuits.gadgets.bits import assert_range
from circuits.gadgets.compare import assert_less_than, select
from circuits.gadgets.fixed_point import floor_div_var
from circuits.gadgets.poseidon import poseidon_var
from verifier.pubdata_layout import TRADE

ORDER_FIELDS = ("account", "price", "amount", "order_id", "expiry")
FEE_BITS = 2 * AMOUNT_BITS + 20  # ⌊size·price·fee / PPM⌋ with fee ≤ PPM < 2^20


class OrderSide:
    """One order's inputs and its account (lane ``taker`` or ``maker``)."""

    def __init__(self, ctx: SlotContext, lane: str) -> None:
        cs = ctx.cs
        self.lane = lane
        self.order = {f: ctx.input(f"{lane}.{f}") for f in ORDER_FIELDS}
        self.sig = ctx.input(f"{lane}.sig", 3)
        self.slot_id, self.slot_filled = ctx.input(f"{lane}.slot_id"), ctx.input(f"{lane}.slot_filled")
        self.fill_path = ctx.siblings(f"{lane}.fill_path", ctx.config.order_depth)
        self.old = declare_account(cs, f"{ctx.name}.{lane}.account_old", ctx.config)

    def verify(self, ctx: SlotContext, market, is_buy) -> None:
        cs, o = ctx.cs, self.order
        message = poseidon_var(
            cs, [ORDER_TAG, o["account"], market, is_buy, o["price"], o["amount"], o["order_id"], o["expiry"]]
        )
        with cs.scope(self.lane):
            verify_signature(ctx, message, (self.old.pk_x, self.old.pk_y), self.sig)
        # an isolated account (isolated = m + 1) trades only its own market
        cs.enforce(self.old.isolated, self.old.isolated - market - 1, 0, "isolated market")

    def assert_within_limit(self, ctx: SlotContext, is_buy, price) -> None:
        """A buy fills at or below its limit price, a sell at or above."""
        cs, limit = ctx.cs, self.order["price"]
        within = select(cs, is_buy, cs.lc(limit) - price, cs.lc(price) - limit)
        with cs.scope(f"{self.lane} limit"):
            assert_range(cs, within, AMOUNT_BITS, ctx.enabled)


def trade_slot(ctx: SlotContext) -> SlotSteps:
    cs, g = ctx.cs, ctx.state
    market, taker_buys = ctx.input("market"), ctx.input("taker_buys")
    size_lots, price_ticks = ctx.input("size_lots"), ctx.input("price_ticks")
    taker, maker = OrderSide(ctx, "taker"), OrderSide(ctx, "maker")
    cs.assert_bool(taker_buys)
    onehot = market_onehot(cs, market, ctx.config.n_markets)
    pick_field = lambda name: pick(cs, onehot, [m[name] for m in g.markets])  # noqa: E731

    record_bits(ctx, TRADE, {
        "taker": taker.order["account"], "maker": maker.order["account"],
        "market_side": cs.lc(market) + cs.lc(taker_buys).scale(128),
        "size_lots": size_lots, "price_ticks": price_ticks,
        "taker_order": taker.order["order_id"], "maker_order": maker.order["order_id"],
    })  # fmt: skip
    size = cs.mul(size_lots, pick_field("lot"))
    price = cs.mul(price_ticks, pick_field("tick"))
    assert_range(cs, cs.lc(size_lots) - 1, AMOUNT_BITS, ctx.enabled)
    cs.assert_equal(maker.order["price"], price, "fill at the maker's price")
    taker.assert_within_limit(ctx, taker_buys, price)
    assert_different(
        cs, taker.order["account"], maker.order["account"], ctx.enabled, "maker and taker differ"
    )

    taker.verify(ctx, market, taker_buys)
    maker.verify(ctx, market, 1 - cs.lc(taker_buys))
    price_time = pick_field("price_time")
    signed_size = cs.mul(cs.lc(taker_buys).scale(2) - 1, size)  # the taker's position change
    cash = cs.mul(signed_size, price)  # the taker pays it, the maker receives it
    fee, _ = floor_div_var(cs, cs.mul(cs.mul(size, price), pick_field("fee")), PPM, FEE_BITS, 20)
    credit_fund(ctx, fee.scale(2))
    moves = [cs.mul(bit, signed_size) for bit in onehot]
    fill_terms = {"size": size, "cash": cash, "fee": fee, "moves": moves, "price_time": price_time}
    for side, sign in ((taker, 1), (maker, -1)):
        with cs.scope(side.lane):
            settle_order_side(ctx, side, sign, fill_terms, onehot)

    for side in (taker, maker):
        yield from write_account(ctx, side.lane, side.order["account"], side.old, side.new, side.fill)


def settle_order_side(ctx: SlotContext, side: OrderSide, sign: int, fill_terms: dict, onehot: list) -> None:
    """One side (sign +1 taker, −1 maker): expiry, fill slot, funding, position and collateral
    change, margin. ``fill_terms`` holds the size, cash, fee, per-market moves and price time."""
    cs, g = ctx.cs, ctx.state
    with cs.scope("expiry"):
        assert_less_than(cs, fill_terms["price_time"], side.order["expiry"], TIME_BITS, ctx.enabled)
    o = side.order
    orders_root, slot, filled = write_fill(
        cs, ctx.config, side.old.orders_root, o["order_id"], o["amount"], fill_terms["size"],
        side.slot_id, side.slot_filled, side.fill_path, ctx.enabled,
    )  # fmt: skip
    settled = settle_funding(cs, side.old, g)
    moves = fill_terms["moves"]
    positions = tuple(p + move.scale(sign) for p, move in zip(side.old.positions, moves, strict=True))
    collateral = settled.collateral - fill_terms["cash"].scale(sign) - fill_terms["fee"]
    side.new = settled.replace(collateral=collateral, positions=positions, orders_root=orders_root)
    side.fill = (slot, o["order_id"], filled)
    assert_account_ranges(cs, side.new, ctx.enabled)
    reducing = is_reducing(cs, pick(cs, onehot, side.old.positions), pick(cs, onehot, positions))
    ratios = [select(cs, reducing, m["mmr"], m["imr"]) for m in g.markets]
    assert_margin(cs, side.new, g, ratios, ctx.enabled)
