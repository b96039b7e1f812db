"""Why the matching engine refuses an order or a cancel, as one exception carrying a reason."""

from __future__ import annotations

from enum import StrEnum

from rollup.orders import Cancel


class RejectReason(StrEnum):
    """The engine's own refusal reasons; validation hooks may raise with reasons of their own."""

    UNKNOWN_MARKET = "unknown market"
    NON_POSITIVE_PRICE = "price must be positive"
    NON_POSITIVE_SIZE = "size must be positive"
    OUT_OF_RANGE = "price or size does not fit in 63 bits"
    PRICE_OFF_TICK = "price is not a multiple of the market's tick"
    SIZE_OFF_LOT = "size is not a multiple of the market's lot"
    CONFLICTING_FLAGS = "post-only cannot be immediate-or-cancel"
    DUPLICATE_ORDER_ID = "order id already used by this account"
    EXPIRED = "order expired"
    REDUCE_ONLY_WOULD_INCREASE = "reduce-only order would increase the position"
    POST_ONLY_WOULD_CROSS = "post-only order would cross the book"
    UNKNOWN_ORDER = "no such resting order"


class OrderRejected(Exception):
    """An order or cancel refused with ``reason``; the book is as before, except ``removed``.

    ``removed`` lists expired makers taken off the book while deciding (only the post-only check
    does that), so the operator can still tell their owners.
    """

    def __init__(self, reason: str, detail: str = "", removed: tuple[Cancel, ...] = ()) -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail
        self.removed = removed


def without_frames(refused: OrderRejected) -> OrderRejected:
    """The refusal with its traceback (and its causes') dropped. A refusal kept as a result would
    otherwise hold the frames it passed through, and they hold it: a reference cycle that only
    the cyclic collector frees, which the venue's process runs rarely (``rollup/operator/collector.py``)."""
    error: BaseException | None = refused
    while error is not None:
        error.__traceback__ = None
        error = error.__cause__ or error.__context__
    return refused
