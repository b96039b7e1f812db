"""Shared fixtures for the exchange tests: keys, a small genesis state, ops builders."""

from __future__ import annotations

from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets import eddsa
from rollup.exchange.operations import Deposit, FundingTick, Liquidate, OraclePrice, Order, Trade, Withdraw
from rollup.exchange.state import ExchangeState
from rollup.exchange.transition import apply_batch

CONFIG = ExchangeConfig(n_markets=2, account_depth=2, order_depth=1)
ORACLE_KEY = bytes(range(32))
ALICE_KEY, BOB_KEY, CAROL_KEY, DAVE_KEY = (bytes([i]) * 32 for i in range(1, 5))
ALICE, BOB, CAROL, DAVE = 3, 9, 14, 7  # account indices
TICK, LOT = 10, 1
RECIPIENT = 0xAB << 152


def market(price: int) -> dict[str, int]:
    """A market with 10% initial and 5% maintenance margin, 0.1% fee, 20% max oracle move, liquidations
    within 3% of the oracle price paying a 1% fee."""
    return dict(price=price, price_time=100, funding_index=0, imr=100_000, mmr=50_000, tick=TICK, lot=LOT,
                fee=1_000, max_move=200_000, max_funding=10_000, penalty=30_000, liq_fee=10_000)  # fmt: skip


def genesis(insurance: int = 0) -> ExchangeState:
    return ExchangeState(CONFIG, [market(1_000), market(50)], eddsa.public_key(ORACLE_KEY), insurance)


def deposit(account: int, key: bytes, amount: int) -> Deposit:
    return Deposit(account, eddsa.public_key(key), amount)


def order(account: int, key: bytes, *, market: int = 0, is_buy: bool, price: int, amount: int,
          order_id: int, expiry: int = 1_000):  # fmt: skip
    return Order(account, market, is_buy, price, amount, order_id, expiry).sign(key)


def trade(size: int = 2, price: int = 1_000, taker_id: int = 1, maker_id: int = 1, amount: int = 10) -> Trade:
    """Bob (taker) buys ``size`` of market 0 from Alice (maker) at ``price``."""
    taker = order(BOB, BOB_KEY, is_buy=True, price=price + 20, amount=amount, order_id=taker_id)
    maker = order(ALICE, ALICE_KEY, is_buy=False, price=price, amount=amount, order_id=maker_id)
    return Trade(taker, maker, size)


def oracle(price: int, timestamp: int = 200, market: int = 0) -> OraclePrice:
    return OraclePrice.signed(ORACLE_KEY, market, price, timestamp)


def funding(index: int, market: int = 0) -> FundingTick:
    return FundingTick(market, index)


def withdraw(amount: int, nonce: int = 0) -> Withdraw:
    return Withdraw.signed(ALICE_KEY, ALICE, RECIPIENT, amount, nonce)


def liquidate(size: int, price: int, account: int = BOB, is_buy: bool = True, order_id: int = 1) -> Liquidate:
    """Carol's order takes ``size`` of ``account``'s market-0 position at ``price``."""
    limit = price + 50 if is_buy else price - 50
    liquidator = order(CAROL, CAROL_KEY, is_buy=is_buy, price=limit, amount=size, order_id=order_id)
    return Liquidate(liquidator, account, size, price)


def before_crash() -> ExchangeState:
    """Alice (100,000) sells 45 to Bob (5,000) and 10 to Dave (1,500) at 1,000; Carol (50,000)
    liquidates; the fund starts with 1,000 and holds 1,110 after the fees."""
    dave_buys = order(DAVE, DAVE_KEY, is_buy=True, price=1_000, amount=10, order_id=1)
    alice_sells = order(ALICE, ALICE_KEY, is_buy=False, price=1_000, amount=10, order_id=2)
    shape = BatchShape(("deposit",) * 4 + ("trade",) * 2)
    deposits = [deposit(ALICE, ALICE_KEY, 100_000), deposit(BOB, BOB_KEY, 5_000),
                deposit(CAROL, CAROL_KEY, 50_000), deposit(DAVE, DAVE_KEY, 1_500)]  # fmt: skip
    ops = [*deposits, trade(size=45, amount=45), Trade(dave_buys, alice_sells, 10)]
    return apply_batch(genesis(1_000), shape, ops).state
