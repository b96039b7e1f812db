"""Deployment parameters of the exchange circuit and the fixed widths its values are checked to."""

from __future__ import annotations

from dataclasses import dataclass

PPM = 1_000_000  # ratios (margins, fees, bounds) are in parts per million
AMOUNT_BITS = 64  # collateral, positions, prices, funding indices, order sizes (signed as v + 2^63)
ORDER_ID_BITS = 24  # per-account order ids; the low bits pick the order's fill slot
NONCE_BITS = 32
TIME_BITS = 32  # oracle timestamps and order expiries
SIZE_LOTS_BITS = 40  # a fill's size in lots, as the trade record carries it
PRICE_TICKS_BITS = 32  # a fill's price in ticks, as the trade record carries it
ACCOUNT_INDEX_BYTES = 3  # trade records name accounts in 3 bytes (at most 2^24 accounts)
MAX_MARKETS = 5  # an account leaf hashes 6 + 2·markets fields, Poseidon takes at most 16

# domain tags of the signed messages (the first Poseidon input), so one signature cannot serve two uses
ORDER_TAG = 1
WITHDRAW_TAG = 2
ORACLE_TAG = 3
TRANSFER_TAG = 4


@dataclass(frozen=True)
class ExchangeConfig:
    """Markets per deployment and tree depths (4-ary levels): accounts and per-account fill slots."""

    n_markets: int = 2
    account_depth: int = 10  # 4^10 = 2^20 accounts
    order_depth: int = 2  # 4^2 = 16 fill slots per account

    def __post_init__(self) -> None:
        if not 1 <= self.n_markets <= MAX_MARKETS:
            raise ValueError(f"n_markets must be in 1..{MAX_MARKETS}, got {self.n_markets}")
        if not 1 <= self.account_depth <= 4 * ACCOUNT_INDEX_BYTES:
            raise ValueError(f"account_depth must be in 1..{4 * ACCOUNT_INDEX_BYTES} (3-byte indices)")
        if not 1 <= self.order_depth <= ORDER_ID_BITS // 2:
            raise ValueError(f"order_depth must be in 1..{ORDER_ID_BITS // 2}")

    @property
    def order_slot_bits(self) -> int:
        return 2 * self.order_depth
