"""One market's limit order book: price levels in price order, FIFO queues within a level.

Each side keeps a dict from price to level plus a binary heap of its prices (negated for bids), so
the best level is found in O(1) amortised and a new level costs O(log L). A level is an
``OrderedDict`` queue: append, pop-front and removal from the middle are all O(1). A dict from
order key to resting order locates any order for a cancel in O(1). Empty levels are dropped from
the dict at once and from the heap lazily, when they surface at its top or when stale entries
outnumber the live ones.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from dataclasses import dataclass

from rollup.orders import Order, OrderKey, Side


class RestingOrder:
    """An order on the book and how much of it is still unfilled."""

    __slots__ = ("order", "remaining")

    def __init__(self, order: Order, remaining: int) -> None:
        self.order = order
        self.remaining = remaining

    def __repr__(self) -> str:
        return f"RestingOrder({self.order!r}, remaining={self.remaining})"


class PriceLevel:
    """All resting orders at one price on one side, oldest first, and their total size."""

    __slots__ = ("orders", "price", "size")

    def __init__(self, price: int) -> None:
        self.price = price
        self.size = 0
        self.orders: OrderedDict[OrderKey, RestingOrder] = OrderedDict()


@dataclass(frozen=True, slots=True)
class DepthLevel:
    """Aggregated view of one price level: total size and number of orders."""

    price: int
    size: int
    orders: int


@dataclass(frozen=True, slots=True)
class Depth:
    """The best levels of each side, best first (bids descending, asks ascending)."""

    bids: tuple[DepthLevel, ...]
    asks: tuple[DepthLevel, ...]


class _BookSide:
    """The levels of one side; heap keys are ``sign * price`` so the best price is the heap minimum."""

    __slots__ = ("heap", "in_heap", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.levels: dict[int, PriceLevel] = {}
        self.heap: list[int] = []
        self.in_heap: set[int] = set()

    def best_level(self) -> PriceLevel | None:
        heap, levels = self.heap, self.levels
        while heap:
            level = levels.get(self.sign * heap[0])
            if level is not None:
                return level
            self.in_heap.discard(self.sign * heapq.heappop(heap))
        return None

    def level_for(self, price: int) -> PriceLevel:
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = PriceLevel(price)
            if price not in self.in_heap:
                self.in_heap.add(price)
                heapq.heappush(self.heap, self.sign * price)
        return level

    def drop_level(self, price: int) -> None:
        del self.levels[price]
        if len(self.heap) > 2 * len(self.levels) + 64:
            self.heap = [self.sign * price for price in self.levels]
            heapq.heapify(self.heap)
            self.in_heap = set(self.levels)

    def depth(self, n_levels: int) -> tuple[DepthLevel, ...]:
        keys = heapq.nsmallest(n_levels, (self.sign * price for price in self.levels))
        return tuple(
            DepthLevel(level.price, level.size, len(level.orders))
            for level in (self.levels[self.sign * key] for key in keys)
        )


class OrderBook:
    """The resting orders of one market under price-time priority; it matches nothing itself."""

    def __init__(self, market: int) -> None:
        self.market = market
        self._sides = {Side.BUY: _BookSide(-1), Side.SELL: _BookSide(1)}
        self._orders: dict[OrderKey, RestingOrder] = {}
        self._by_account: dict[int, dict[OrderKey, None]] = {}

    def __len__(self) -> int:
        return len(self._orders)

    def __contains__(self, key: OrderKey) -> bool:
        return key in self._orders

    def get(self, key: OrderKey) -> RestingOrder | None:
        return self._orders.get(key)

    def rest(self, order: Order, size: int) -> RestingOrder:
        """Queue ``size`` lots of ``order`` behind the orders already at its price."""
        if order.market != self.market:
            raise ValueError(f"order for market {order.market} on the book of market {self.market}")
        if order.key in self._orders:
            raise ValueError(f"order {order.key} is already resting")
        if size <= 0:
            raise ValueError(f"resting size must be positive, got {size}")
        resting = RestingOrder(order, size)
        level = self._sides[order.side].level_for(order.price)
        level.orders[order.key] = resting
        level.size += size
        self._orders[order.key] = resting
        self._by_account.setdefault(order.account, {})[order.key] = None
        return resting

    def best(self, side: Side) -> RestingOrder | None:
        """The order first in line on ``side``: best price, then earliest arrival."""
        level = self._sides[side].best_level()
        return None if level is None else next(iter(level.orders.values()))

    def best_price(self, side: Side) -> int | None:
        level = self._sides[side].best_level()
        return None if level is None else level.price

    def fill(self, resting: RestingOrder, size: int) -> None:
        """Take ``size`` lots off a resting order, removing it once nothing is left."""
        if not 0 < size <= resting.remaining:
            raise ValueError(f"cannot fill {size} of {resting.remaining} resting lots")
        resting.remaining -= size
        self._sides[resting.order.side].levels[resting.order.price].size -= size
        if resting.remaining == 0:
            self.remove(resting.order.key)

    def remove(self, key: OrderKey) -> RestingOrder:
        """Take an order off the book whatever its place in the queue; KeyError if not resting."""
        resting = self._orders.pop(key)
        order = resting.order
        side = self._sides[order.side]
        level = side.levels[order.price]
        del level.orders[key]
        level.size -= resting.remaining
        if not level.orders:
            side.drop_level(order.price)
        account_orders = self._by_account[order.account]
        del account_orders[key]
        if not account_orders:
            del self._by_account[order.account]
        return resting

    def keys_of(self, account: int) -> list[OrderKey]:
        """Keys of ``account``'s resting orders, in the order they arrived."""
        return list(self._by_account.get(account, ()))

    def depth(self, n_levels: int = 10) -> Depth:
        """The ``n_levels`` best levels of each side, aggregated."""
        if n_levels < 0:
            raise ValueError(f"n_levels must be non-negative, got {n_levels}")
        return Depth(self._sides[Side.BUY].depth(n_levels), self._sides[Side.SELL].depth(n_levels))
