"""The demo's market story as exchange operations: three users deposit, the matching engine fills a
buy against two asks, the oracle price drops, the buyer is liquidated, the seller withdraws.

Everything here is plain data and the matching engine; no chain, no proof. The numbers are chosen so
each rule the circuit checks holds with room to spare (see docs/demo.md for the arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_utils import keccak

from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets import eddsa
from circuits.gadgets.babyjub import Point
from rollup.exchange.operations import (
    Deposit,
    Liquidate,
    Operation,
    OraclePrice,
    Order,
    SignedOrder,
    Trade,
    Withdraw,
)
from rollup.exchange.state import ExchangeState
from rollup.matching import MatchingEngine
from rollup.order_checks import MarketSpec
from rollup.orders import Order as EngineOrder
from rollup.orders import Side
from rollup.rejections import OrderRejected

CONFIG = ExchangeConfig(n_markets=1, account_depth=1, order_depth=1)  # 4 accounts, 4 fill slots each
SHAPE = BatchShape(("deposit", "deposit", "deposit", "trade", "trade", "oracle", "liquidate", "withdraw"))
MARKET = 0
TICK, LOT = 10, 1
OPEN_PRICE, CRASH_PRICE = 1_000, 900  # quote units per lot; the drop is 10%, within the 20% max move
OPEN_TIME, CRASH_TIME = 100, 200  # oracle timestamps
EXPIRY = 1_000  # every order lives until the oracle clock reaches this
LIQUIDATION_PRICE = 920  # within the 3% penalty bound of the crash price
ORACLE_SECRET = keccak(b"zkclear demo oracle")


def market_parameters() -> dict[str, int]:
    """10% initial and 5% maintenance margin, 0.1% fee, 20% max oracle move, liquidations within 3% of
    the oracle price paying a 1% fee."""
    return dict(price=OPEN_PRICE, price_time=OPEN_TIME, funding_index=0, imr=100_000, mmr=50_000,
                tick=TICK, lot=LOT, fee=1_000, max_move=200_000, max_funding=10_000, penalty=30_000,
                liq_fee=10_000)  # fmt: skip


def genesis() -> ExchangeState:
    return ExchangeState(CONFIG, [market_parameters()], eddsa.public_key(ORACLE_SECRET))


@dataclass(frozen=True)
class User:
    """A demo user: L2 account index and signing key, and the L1 key that deposits and receives."""

    name: str
    account: int
    deposit: int  # quote units (quanta of the collateral)

    @property
    def l2_secret(self) -> bytes:
        return keccak(f"zkclear demo {self.name} l2".encode())

    @property
    def l1_secret(self) -> bytes:
        return keccak(f"zkclear demo {self.name} l1".encode())

    @property
    def l1_address(self) -> str:
        return Account.from_key(self.l1_secret).address

    @property
    def pk(self) -> Point:
        return eddsa.public_key(self.l2_secret)

    def sign(self, order: EngineOrder) -> SignedOrder:
        """The exchange's signed form of an engine order (sizes in lots of ``LOT``)."""
        signed = Order(order.account, order.market, order.side is Side.BUY, order.price, order.size // LOT,
                       order.order_id, order.expires_at)  # fmt: skip
        return signed.sign(self.l2_secret)


ALICE = User("alice", 0, 20_000)  # market maker: two asks
BOB = User("bob", 1, 5_000)  # buys 45 lots on 10x leverage, is liquidated after the drop
CAROL = User("carol", 2, 10_000)  # liquidator
USERS = (ALICE, BOB, CAROL)
WITHDRAWAL = 2_000  # Alice takes part of her profit out


@dataclass(frozen=True)
class Story:
    """The batch's operations, in slot order, and what the engine did."""

    ops: list[Operation]
    fills: list[tuple[str, str, int, int]]  # (taker, maker, size in lots, price)

    @property
    def trades(self) -> int:
        return sum(isinstance(op, Trade) for op in self.ops)

    @property
    def deposits(self) -> list[Deposit]:
        return [op for op in self.ops if isinstance(op, Deposit)]


def match_orders() -> tuple[list[Trade], list[tuple[str, str, int, int]]]:
    """Alice rests two asks; Bob's buy sweeps both; each fill becomes a Trade of the two signed orders."""
    positions: dict[tuple[int, int], int] = {}
    signed: dict[tuple[int, int], SignedOrder] = {}
    owners = {user.account: user for user in USERS}

    def check_signature(order: EngineOrder) -> None:
        s = signed[order.key]
        if not eddsa.verify(s.order.message(), s.signature, owners[order.account].pk):
            raise OrderRejected("bad signature", f"order {order.key}")

    engine = MatchingEngine(
        [MarketSpec(MARKET, TICK, LOT)], lambda account, market: positions.get((account, market), 0),
        validators=[check_signature],
    )  # fmt: skip
    orders = [
        (ALICE, EngineOrder(MARKET, ALICE.account, 1, Side.SELL, 1_000, 20, EXPIRY)),
        (ALICE, EngineOrder(MARKET, ALICE.account, 2, Side.SELL, 1_010, 25, EXPIRY)),
        (BOB, EngineOrder(MARKET, BOB.account, 1, Side.BUY, 1_010, 45, EXPIRY)),
    ]
    trades, fills = [], []
    for now, (user, order) in enumerate(orders):
        signed[order.key] = user.sign(order)
        for fill in engine.submit(order, now).fills:
            for side_order, sign in ((fill.taker, fill.taker.side), (fill.maker, fill.maker.side)):
                key = (side_order.account, MARKET)
                positions[key] = positions.get(key, 0) + sign * fill.size
            trades.append(Trade(signed[fill.taker.key], signed[fill.maker.key], fill.size // LOT))
            names = owners[fill.taker.account].name, owners[fill.maker.account].name
            fills.append((*names, fill.size, fill.price))
    return trades, fills


def story() -> Story:
    """Deposits, the matched trades, the price drop, Bob's liquidation by Carol, Alice's withdrawal."""
    deposits = [Deposit(user.account, user.pk, user.deposit) for user in USERS]
    trades, fills = match_orders()
    crash = OraclePrice.signed(ORACLE_SECRET, MARKET, CRASH_PRICE, CRASH_TIME)
    limit = LIQUIDATION_PRICE + TICK
    take_over = Order(CAROL.account, MARKET, True, limit, 45, 1, EXPIRY).sign(CAROL.l2_secret)
    liquidation = Liquidate(take_over, BOB.account, 45, LIQUIDATION_PRICE)
    payout = Withdraw.signed(ALICE.l2_secret, ALICE.account, int(ALICE.l1_address, 16), WITHDRAWAL, 0)
    return Story([*deposits, *trades, crash, liquidation, payout], fills)
