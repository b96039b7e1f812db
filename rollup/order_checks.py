"""Checks an order must pass on its own, before the book or any account is looked at."""

from __future__ import annotations

from dataclasses import dataclass

from rollup.orders import Order, TimeInForce
from rollup.rejections import OrderRejected, RejectReason

MAX_AMOUNT = 2**63 - 1
"""Largest price or size: the circuit range-checks signed amounts to 64 bits."""


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """The grid a market's orders must lie on: prices in steps of ``tick``, sizes in steps of ``lot``."""

    market: int
    tick: int
    lot: int

    def __post_init__(self) -> None:
        for name in ("market", "tick", "lot"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"market {name} must be an int, got {type(value).__name__}")
        if self.tick <= 0 or self.lot <= 0:
            raise ValueError(f"market {self.market}: tick and lot must be positive")


def check_order_shape(order: Order, spec: MarketSpec) -> None:
    """Raise OrderRejected unless price and size are positive, in range and on the market's grid."""
    if order.price <= 0:
        raise OrderRejected(RejectReason.NON_POSITIVE_PRICE, f"price {order.price}")
    if order.size <= 0:
        raise OrderRejected(RejectReason.NON_POSITIVE_SIZE, f"size {order.size}")
    if order.price > MAX_AMOUNT or order.size > MAX_AMOUNT:
        raise OrderRejected(RejectReason.OUT_OF_RANGE, f"price {order.price}, size {order.size}")
    if order.price % spec.tick:
        raise OrderRejected(RejectReason.PRICE_OFF_TICK, f"price {order.price}, tick {spec.tick}")
    if order.size % spec.lot:
        raise OrderRejected(RejectReason.SIZE_OFF_LOT, f"size {order.size}, lot {spec.lot}")
    if order.post_only and order.time_in_force is TimeInForce.IOC:
        raise OrderRejected(RejectReason.CONFLICTING_FLAGS)
