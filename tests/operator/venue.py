"""A small venue for the operator tests: the exchange tests' keys and markets, a liquidator, a
six-slot batch shape, and helpers to open an operator on a fresh database and fund accounts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from circuits.exchange.batch import BatchShape
from circuits.gadgets import eddsa
from rollup.exchange.operations import Order, SignedOrder
from rollup.operator.genesis import Genesis
from rollup.operator.operator import Operator
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, CONFIG, DAVE, DAVE_KEY, ORACLE_KEY, market

LIQUIDATOR, LIQUIDATOR_KEY = 12, bytes([12]) * 32
KEYS = {ALICE: ALICE_KEY, BOB: BOB_KEY, DAVE: DAVE_KEY, LIQUIDATOR: LIQUIDATOR_KEY}
SHAPE = BatchShape(("oracle", "liquidate", "deposit", "deposit", "trade", "trade"))
GENESIS = Genesis(CONFIG, (market(1_000), market(50)), eddsa.public_key(ORACLE_KEY), SHAPE, LIQUIDATOR)


class FakeClock:
    """Seconds that move only when told."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def open_venue(path: Path, genesis: Genesis = GENESIS, **kwargs) -> Operator:
    kwargs.setdefault("liquidator_key", LIQUIDATOR_KEY)
    return Operator.create(path, genesis, **kwargs)


def with_shape(slots: tuple[str, ...], **changes) -> Genesis:
    return replace(GENESIS, shape=BatchShape(slots), **changes)


def fund(op: Operator, amounts: dict[int, int]) -> None:
    """Deposit ``amounts`` (account → collateral) in that order."""
    for account, amount in amounts.items():
        op.deposit(op.store.deposit_count(), account, eddsa.public_key(KEYS[account]), amount)


def signed(account: int, order_id: int, is_buy: bool, price: int, amount: int, *, market: int = 0,
           expiry: int = 10_000, key: bytes | None = None) -> SignedOrder:  # fmt: skip
    order = Order(account, market, is_buy, price, amount, order_id, expiry)
    return order.sign(key or KEYS[account])
