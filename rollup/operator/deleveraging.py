"""The deleveraging driver: after a price update, an account bankrupt beyond the insurance fund
(TV + fund < 0, so no liquidation can close it) has its positions closed against opposite ones.

Counterparties are taken in ADL order (``adl_ranking``), prices spread the account's deficit over
its positions (``closing_price``), and every operation is checked by ``validity.step`` before it is
returned, so the batch circuit never sees one it would refuse. The circuit checks each operation's
conditions (docs/exchange.md, Deleverage) but not the ranking: that is this module's policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction

from circuits.exchange.config import PPM
from rollup.exchange.operations import Deleverage
from rollup.exchange.state import ExchangeState
from rollup.operator.margin import margin_slack, ratios, total_value
from rollup.operator.refusals import OpRefused
from rollup.operator.validity import step

Deleveraged = list[tuple[Deleverage, ExchangeState]]


def is_bankrupt(state: ExchangeState, index: int) -> bool:
    """TV + insurance fund < 0 with a position open: only deleveraging can close it."""
    return any(state.account(index).position) and total_value(state, index) + state.insurance < 0


def notional(state: ExchangeState, index: int) -> int:
    """Σ |position|·oracle price."""
    positions = state.account(index).position
    return sum(abs(p) * state.market(m)["price"] for m, p in enumerate(positions))


def adl_score(state: ExchangeState, index: int, paid_in: int) -> Fraction:
    """Profit ratio × leverage for an account in profit, profit ratio / leverage for one in loss
    (so the most profitable and most leveraged come first): profit = TV − what the account paid in
    (deposits less withdrawals, at least 1), leverage = notional / TV (TV > 0)."""
    value = total_value(state, index)
    ratio = Fraction(value - paid_in, max(paid_in, 1))
    leverage = Fraction(notional(state, index), value)
    return ratio * leverage if ratio > 0 else ratio / leverage


def adl_ranking(state: ExchangeState, market: int, bankrupt: int, paid_in: Mapping[int, int]) -> list[int]:
    """Accounts holding the side opposite ``bankrupt``'s in ``market``, in ADL order: highest
    ``adl_score`` first, then the larger position, then the lower index; accounts with TV ≤ 0
    are left out (they have nothing to give up)."""
    side = state.account(bankrupt).position[market] > 0
    scored = []
    for index, account in state.accounts.items():
        position = account.position[market]
        if index == bankrupt or position == 0 or (position > 0) == side or total_value(state, index) <= 0:
            continue
        scored.append((-adl_score(state, index, paid_in.get(index, 0)), -abs(position), index))
    return [index for *_, index in sorted(scored)]


def price_offset(state: ExchangeState, index: int, market: int, size: int) -> int:
    """How far from the oracle price (in the bankrupt account's favour) closing ``size`` of its
    position in ``market`` goes: its share of the deficit, −TV·price/notional per unit, rounded
    down so the account stays bankrupt; when this closes its last position, rounded up so TV
    ends in [0, size) and the fund absorbs nothing."""
    value, total = total_value(state, index), notional(state, index)
    if size * state.market(market)["price"] == total:
        return -(value // size)  # ceil(−TV / size)
    return -value * state.market(market)["price"] // total


def closing_price(state: ExchangeState, index: int, market: int, offset: int) -> int:
    """The oracle price moved by ``offset`` in the bankrupt account's favour (a long sells above)."""
    price = state.market(market)["price"]
    return price + offset if state.account(index).position[market] > 0 else price - offset


def affordable_lots(state: ExchangeState, counterparty: int, market: int, offset: int) -> int | None:
    """The most lots the counterparty can take at ``offset`` and stay at maintenance margin (None:
    no limit). Per unit its TV falls by ``offset`` and its maintenance risk by price·mmr."""
    spec = state.market(market)
    cost = offset * PPM - spec["price"] * spec["mmr"]  # per unit, in ppm of TV
    if cost <= 0:
        return None
    slack = margin_slack(state, counterparty, ratios(state, "mmr"))
    return max(slack, 0) // cost // spec["lot"]


def proposal(state: ExchangeState, index: int, market: int, counterparty: int) -> Deleverage | None:
    """The largest deleverage of ``index`` against ``counterparty`` in ``market`` the rules allow."""
    lot = state.market(market)["lot"]
    lots = min(abs(state.account(index).position[market]), abs(state.account(counterparty).position[market]))
    lots //= lot
    offset = price_offset(state, index, market, lots * lot)
    affordable = affordable_lots(state, counterparty, market, offset)
    if affordable is not None and affordable < lots:
        lots = affordable  # a partial close: the rounded-down offset, no dearer per unit
        offset = price_offset(state, index, market, lots * lot)
    if lots < 1:
        return None
    return Deleverage(index, counterparty, market, lots, closing_price(state, index, market, offset))


def next_step(
    state: ExchangeState, index: int, paid_in: Mapping[int, int]
) -> tuple[Deleverage, ExchangeState] | None:
    """The first deleverage the rules allow: markets by notional (largest first), counterparties
    in ADL order; None when nobody can take the other side."""
    positions = state.account(index).position
    markets = sorted((m for m, p in enumerate(positions) if p),
                     key=lambda m: -abs(positions[m]) * state.market(m)["price"])  # fmt: skip
    for market in markets:
        for counterparty in adl_ranking(state, market, index, paid_in):
            op = proposal(state, index, market, counterparty)
            if op is None:
                continue
            try:
                return op, step(state, op)
            except OpRefused:
                continue
    return None


def deleverage_account(state: ExchangeState, index: int, paid_in: Mapping[int, int]) -> Deleveraged:
    """Close ``index``'s positions while it stays bankrupt beyond the fund and someone can take
    the other side; what is left waits for the next price (or a liquidation, once the fund covers it)."""
    out: Deleveraged = []
    while is_bankrupt(state, index) and (done := next_step(state, index, paid_in)) is not None:
        out.append(done)
        state = done[1]
    return out


def drive(state: ExchangeState, paid_in: Callable[[], Mapping[int, int]]) -> Deleveraged:
    """Deleverage every account bankrupt beyond the fund, in account order (each op with its state
    after); ``paid_in`` (each account's deposits less withdrawals) is asked only if one is."""
    out: Deleveraged = []
    bankrupt = [index for index in sorted(state.accounts) if is_bankrupt(state, index)]
    paid = paid_in() if bankrupt else {}
    for index in bankrupt:
        done = deleverage_account(state, index, paid)
        if done:
            state = done[-1][1]
        out += done
    return out
