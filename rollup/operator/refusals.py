"""Why the operator refuses an operation before it enters a batch: the circuit's conditions, named."""

from __future__ import annotations

from enum import StrEnum

from rollup.rejections import OrderRejected


class Refusal(StrEnum):
    """Refusal reasons beyond the matching engine's own (``rollup.rejections.RejectReason``)."""

    MALFORMED = "malformed operation"
    UNKNOWN_ACCOUNT = "unknown account (it has no key yet: deposit first)"
    BAD_SIGNATURE = "bad signature"
    ORDER_ID_RANGE = "order id does not fit 24 bits"
    STALE_ORDER_ID = "order id already used: its fill slot holds this or a later id"
    SLOT_BUSY = "another open order of this account uses the same fill slot"
    OVERFILL = "fill exceeds the order's amount"
    ISOLATED_MARKET = "an isolated account trades only its own market"
    SAME_ACCOUNT = "both sides are the same account"
    OUT_OF_RANGE = "amount out of range"
    INSUFFICIENT_MARGIN = "insufficient margin"
    BAD_NONCE = "nonce is not the account's"
    KEY_MISMATCH = "deposit key differs from the account's key"
    DEPOSIT_ORDER = "deposits must be consumed in queue order"
    STALE_TIMESTAMP = "timestamp not after the market's last"
    MOVE_TOO_LARGE = "move exceeds the market's bound"
    NOT_UNHEALTHY = "account meets maintenance margin"
    NOT_REDUCING = "position would grow or flip"
    FUND_EXHAUSTED = "the insurance fund cannot absorb the shortfall"
    LIMIT = "price outside the order's limit"
    NOT_BANKRUPT = "the insurance fund can absorb the account's shortfall: liquidate it instead"
    BANKRUPTCY_PRICE = "price outside the oracle price to bankruptcy price range"


class OpRefused(OrderRejected):
    """An operation (or one side of a fill: ``party`` is "taker", "maker" or None) breaks a rule."""

    def __init__(self, reason: str, detail: str = "", party: str | None = None) -> None:
        super().__init__(reason, detail)
        self.party = party
