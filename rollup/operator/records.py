"""Each operation's pubdata record, and the state after it by replaying that record: the operator
advances its view of the state exactly as a chain observer would (rollup/exchange/replay.py)."""

from __future__ import annotations

from collections.abc import Iterable

from circuits.gadgets import babyjub
from rollup.exchange.operations import (
    Deleverage,
    Deposit,
    FundingTick,
    Liquidate,
    Operation,
    OraclePrice,
    Trade,
    Transfer,
    Withdraw,
)
from rollup.exchange.replay import replay
from rollup.exchange.state import ExchangeState
from verifier.pubdata_layout import encode_record


def l2_key(pk: babyjub.Point) -> int:
    """The packed key as the deposit record (and the on-chain queue) carries it."""
    return int.from_bytes(babyjub.pack(pk), "big")


def record_of(state: ExchangeState, op: Operation) -> bytes:
    """The record the circuit writes for ``op`` applied to ``state``."""
    match op:
        case Deposit():
            return encode_record("deposit", l2_key=l2_key(op.pk), asset=0, amount=op.amount,
                                 account=op.account)  # fmt: skip
        case Withdraw():
            return encode_record("withdraw", account=op.account, recipient=op.recipient, asset=0,
                                 amount=op.amount)  # fmt: skip
        case Trade():
            taker, maker = op.taker.order, op.maker.order
            return encode_record(
                "trade", taker=taker.account, maker=maker.account,
                market_side=taker.market + 128 * taker.is_buy, size_lots=op.size_lots,
                price_ticks=maker.price // state.market(maker.market)["tick"],
                taker_order=taker.order_id, maker_order=maker.order_id,
            )  # fmt: skip
        case Liquidate():
            order = op.liquidator.order
            return encode_record(
                "liquidate", liquidator=order.account, account=op.account,
                market_side=order.market + 128 * order.is_buy, size_lots=op.size_lots,
                price_ticks=op.price // state.market(order.market)["tick"], liquidator_order=order.order_id,
            )  # fmt: skip
        case FundingTick():
            return encode_record("funding", market=op.market, index=op.index)
        case OraclePrice():
            return encode_record("oracle", market=op.market, price=op.price, timestamp=op.timestamp)
        case Transfer():
            return encode_record("transfer", source=op.source, target=op.target, amount=op.amount,
                                 isolated=op.isolated)  # fmt: skip
        case Deleverage():
            buys = state.account(op.account).position[op.market] < 0
            return encode_record(
                "deleverage", account=op.account, counterparty=op.counterparty,
                market_side=op.market + 128 * buys, size_lots=op.size_lots, price=op.price,
            )  # fmt: skip
    raise TypeError(f"not an operation: {op!r}")


def advance(state: ExchangeState, ops: Iterable[Operation]) -> ExchangeState:
    """The state after ``ops`` (assumed valid), from their records."""
    for op in ops:
        state = replay(state, record_of(state, op))
    return state
