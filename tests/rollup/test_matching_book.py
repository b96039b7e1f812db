"""The order book alone: queue order, removal from anywhere, depth, and a list-based model to compare."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rollup.book import Depth, DepthLevel, OrderBook
from rollup.orders import Side
from tests.rollup.matching_support import MARKET, buy, order, sell


def test_best_is_best_price_then_earliest_arrival() -> None:
    book = OrderBook(MARKET)
    book.rest(buy(1, 1, 100, 2), 2)
    book.rest(buy(2, 1, 105, 2), 2)
    book.rest(buy(3, 1, 105, 4), 4)
    book.rest(sell(4, 1, 120, 2), 2)
    book.rest(sell(5, 1, 115, 2), 2)
    assert book.best(Side.BUY).order.key == (2, 1)
    assert book.best_price(Side.BUY) == 105
    assert book.best(Side.SELL).order.key == (5, 1)
    assert book.best_price(Side.SELL) == 115
    book.remove((2, 1))
    assert book.best(Side.BUY).order.key == (3, 1)


def test_empty_book_has_no_best() -> None:
    book = OrderBook(MARKET)
    assert book.best(Side.BUY) is None
    assert book.best_price(Side.SELL) is None
    assert len(book) == 0
    assert book.depth() == Depth((), ())


def test_partial_fill_keeps_place_in_queue_and_full_fill_removes() -> None:
    book = OrderBook(MARKET)
    first = book.rest(sell(1, 1, 100, 6), 6)
    book.rest(sell(2, 1, 100, 2), 2)
    book.fill(first, 4)
    assert book.best(Side.SELL) is first
    assert first.remaining == 2
    assert book.depth().asks == (DepthLevel(100, 4, 2),)
    book.fill(first, 2)
    assert (1, 1) not in book
    assert book.best(Side.SELL).order.key == (2, 1)


def test_remove_from_middle_of_queue_and_drop_empty_level() -> None:
    book = OrderBook(MARKET)
    for account in (1, 2, 3):
        book.rest(buy(account, 1, 100, 2), 2)
    book.rest(buy(4, 1, 95, 2), 2)
    book.remove((2, 1))
    assert [book.best(Side.BUY).order.account] == [1]
    book.remove((1, 1))
    book.remove((3, 1))
    assert book.best_price(Side.BUY) == 95
    assert book.depth().bids == (DepthLevel(95, 2, 1),)


def test_readding_a_price_after_its_level_emptied() -> None:
    book = OrderBook(MARKET)
    book.rest(sell(1, 1, 100, 2), 2)
    book.rest(sell(1, 2, 110, 2), 2)
    book.remove((1, 1))
    book.rest(sell(1, 3, 100, 2), 2)
    assert book.best(Side.SELL).order.key == (1, 3)
    book.remove((1, 3))
    assert book.best_price(Side.SELL) == 110


def test_depth_orders_levels_best_first_and_truncates() -> None:
    book = OrderBook(MARKET)
    for i, price in enumerate((100, 90, 95, 85)):
        book.rest(buy(1, i, price, 2), 2)
    for i, price in enumerate((120, 110, 115)):
        book.rest(sell(2, i, price, 4), 4)
    depth = book.depth(2)
    assert [level.price for level in depth.bids] == [100, 95]
    assert [level.price for level in depth.asks] == [110, 115]
    assert book.depth(0).bids == ()


def test_keys_of_account_in_arrival_order() -> None:
    book = OrderBook(MARKET)
    book.rest(buy(7, 3, 100, 2), 2)
    book.rest(sell(7, 1, 120, 2), 2)
    book.rest(buy(8, 1, 100, 2), 2)
    assert book.keys_of(7) == [(7, 3), (7, 1)]
    assert book.keys_of(9) == []


def test_misuse_is_refused() -> None:
    book = OrderBook(MARKET)
    resting = book.rest(buy(1, 1, 100, 2), 2)
    with pytest.raises(ValueError, match="already resting"):
        book.rest(buy(1, 1, 100, 2), 2)
    with pytest.raises(ValueError, match="market"):
        book.rest(buy(1, 2, 100, 2, market=MARKET + 1), 2)
    with pytest.raises(ValueError, match="positive"):
        book.rest(buy(1, 3, 100, 2), 0)
    with pytest.raises(ValueError, match="cannot fill"):
        book.fill(resting, 3)
    with pytest.raises(KeyError):
        book.remove((1, 99))
    with pytest.raises(ValueError, match="non-negative"):
        book.depth(-1)


def test_many_emptied_levels_keep_the_heap_small() -> None:
    book = OrderBook(MARKET)
    book.rest(sell(1, 0, 10_000, 2), 2)
    for i in range(1, 2_000):
        book.rest(sell(1, i, 10_000 + 5 * i, 2), 2)
        book.remove((1, i))
    side = book._sides[Side.SELL]
    assert len(side.heap) <= 2 * len(side.levels) + 64
    assert book.best_price(Side.SELL) == 10_000


class ListBook:
    """The obvious model: a list of [key, side, price, arrival, remaining], searched linearly."""

    def __init__(self) -> None:
        self.rows: list[list] = []

    def best_key(self, side: Side):
        rows = [r for r in self.rows if r[1] is side]
        if not rows:
            return None
        return min(rows, key=lambda r: (-side * r[2], r[3]))[0]

    def depth(self, side: Side, n: int) -> list[DepthLevel]:
        prices = sorted({r[2] for r in self.rows if r[1] is side}, key=lambda p: -side * p)[:n]
        rows = [[r for r in self.rows if r[1] is side and r[2] == p] for p in prices]
        return [DepthLevel(p, sum(r[4] for r in rs), len(rs)) for p, rs in zip(prices, rows, strict=True)]


book_ops = st.lists(
    st.one_of(
        st.tuples(st.just("rest"), st.sampled_from(Side), st.integers(20, 30), st.integers(1, 5)),
        st.tuples(st.just("fill"), st.sampled_from(Side), st.integers(1, 5)),
        st.tuples(st.just("remove"), st.integers(0, 60)),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(book_ops)
def test_book_agrees_with_list_model(ops) -> None:
    book, model = OrderBook(MARKET), ListBook()
    for arrival, op in enumerate(ops):
        if op[0] == "rest":
            _, side, tick, size = op
            placed = book.rest(order(1, arrival, side, 5 * tick, size), size)
            model.rows.append([placed.order.key, side, 5 * tick, arrival, size])
        elif op[0] == "fill":
            _, side, size = op
            best = book.best(side)
            if best is None:
                continue
            size = min(size, best.remaining)
            book.fill(best, size)
            row = next(r for r in model.rows if r[0] == best.order.key)
            row[4] -= size
            model.rows = [r for r in model.rows if r[4]]
        else:
            key = (1, op[1])
            in_model = any(r[0] == key for r in model.rows)
            assert (key in book) == in_model
            if in_model:
                book.remove(key)
                model.rows = [r for r in model.rows if r[0] != key]
        for side in Side:
            best = book.best(side)
            assert (None if best is None else best.order.key) == model.best_key(side)
        depth = book.depth(3)
        assert list(depth.bids) == model.depth(Side.BUY, 3)
        assert list(depth.asks) == model.depth(Side.SELL, 3)
        assert len(book) == len(model.rows)
