"""Operations as they enter a batch, with the messages clients sign and each op's slot inputs.

The messages are the Poseidon hashes the circuit verifies signatures on; ``slot_inputs`` turns an
op and the current state into the slot's input values (paths and leaves, never new values: those
come out of the solved circuit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from circuits.exchange.config import ORACLE_TAG, ORDER_TAG, TRANSFER_TAG, WITHDRAW_TAG
from circuits.exchange.state_vars import AccountVar
from circuits.field import FR
from circuits.gadgets import babyjub, eddsa
from circuits.gadgets.babyjub import Point
from circuits.gadgets.eddsa import Signature
from circuits.gadgets.merkle import MerklePath
from circuits.gadgets.poseidon import poseidon
from rollup.exchange.state import ExchangeState

Inputs = dict[str, int | list[int]]


def flat_path(path: MerklePath) -> list[int]:
    return [x for level in path.siblings for x in level]


def sig_inputs(signature: Signature) -> list[int]:
    return [signature.R8[0], signature.R8[1], signature.S]


def account_inputs(values: AccountVar) -> list[int]:
    return [v % FR for v in values.flat()]


@dataclass(frozen=True)
class Deposit:
    """Credit ``amount`` from the on-chain queue to ``account`` (key ``pk``)."""

    account: int
    pk: Point
    amount: int

    op_type = "deposit"

    @property
    def l2_key(self) -> int:
        """The key the contract's deposit queue names: circomlib's packed ``pk``, read big-endian."""
        return int.from_bytes(babyjub.pack(self.pk), "big")

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        account = state.account(self.account)
        return {
            "account": self.account, "pk_x": self.pk[0], "pk_y": self.pk[1], "amount": self.amount,
            "fresh": int(self.account not in state.accounts), "account_old": account_inputs(account.values),
        }  # fmt: skip


@dataclass(frozen=True)
class Withdraw:
    """Move ``amount`` of collateral to L1 address ``recipient``; signed over the account's nonce."""

    account: int
    recipient: int
    amount: int
    signature: Signature

    op_type = "withdraw"

    @staticmethod
    def message(account: int, recipient: int, amount: int, nonce: int) -> int:
        return poseidon([WITHDRAW_TAG, account, recipient, amount, nonce])

    @classmethod
    def signed(cls, private_key: bytes, account: int, recipient: int, amount: int, nonce: int) -> Withdraw:
        return cls(
            account,
            recipient,
            amount,
            eddsa.sign(private_key, cls.message(account, recipient, amount, nonce)),
        )

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        account = state.account(self.account)
        return {
            "account": self.account, "recipient": self.recipient, "amount": self.amount,
            "sig": sig_inputs(self.signature), "account_old": account_inputs(account.values),
        }  # fmt: skip


@dataclass(frozen=True)
class Order:
    """A limit order as signed: ``amount`` lots at ``price`` (quote per lot), live while the market's
    oracle time is below ``expiry``."""

    account: int
    market: int
    is_buy: bool
    price: int
    amount: int
    order_id: int
    expiry: int

    def message_inputs(self) -> list[int]:
        """The Poseidon inputs of :meth:`message`: the order tag, then the fields in order."""
        fields = [
            self.account,
            self.market,
            int(self.is_buy),
            self.price,
            self.amount,
            self.order_id,
            self.expiry,
        ]
        return [ORDER_TAG, *fields]

    def message(self) -> int:
        return _order_message(self)

    def sign(self, private_key: bytes) -> SignedOrder:
        return SignedOrder(self, eddsa.sign(private_key, self.message()))


@lru_cache(maxsize=1 << 16)
def _order_message(order: Order) -> int:
    """An order's message, remembered: each order is checked at the door and again in every fill."""
    return poseidon(order.message_inputs())


@dataclass(frozen=True)
class SignedOrder:
    order: Order
    signature: Signature


def order_inputs(state: ExchangeState, lane: str, signed: SignedOrder) -> Inputs:
    """A signed order's inputs and its account's leaf and fill slot, under ``lane``."""
    order = signed.order
    account = state.account(order.account)
    slot = order.order_id % (4**state.config.order_depth)
    slot_id, slot_filled = account.fill_slot(slot)
    return {
        f"{lane}.account": order.account, f"{lane}.price": order.price,
        f"{lane}.amount": order.amount, f"{lane}.order_id": order.order_id,
        f"{lane}.expiry": order.expiry, f"{lane}.sig": sig_inputs(signed.signature),
        f"{lane}.slot_id": slot_id, f"{lane}.slot_filled": slot_filled,
        f"{lane}.fill_path": flat_path(account.orders.path(slot)),
        f"{lane}.account_old": account_inputs(account.values),
    }  # fmt: skip


@dataclass(frozen=True)
class Trade:
    """``size_lots`` lots of the taker's order against the maker's, at the maker's price."""

    taker: SignedOrder
    maker: SignedOrder
    size_lots: int

    op_type = "trade"

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        market = state.market(self.maker.order.market)
        inputs: Inputs = {
            "market": self.taker.order.market,
            "taker_buys": int(self.taker.order.is_buy),
            "size_lots": self.size_lots,
            "price_ticks": self.maker.order.price // market["tick"],
        }
        for lane, signed in (("taker", self.taker), ("maker", self.maker)):
            inputs |= order_inputs(state, lane, signed)
        return inputs


@dataclass(frozen=True)
class Liquidate:
    """The liquidator's order takes ``size_lots`` of ``account``'s position at ``price``."""

    liquidator: SignedOrder
    account: int
    size_lots: int
    price: int

    op_type = "liquidate"

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        order = self.liquidator.order
        return {
            "market": order.market, "liquidator_buys": int(order.is_buy), "size_lots": self.size_lots,
            "price_ticks": self.price // state.market(order.market)["tick"], "account": self.account,
            "account_old": account_inputs(state.account(self.account).values),
            **order_inputs(state, "liquidator", self.liquidator),
        }  # fmt: skip


@dataclass(frozen=True)
class Transfer:
    """Move ``amount`` from ``source`` to ``target`` (same key); a fresh target becomes ``isolated``
    (0 cross, m + 1 bound to market m). Signed over the source's nonce."""

    source: int
    target: int
    amount: int
    isolated: int
    signature: Signature

    op_type = "transfer"

    @staticmethod
    def message(source: int, target: int, amount: int, isolated: int, nonce: int) -> int:
        return poseidon([TRANSFER_TAG, source, target, amount, isolated, nonce])

    @classmethod
    def signed(cls, private_key: bytes, source: int, target: int, amount: int, isolated: int,
               nonce: int) -> Transfer:  # fmt: skip
        message = cls.message(source, target, amount, isolated, nonce)
        return cls(source, target, amount, isolated, eddsa.sign(private_key, message))

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        return {
            "source": self.source, "target": self.target, "amount": self.amount, "isolated": self.isolated,
            "sig": sig_inputs(self.signature), "fresh": int(self.target not in state.accounts),
            "source_old": account_inputs(state.account(self.source).values),
            "target_old": account_inputs(state.account(self.target).values),
        }  # fmt: skip


@dataclass(frozen=True)
class Deleverage:
    """Close ``size_lots`` of bankrupt ``account``'s position in ``market`` against ``counterparty``
    at ``price`` (quote units per lot)."""

    account: int
    counterparty: int
    market: int
    size_lots: int
    price: int

    op_type = "deleverage"

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        position = state.account(self.account).position[self.market]
        return {
            "account": self.account, "counterparty": self.counterparty, "market": self.market,
            "bankrupt_buys": int(position < 0), "size_lots": self.size_lots, "price": self.price,
            "account_old": account_inputs(state.account(self.account).values),
            "counterparty_old": account_inputs(state.account(self.counterparty).values),
        }  # fmt: skip


@dataclass(frozen=True)
class OraclePrice:
    """A price for ``market`` at ``timestamp``, signed by the oracle key."""

    market: int
    price: int
    timestamp: int
    signature: Signature

    op_type = "oracle"

    @staticmethod
    def message(market: int, price: int, timestamp: int) -> int:
        return poseidon([ORACLE_TAG, market, price, timestamp])

    @classmethod
    def signed(cls, oracle_key: bytes, market: int, price: int, timestamp: int) -> OraclePrice:
        return cls(market, price, timestamp, eddsa.sign(oracle_key, cls.message(market, price, timestamp)))

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        return {"market": self.market, "price": self.price, "timestamp": self.timestamp,
                "sig": sig_inputs(self.signature)}  # fmt: skip


@dataclass(frozen=True)
class FundingTick:
    """Set ``market``'s cumulative funding index to ``index`` (quote units per lot, signed)."""

    market: int
    index: int

    op_type = "funding"

    def slot_inputs(self, state: ExchangeState) -> Inputs:
        return {"market": self.market, "index": self.index}


Operation = Deposit | Withdraw | Trade | Liquidate | Deleverage | Transfer | OraclePrice | FundingTick
