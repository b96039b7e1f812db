"""Orders as clients sign them, and the fills the matching engine produces from them.

Integers everywhere: a price is in quote units per lot, a size in lots, a time in whatever integer
unit the operator stamps commands with (the engine never reads a clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum

OrderKey = tuple[int, int]
"""(account, order_id): unique over an order's whole life, so a signed order cannot be replayed."""


class Side(IntEnum):
    """Buy or sell; the value is the sign of the position change a fill causes."""

    BUY = 1
    SELL = -1

    @property
    def opposite(self) -> Side:
        return Side(-self.value)


class TimeInForce(Enum):
    """GTC rests its unfilled remainder on the book; IOC cancels it."""

    GTC = "GTC"
    IOC = "IOC"


def _require_int(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"order {name} must be an int, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Order:
    """An order exactly as submitted (and signed); never changes after submission.

    The order lives while ``now < expires_at``. Post-only never takes liquidity; reduce-only may
    only shrink the account's position in ``market``, never open or flip it.
    """

    market: int
    account: int
    order_id: int
    side: Side
    price: int
    size: int
    expires_at: int
    time_in_force: TimeInForce = TimeInForce.GTC
    post_only: bool = False
    reduce_only: bool = False
    key: OrderKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("market", "account", "order_id", "price", "size", "expires_at"):
            _require_int(name, getattr(self, name))
        if not isinstance(self.side, Side):
            raise TypeError(f"order side must be a Side, got {self.side!r}")
        if not isinstance(self.time_in_force, TimeInForce):
            raise TypeError(f"order time_in_force must be a TimeInForce, got {self.time_in_force!r}")
        if not isinstance(self.post_only, bool) or not isinstance(self.reduce_only, bool):
            raise TypeError("order flags post_only and reduce_only must be bools")
        object.__setattr__(self, "key", (self.account, self.order_id))


@dataclass(frozen=True, slots=True)
class Fill:
    """One trade between a resting maker and an incoming taker, at the maker's price."""

    maker: Order
    taker: Order
    price: int
    size: int

    @property
    def market(self) -> int:
        return self.maker.market


class CancelReason(Enum):
    """Why (part of) an order left without trading."""

    USER = "cancelled by its account"
    IMMEDIATE_OR_CANCEL = "unfilled remainder of an immediate-or-cancel order"
    EXPIRED = "expired while resting"
    SELF_TRADE = "would have traded with the same account"
    REDUCE_ONLY = "would have increased the position of a reduce-only order"
    REFUSED_AT_FILL = "the fill would break a rule checked when it trades (margin, order id)"


@dataclass(frozen=True, slots=True)
class Cancel:
    """``size`` lots of ``order`` cancelled for ``reason`` (a resting maker or an incoming taker)."""

    order: Order
    size: int
    reason: CancelReason
