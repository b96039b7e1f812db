"""Shared pieces of the matching tests: a position ledger fed by fills and an order factory."""

from __future__ import annotations

from collections.abc import Iterable

from rollup.order_checks import MarketSpec
from rollup.orders import Fill, Order, Side, TimeInForce

MARKET = 1
FAR_FUTURE = 10**12
SPEC = MarketSpec(market=MARKET, tick=5, lot=2)


class PositionLedger:
    """Signed positions per (account, market), moved by fills; the engine's position lookup."""

    def __init__(self) -> None:
        self.positions: dict[tuple[int, int], int] = {}

    def __call__(self, account: int, market: int) -> int:
        return self.positions.get((account, market), 0)

    def set(self, account: int, position: int, market: int = MARKET) -> None:
        self.positions[account, market] = position

    def apply(self, fills: Iterable[Fill]) -> None:
        for fill in fills:
            for order in (fill.maker, fill.taker):
                key = (order.account, fill.market)
                self.positions[key] = self.positions.get(key, 0) + order.side * fill.size


def order(
    account: int,
    order_id: int,
    side: Side,
    price: int,
    size: int,
    *,
    market: int = MARKET,
    expires_at: int = FAR_FUTURE,
    ioc: bool = False,
    post_only: bool = False,
    reduce_only: bool = False,
) -> Order:
    """An order with defaults that pass every check on SPEC."""
    tif = TimeInForce.IOC if ioc else TimeInForce.GTC
    return Order(market, account, order_id, side, price, size, expires_at, tif, post_only, reduce_only)


def buy(account: int, order_id: int, price: int, size: int, **kwargs: object) -> Order:
    return order(account, order_id, Side.BUY, price, size, **kwargs)


def sell(account: int, order_id: int, price: int, size: int, **kwargs: object) -> Order:
    return order(account, order_id, Side.SELL, price, size, **kwargs)
