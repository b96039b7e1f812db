"""The circuit's margin rules (circuits/exchange/rules.py) on plain integers, for the operator to
decide before an operation enters a batch whether the circuit will accept it."""

from __future__ import annotations

from collections.abc import Sequence

from circuits.exchange.config import AMOUNT_BITS, PPM
from rollup.exchange.state import ExchangeState, signed

SIGNED_MIN, SIGNED_MAX = -(1 << (AMOUNT_BITS - 1)), (1 << (AMOUNT_BITS - 1)) - 1


def fits_signed(value: int) -> bool:
    """Within the signed 64-bit range every stored amount is checked to."""
    return SIGNED_MIN <= value <= SIGNED_MAX


def settled_collateral(state: ExchangeState, index: int) -> int:
    """Collateral after paying funding since the account's last settlement (``settle_funding``)."""
    account = state.account(index)
    paid = sum(
        position * (state.market(m)["funding_index"] - signed(settled))
        for m, (position, settled) in enumerate(zip(account.position, account.fields.funding, strict=True))
    )
    return account.collateral - paid


def margin_slack(state: ExchangeState, index: int, ratios: Sequence[int], collateral: int | None = None,
                 positions: Sequence[int] | None = None) -> int:  # fmt: skip
    """TV·PPM − Σ|position|·price·ratio with funding settled (``margin_slack``); ≥ 0 meets the margin.
    ``collateral`` and ``positions`` override the account's (for a hypothetical fill)."""
    if collateral is None:
        collateral = settled_collateral(state, index)
    if positions is None:
        positions = state.account(index).position
    value, risk = collateral, 0
    for m, (position, ratio) in enumerate(zip(positions, ratios, strict=True)):
        price = state.market(m)["price"]
        value += position * price
        risk += abs(position) * price * ratio
    return value * PPM - risk


def total_value(state: ExchangeState, index: int) -> int:
    """TV = collateral + Σ position·price, funding settled."""
    return margin_slack(state, index, [0] * state.config.n_markets) // PPM


def ratios(state: ExchangeState, field: str) -> list[int]:
    """Each market's ``imr`` or ``mmr``."""
    return [state.market(m)[field] for m in range(state.config.n_markets)]


def is_reducing(old: int, new: int) -> bool:
    """The new position lies between 0 and the old one (``is_reducing``)."""
    return new * (old - new) >= 0


def is_unhealthy(state: ExchangeState, index: int) -> bool:
    """Below maintenance margin after funding settlement: the account may be liquidated."""
    return margin_slack(state, index, ratios(state, "mmr")) < 0
