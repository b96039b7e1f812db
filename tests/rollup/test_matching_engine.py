"""Matching on scripted books: priority, partial fills, cancels, flags, self-trade, expiry, refusals."""

from __future__ import annotations

import pytest

from rollup.book import DepthLevel
from rollup.matching import MatchingEngine, SelfTradePolicy, reducible
from rollup.order_checks import MAX_AMOUNT, MarketSpec
from rollup.orders import Cancel, CancelReason, Fill, Order, Side, TimeInForce
from rollup.rejections import OrderRejected, RejectReason
from tests.rollup.matching_support import MARKET, SPEC, PositionLedger, buy, order, sell


class Venue:
    """An engine wired to a ledger that every result's fills are applied to."""

    def __init__(self, self_trade: SelfTradePolicy = SelfTradePolicy.CANCEL_MAKER, validators=()) -> None:
        self.ledger = PositionLedger()
        self.engine = MatchingEngine([SPEC, MarketSpec(2, 1, 1)], self.ledger, validators, self_trade)
        self.now = 0

    def submit(self, order: Order, now: int | None = None):
        self.now = self.now if now is None else now
        result = self.engine.submit(order, self.now)
        self.ledger.apply(result.fills)
        return result

    @property
    def book(self):
        return self.engine.book(MARKET)


def fills_of(result) -> list[tuple[tuple[int, int], int, int]]:
    """(maker key, price, size) of each fill."""
    return [(fill.maker.key, fill.price, fill.size) for fill in result.fills]


def test_price_priority_then_time_priority_across_levels() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 110, 4))
    venue.submit(sell(2, 1, 100, 4))
    venue.submit(sell(3, 1, 105, 4))
    venue.submit(sell(4, 1, 100, 4))
    result = venue.submit(buy(9, 1, 110, 14))
    assert fills_of(result) == [((2, 1), 100, 4), ((4, 1), 100, 4), ((3, 1), 105, 4), ((1, 1), 110, 2)]
    assert result.resting == 0 and result.taker_cancels == ()
    assert venue.book.depth().asks == (DepthLevel(110, 2, 1),)


def test_fills_at_maker_price_and_remainder_rests_at_limit() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 4))
    result = venue.submit(buy(2, 1, 120, 10))
    assert result.fills == (Fill(sell(1, 1, 100, 4), buy(2, 1, 120, 10), 100, 4),)
    assert result.resting == 6
    assert venue.book.best_price(Side.BUY) == 120
    assert venue.book.best_price(Side.SELL) is None
    assert venue.ledger(2, MARKET) == 4 and venue.ledger(1, MARKET) == -4


def test_taker_stops_at_its_limit() -> None:
    venue = Venue()
    venue.submit(buy(1, 1, 100, 4))
    venue.submit(buy(1, 2, 95, 4))
    result = venue.submit(sell(2, 1, 100, 10))
    assert fills_of(result) == [((1, 1), 100, 4)]
    assert result.resting == 6
    assert venue.book.depth().bids == (DepthLevel(95, 4, 1),)
    assert venue.book.depth().asks == (DepthLevel(100, 6, 1),)


def test_partially_filled_maker_keeps_priority() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 10))
    venue.submit(sell(2, 1, 100, 10))
    venue.submit(buy(3, 1, 100, 4))
    result = venue.submit(buy(4, 1, 100, 8))
    assert fills_of(result) == [((1, 1), 100, 6), ((2, 1), 100, 2)]


def test_cancel_by_id_and_unknown_cancels() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 10))
    venue.submit(buy(2, 1, 100, 4))
    assert venue.engine.cancel(1, 1) == Cancel(sell(1, 1, 100, 10), 6, CancelReason.USER)
    assert len(venue.book) == 0
    for account, order_id in ((1, 1), (2, 1), (3, 7)):
        with pytest.raises(OrderRejected) as refused:
            venue.engine.cancel(account, order_id)
        assert refused.value.reason is RejectReason.UNKNOWN_ORDER


def test_cancel_needs_the_owning_account() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 10))
    with pytest.raises(OrderRejected):
        venue.engine.cancel(2, 1)
    assert (1, 1) in venue.book


def test_cancel_all_by_account_and_market() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 2))
    venue.submit(buy(1, 2, 90, 2))
    venue.submit(buy(2, 1, 90, 2))
    venue.submit(sell(1, 3, 7, 1, market=2))
    cancels = venue.engine.cancel_all(1, market=MARKET)
    assert [c.order.key for c in cancels] == [(1, 1), (1, 2)]
    assert all(c.reason is CancelReason.USER for c in cancels)
    assert venue.engine.book(2).keys_of(1) == [(1, 3)]
    assert [c.order.key for c in venue.engine.cancel_all(1)] == [(1, 3)]
    assert venue.engine.cancel_all(1) == []
    assert venue.book.keys_of(2) == [(2, 1)]
    with pytest.raises(OrderRejected) as refused:
        venue.engine.cancel_all(1, market=99)
    assert refused.value.reason is RejectReason.UNKNOWN_MARKET


def test_post_only_rests_when_not_crossing() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 4))
    result = venue.submit(buy(2, 1, 95, 4, post_only=True))
    assert result.fills == () and result.resting == 4


@pytest.mark.parametrize("price", [100, 105])
def test_post_only_that_would_cross_is_refused_and_book_unchanged(price: int) -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 4))
    before = venue.book.depth()
    with pytest.raises(OrderRejected) as refused:
        venue.submit(buy(2, 1, price, 4, post_only=True))
    assert refused.value.reason is RejectReason.POST_ONLY_WOULD_CROSS
    assert venue.book.depth() == before
    assert venue.submit(buy(2, 1, 95, 4, post_only=True)).resting == 4  # the id was not used up


def test_post_only_ignores_expired_makers_and_reports_their_removal() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 4, expires_at=10))
    venue.submit(sell(1, 2, 105, 4, expires_at=10))
    venue.submit(sell(3, 1, 110, 4))
    with pytest.raises(OrderRejected) as refused:
        venue.submit(buy(2, 1, 110, 4, post_only=True), now=10)
    assert [c.order.key for c in refused.value.removed] == [(1, 1), (1, 2)]
    assert all(c.reason is CancelReason.EXPIRED for c in refused.value.removed)
    venue.submit(sell(1, 3, 100, 4, expires_at=20))
    result = venue.submit(buy(2, 2, 105, 4, post_only=True), now=20)
    assert result.resting == 4
    assert [(c.order.key, c.reason) for c in result.removed_makers] == [((1, 3), CancelReason.EXPIRED)]


def test_ioc_cancels_the_remainder() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 4))
    result = venue.submit(buy(2, 1, 100, 10, ioc=True))
    assert fills_of(result) == [((1, 1), 100, 4)]
    assert result.resting == 0
    assert result.taker_cancels == (Cancel(result.order, 6, CancelReason.IMMEDIATE_OR_CANCEL),)
    assert len(venue.book) == 0


def test_ioc_without_liquidity_is_accepted_and_uses_its_id() -> None:
    venue = Venue()
    result = venue.submit(buy(2, 1, 100, 10, ioc=True))
    assert result.cancelled == 10 and result.filled == 0
    with pytest.raises(OrderRejected) as refused:
        venue.submit(buy(2, 1, 100, 10))
    assert refused.value.reason is RejectReason.DUPLICATE_ORDER_ID


def test_reducible() -> None:
    assert reducible(Side.BUY, -6) == 6
    assert reducible(Side.BUY, 6) == 0
    assert reducible(Side.SELL, 6) == 6
    assert reducible(Side.SELL, -6) == 0
    assert reducible(Side.SELL, 0) == 0


@pytest.mark.parametrize(
    ("position", "side"), [(0, Side.SELL), (0, Side.BUY), (4, Side.BUY), (-4, Side.SELL)]
)
def test_reduce_only_that_would_open_or_increase_is_refused(position: int, side: Side) -> None:
    venue = Venue()
    venue.ledger.set(1, position)
    with pytest.raises(OrderRejected) as refused:
        venue.submit(order(1, 1, side, 100, 2, reduce_only=True))
    assert refused.value.reason is RejectReason.REDUCE_ONLY_WOULD_INCREASE


def test_reduce_only_taker_is_capped_at_the_position() -> None:
    venue = Venue()
    venue.ledger.set(1, 4)
    venue.submit(buy(2, 1, 100, 10))
    result = venue.submit(sell(1, 1, 100, 10, reduce_only=True))
    assert fills_of(result) == [((2, 1), 100, 4)]
    assert result.taker_cancels == (Cancel(result.order, 6, CancelReason.REDUCE_ONLY),)
    assert venue.ledger(1, MARKET) == 0


def test_reduce_only_remainder_rests_and_is_capped_when_reached() -> None:
    venue = Venue()
    venue.ledger.set(1, 6)
    assert venue.submit(sell(1, 1, 100, 6, reduce_only=True)).resting == 6
    assert venue.submit(sell(1, 2, 100, 6, reduce_only=True)).resting == 6  # both rest: 12 > position 6
    result = venue.submit(buy(2, 1, 100, 10))
    # the first fills 6 and closes the position, so the second can no longer trade and is removed
    assert fills_of(result) == [((1, 1), 100, 6)]
    assert [(c.order.key, c.size, c.reason) for c in result.removed_makers] == [
        ((1, 2), 6, CancelReason.REDUCE_ONLY)
    ]
    assert result.resting == 4
    assert venue.ledger(1, MARKET) == 0


def test_resting_reduce_only_maker_partly_filled_to_the_position() -> None:
    venue = Venue()
    venue.ledger.set(1, 6)
    assert venue.submit(sell(1, 1, 100, 10, reduce_only=True)).resting == 6
    venue.ledger.set(1, 4)  # closed partly elsewhere
    result = venue.submit(buy(2, 1, 100, 2))
    assert fills_of(result) == [((1, 1), 100, 2)]
    result = venue.submit(buy(3, 1, 100, 4))
    assert fills_of(result) == [((1, 1), 100, 2)]
    assert [(c.order.key, c.size) for c in result.removed_makers] == [((1, 1), 2)]
    assert venue.ledger(1, MARKET) == 0


def test_reduce_only_maker_removed_when_position_flipped() -> None:
    venue = Venue()
    venue.ledger.set(1, 4)
    venue.submit(sell(1, 1, 100, 4, reduce_only=True))
    venue.ledger.set(1, -2)
    result = venue.submit(buy(2, 1, 100, 4))
    assert result.fills == ()
    assert result.removed_makers[0].reason is CancelReason.REDUCE_ONLY


def own_book(policy: SelfTradePolicy) -> Venue:
    venue = Venue(self_trade=policy)
    venue.submit(sell(2, 1, 100, 4))
    venue.submit(sell(1, 1, 100, 4))
    venue.submit(sell(2, 2, 105, 4))
    return venue


def test_self_trade_cancel_maker_drops_own_order_and_continues() -> None:
    venue = own_book(SelfTradePolicy.CANCEL_MAKER)
    result = venue.submit(buy(1, 2, 105, 10))
    assert fills_of(result) == [((2, 1), 100, 4), ((2, 2), 105, 4)]
    assert [(c.order.key, c.size, c.reason) for c in result.removed_makers] == [
        ((1, 1), 4, CancelReason.SELF_TRADE)
    ]
    assert result.resting == 2


def test_self_trade_cancel_taker_stops_and_leaves_the_book() -> None:
    venue = own_book(SelfTradePolicy.CANCEL_TAKER)
    result = venue.submit(buy(1, 2, 105, 10))
    assert fills_of(result) == [((2, 1), 100, 4)]
    assert result.removed_makers == ()
    assert result.taker_cancels == (Cancel(result.order, 6, CancelReason.SELF_TRADE),)
    assert venue.book.best(Side.SELL).order.key == (1, 1)


def test_self_trade_cancel_both() -> None:
    venue = own_book(SelfTradePolicy.CANCEL_BOTH)
    result = venue.submit(buy(1, 2, 105, 10))
    assert fills_of(result) == [((2, 1), 100, 4)]
    assert [c.order.key for c in result.removed_makers] == [(1, 1)]
    assert result.cancelled == 6 and result.resting == 0
    assert venue.book.best(Side.SELL).order.key == (2, 2)


def test_own_orders_that_do_not_cross_are_left_alone() -> None:
    venue = Venue(self_trade=SelfTradePolicy.CANCEL_TAKER)
    venue.submit(sell(1, 1, 110, 4))
    venue.submit(sell(2, 1, 100, 4))
    result = venue.submit(buy(1, 2, 105, 6))
    assert fills_of(result) == [((2, 1), 100, 4)] and result.resting == 2


def test_expired_order_is_refused() -> None:
    venue = Venue()
    with pytest.raises(OrderRejected) as refused:
        venue.submit(buy(1, 1, 100, 2, expires_at=50), now=50)
    assert refused.value.reason is RejectReason.EXPIRED
    assert venue.submit(buy(1, 1, 100, 2, expires_at=51), now=50).resting == 2


def test_expired_makers_are_skipped_and_removed_when_reached() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 4, expires_at=30), now=0)
    venue.submit(sell(2, 1, 100, 4, expires_at=40), now=0)
    venue.submit(sell(3, 1, 110, 4, expires_at=30), now=0)  # beyond the taker's limit: stays until reached
    result = venue.submit(buy(4, 1, 100, 6), now=30)
    assert fills_of(result) == [((2, 1), 100, 4)]
    assert [(c.order.key, c.size, c.reason) for c in result.removed_makers] == [
        ((1, 1), 4, CancelReason.EXPIRED)
    ]
    assert result.resting == 2
    assert (3, 1) in venue.book


def test_time_cannot_go_backwards() -> None:
    venue = Venue()
    venue.submit(buy(1, 1, 100, 2), now=10)
    with pytest.raises(ValueError, match="backwards"):
        venue.submit(buy(1, 2, 100, 2), now=9)
    with pytest.raises(TypeError):
        venue.engine.submit(buy(1, 3, 100, 2), 10.5)


@pytest.mark.parametrize(
    ("submitted", "reason"),
    [
        (buy(1, 1, 100, 2, market=7), RejectReason.UNKNOWN_MARKET),
        (buy(1, 1, 0, 2), RejectReason.NON_POSITIVE_PRICE),
        (sell(1, 1, -5, 2), RejectReason.NON_POSITIVE_PRICE),
        (buy(1, 1, 100, 0), RejectReason.NON_POSITIVE_SIZE),
        (buy(1, 1, 100, -2), RejectReason.NON_POSITIVE_SIZE),
        (buy(1, 1, MAX_AMOUNT + 1, 2), RejectReason.OUT_OF_RANGE),
        (buy(1, 1, 100, MAX_AMOUNT + 1), RejectReason.OUT_OF_RANGE),
        (buy(1, 1, 101, 2), RejectReason.PRICE_OFF_TICK),
        (buy(1, 1, 100, 3), RejectReason.SIZE_OFF_LOT),
        (buy(1, 1, 100, 2, post_only=True, ioc=True), RejectReason.CONFLICTING_FLAGS),
        (buy(1, 1, 100, 2, expires_at=0), RejectReason.EXPIRED),
        (buy(1, 1, 100, 2, reduce_only=True), RejectReason.REDUCE_ONLY_WOULD_INCREASE),
    ],
)
def test_refusal_reasons(submitted: Order, reason: RejectReason) -> None:
    venue = Venue()
    with pytest.raises(OrderRejected) as refused:
        venue.submit(submitted)
    assert refused.value.reason is reason
    assert len(venue.book) == 0
    assert venue.submit(buy(1, 1, 100, 2)).resting == 2  # a refused order does not use up its id


def test_largest_amounts_are_accepted() -> None:
    venue = Venue()
    big_price = MAX_AMOUNT - MAX_AMOUNT % SPEC.tick
    big_size = MAX_AMOUNT - MAX_AMOUNT % SPEC.lot
    assert venue.submit(sell(1, 1, big_price, big_size)).resting == big_size


def test_duplicate_order_id_refused_while_resting_and_after_fill_or_cancel() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 2))
    venue.submit(sell(1, 2, 100, 2))
    for reused in (sell(1, 1, 120, 2), buy(1, 1, 80, 2, market=2)):
        with pytest.raises(OrderRejected) as refused:
            venue.submit(reused)
        assert refused.value.reason is RejectReason.DUPLICATE_ORDER_ID
    venue.submit(buy(2, 1, 100, 2))
    venue.engine.cancel(1, 2)
    for reused in (sell(1, 1, 100, 2), sell(1, 2, 100, 2)):
        with pytest.raises(OrderRejected):
            venue.submit(reused)
    assert venue.submit(sell(3, 1, 100, 2)).resting == 2  # the same id under another account is fine


def test_validators_run_in_order_and_can_refuse() -> None:
    seen: list[tuple[str, tuple[int, int]]] = []

    def signature(order: Order) -> None:
        seen.append(("signature", order.key))
        if order.account == 13:
            raise OrderRejected("bad signature")

    def margin(order: Order) -> None:
        seen.append(("margin", order.key))
        if order.size > 100:
            raise OrderRejected("insufficient margin", f"size {order.size}")

    venue = Venue(validators=[signature, margin])
    venue.submit(sell(1, 1, 100, 2))
    with pytest.raises(OrderRejected) as refused:
        venue.submit(buy(13, 1, 100, 2))
    assert refused.value.reason == "bad signature"
    with pytest.raises(OrderRejected, match="insufficient margin: size 102"):
        venue.submit(buy(2, 1, 100, 102))
    assert seen == [
        ("signature", (1, 1)),
        ("margin", (1, 1)),
        ("signature", (13, 1)),
        ("signature", (2, 1)),
        ("margin", (2, 1)),
    ]
    assert venue.book.best(Side.SELL).remaining == 2
    assert fills_of(venue.submit(buy(2, 1, 100, 2))) == [((1, 1), 100, 2)]


def test_validators_are_not_consulted_for_orders_refused_earlier() -> None:
    calls: list[Order] = []
    venue = Venue(validators=[calls.append])
    with pytest.raises(OrderRejected):
        venue.submit(buy(1, 1, 101, 2))
    assert calls == []


def test_markets_are_independent() -> None:
    venue = Venue()
    venue.submit(sell(1, 1, 100, 2))
    result = venue.submit(buy(2, 1, 100, 2, market=2))
    assert result.fills == () and result.resting == 2
    assert venue.engine.book(2).best_price(Side.BUY) == 100
    assert venue.book.best_price(Side.SELL) == 100
    assert venue.engine.markets == (MARKET, 2)


def test_engine_and_order_construction_errors() -> None:
    with pytest.raises(ValueError, match="twice"):
        MatchingEngine([SPEC, SPEC], PositionLedger())
    with pytest.raises(ValueError, match="positive"):
        MarketSpec(3, 0, 1)
    with pytest.raises(TypeError):
        MarketSpec(3, 1.5, 1)
    with pytest.raises(TypeError, match="price"):
        Order(MARKET, 1, 1, Side.BUY, 100.0, 2, 10)
    with pytest.raises(TypeError, match="size"):
        Order(MARKET, 1, 1, Side.BUY, 100, True, 10)
    with pytest.raises(TypeError, match="side"):
        Order(MARKET, 1, 1, "buy", 100, 2, 10)
    with pytest.raises(TypeError, match="time_in_force"):
        Order(MARKET, 1, 1, Side.BUY, 100, 2, 10, "GTC")
    with pytest.raises(TypeError, match="flags"):
        Order(MARKET, 1, 1, Side.BUY, 100, 2, 10, TimeInForce.GTC, 1)
