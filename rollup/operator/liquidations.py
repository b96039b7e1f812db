"""The liquidation scanner: after a price update, every account below maintenance margin has its
positions taken over by the operator's liquidator account, at the oracle price on the tick grid."""

from __future__ import annotations

from circuits.exchange.config import TIME_BITS
from rollup.exchange.operations import Liquidate, Order
from rollup.exchange.state import ExchangeState
from rollup.operator.margin import is_unhealthy
from rollup.operator.refusals import OpRefused, Refusal
from rollup.operator.validity import step

LIQUIDATOR_EXPIRY = (1 << TIME_BITS) - 1


def unhealthy_accounts(state: ExchangeState, exclude: int | None = None) -> list[int]:
    """Accounts with an open position below maintenance margin, by index."""
    return sorted(
        index for index, account in state.accounts.items()
        if index != exclude and any(account.position) and is_unhealthy(state, index)
    )  # fmt: skip


def next_order_id(state: ExchangeState, account: int) -> int:
    """An id above every id the account's fill slots hold, so it is never refused as stale."""
    return 1 + max((held for held, _ in state.account(account).fills.values()), default=0)


def liquidation(state: ExchangeState, index: int, market: int, liquidator: int, key: bytes) -> Liquidate:
    """Take all of ``index``'s position in ``market`` at the oracle price rounded to the tick."""
    spec = state.market(market)
    position = state.account(index).position[market]
    tick = spec["tick"]
    price = max(tick, (spec["price"] + tick // 2) // tick * tick)
    size = abs(position)
    order_id = next_order_id(state, liquidator)
    order = Order(liquidator, market, position > 0, price, size, order_id, LIQUIDATOR_EXPIRY)
    return Liquidate(order.sign(key), index, size // spec["lot"], price)


def scan(state: ExchangeState, liquidator: int, key: bytes) -> list[tuple[Liquidate, ExchangeState]]:
    """Liquidations of every unhealthy account (each with the state after it), in account order.

    An account whose liquidation the circuit would refuse is left as it is from there on (the
    liquidator lacks margin), or left whole when the insurance fund cannot absorb its shortfall:
    liquidating some of its markets would only add fees to the deficit that deleveraging
    (deleveraging.py) then makes the opposite positions bear."""
    out = []
    for index in unhealthy_accounts(state, exclude=liquidator):
        done, after = [], state
        for market, position in enumerate(state.account(index).position):
            if position == 0 or not is_unhealthy(after, index):
                continue
            op = liquidation(after, index, market, liquidator, key)
            try:
                after = step(after, op)
            except OpRefused as refused:
                if refused.reason == Refusal.FUND_EXHAUSTED:
                    done, after = [], state
                break
            done.append((op, after))
        out += done
        state = after
    return out
