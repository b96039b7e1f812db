"""Rules several operations share: market selection, funding settlement, margin, fill slots.

Values read from the state were range-checked when written (every write below checks them), so
they are trusted to lie in their ranges; new values are checked here before they are written.
"""

from __future__ import annotations

from collections.abc import Sequence

from circuits.cs import ConstraintSystem, LinearCombination, Operand, scoped
from circuits.exchange.config import AMOUNT_BITS, ORDER_ID_BITS, PPM, ExchangeConfig
from circuits.exchange.state_vars import AccountVar, GlobalVar
from circuits.field import inv_mod
from circuits.gadgets.bits import assert_range, assert_signed_range, from_bits, to_bits
from circuits.gadgets.compare import abs_signed, is_equal, is_zero, select
from circuits.gadgets.merkle import merkle_update_var

Var = LinearCombination
MARGIN_BITS = 152  # |TV·PPM − risk| < 2^152 for ≤ 5 markets of 64-bit positions and prices
ORDER_SLOT_SHIFT = 1 << AMOUNT_BITS  # a fill slot leaf packs order_id·2^64 + filled


def assert_different(cs: ConstraintSystem, a: Operand, b: Operand, when: Operand, label: str) -> None:
    """a ≠ b when ``when`` = 1, as (a − b)·inverse = when (one constraint)."""
    diff = cs.lc(a) - cs.lc(b)
    (inverse,) = cs.hint(lambda d, w: inv_mod(d) if d and w else 0, diff, when)
    cs.enforce(diff, inverse, when, label)


def market_onehot(cs: ConstraintSystem, market: Operand, n_markets: int) -> list[Var]:
    """Bits b_j = [market == j]; unsatisfiable unless market ∈ [0, n_markets)."""
    if n_markets == 1:
        cs.assert_equal(market, 0, "single market")
        return [cs.one]
    bits = cs.hint(lambda m: [int(m == j) for j in range(n_markets)], market, n_out=n_markets)
    for b in bits:
        cs.assert_bool(b)
    cs.assert_equal(sum(bits, cs.constant(0)), 1, "one market")
    cs.assert_equal(sum((b.scale(j) for j, b in enumerate(bits)), cs.constant(0)), market, "market index")
    return bits


def pick(cs: ConstraintSystem, onehot: Sequence[Var], values: Sequence[Operand]) -> Var:
    """Σ onehot[j]·values[j]: the selected value (one product per non-constant value)."""
    return sum((cs.mul(b, v) for b, v in zip(onehot, values, strict=True)), cs.constant(0))


def settle_funding(cs: ConstraintSystem, account: AccountVar, g: GlobalVar) -> AccountVar:
    """Pay funding since the last settlement: collateral −= Σ position·(index − settled index)."""
    paid = cs.constant(0)
    for position, settled, market in zip(account.positions, account.funding, g.markets, strict=True):
        paid = paid + cs.mul(position, market["funding_index"] - settled)
    return account.replace(
        collateral=cs.lc(account.collateral) - paid,
        funding=tuple(cs.lc(m["funding_index"]) for m in g.markets),
    )


def assert_account_ranges(cs: ConstraintSystem, account: AccountVar, when: Operand) -> None:
    """The new amounts of an account fit their signed 64-bit ranges (checked before writing)."""
    assert_signed_range(cs, account.collateral, AMOUNT_BITS, when)
    for position in account.positions:
        assert_signed_range(cs, position, AMOUNT_BITS, when)


def margin_slack(cs: ConstraintSystem, account: AccountVar, g: GlobalVar, ratios: Sequence[Operand]) -> Var:
    """TV·PPM − Σ |position|·price·ratio, with TV = collateral + Σ position·price (ratios in ppm)."""
    value = cs.lc(account.collateral)
    risk = cs.constant(0)
    for position, market, ratio in zip(account.positions, g.markets, ratios, strict=True):
        value = value + cs.mul(position, market["price"])
        size, _ = abs_signed(cs, position, AMOUNT_BITS)
        risk = risk + cs.mul(cs.mul(size, market["price"]), ratio)
    return value.scale(PPM) - risk


def assert_margin(
    cs: ConstraintSystem, account: AccountVar, g: GlobalVar, ratios: Sequence[Operand], when: Operand
) -> None:
    """TV ≥ Σ |position|·price·ratio/PPM, exactly (no rounding): the slack is in [0, 2^152)."""
    with cs.scope("margin"):
        assert_range(cs, margin_slack(cs, account, g, ratios), MARGIN_BITS, when)


def initial_ratios(g: GlobalVar) -> list:
    return [m["imr"] for m in g.markets]


def is_reducing(cs: ConstraintSystem, old: Operand, new: Operand) -> Var:
    """Bit: the new position lies between 0 and the old one (inclusive), i.e. new·(old − new) ≥ 0;
    a position opened from zero or flipped past it is not a reduction."""
    old, new = cs.lc(old), cs.lc(new)
    slack = cs.mul(new, old - new)  # in (−2^127, 2^127) for 64-bit signed positions
    return to_bits(cs, slack + (1 << 127), 128)[127]


def assert_reduce_only(
    cs: ConstraintSystem, onehot: Sequence[Var], old: Sequence[Operand], new: Sequence[Operand], when: Operand
) -> None:
    """The position in the selected market only shrinks toward zero (no growth, no flip)."""
    with cs.scope("reduce only"):
        reducing = is_reducing(cs, pick(cs, onehot, old), pick(cs, onehot, new))
        cs.enforce(when, 1 - reducing, 0)


def shortfall(cs: ConstraintSystem, collateral: Operand, positions: Sequence[Operand]) -> Var:
    """The negative collateral of an account left with no position (else 0), for the fund to absorb;
    also range-checks the collateral to signed 64 bits."""
    _, negative = abs_signed(cs, collateral, AMOUNT_BITS)
    closed = cs.one
    for position in positions:
        closed = cs.mul(closed, is_zero(cs, position))
    return cs.mul(cs.mul(closed, negative), collateral)


@scoped("fill")
def write_fill(
    cs: ConstraintSystem,
    config: ExchangeConfig,
    orders_root: Operand,
    order_id: Operand,
    order_size: Operand,
    fill: Operand,
    slot_id: Operand,
    slot_filled: Operand,
    siblings: Sequence[Sequence[Operand]],
    when: Operand,
) -> tuple[Var, Var, Var]:
    """Record ``fill`` lots against ``order_id`` in its slot (the id's low bits); returns the new
    orders root, the slot index and the new filled amount.

    The slot holds the id it last served and the amount filled: the same id adds to it, a larger
    id starts afresh, a smaller one is refused, so a fill cannot be replayed; filled ≤ order size."""
    id_bits = to_bits(cs, order_id, ORDER_ID_BITS)
    index = from_bits(cs, id_bits[: config.order_slot_bits])
    assert_range(cs, slot_id, ORDER_ID_BITS)
    assert_range(cs, slot_filled, AMOUNT_BITS)
    same = is_equal(cs, order_id, slot_id)
    # a new order must have a larger id than the slot's: id − slot_id − 1 ≥ 0 unless same
    assert_range(cs, cs.lc(order_id) - slot_id - 1 + same, ORDER_ID_BITS, when)
    filled = cs.lc(fill) + cs.mul(same, slot_filled)
    assert_range(cs, cs.lc(order_size) - filled, AMOUNT_BITS, when)
    old_leaf = cs.lc(slot_id).scale(ORDER_SLOT_SHIFT) + slot_filled
    new_leaf = cs.lc(order_id).scale(ORDER_SLOT_SHIFT) + filled
    root = merkle_update_var(cs, orders_root, old_leaf, new_leaf, index, siblings, 4, when)
    return root, index, filled


def gated(cs: ConstraintSystem, when: Operand, new: Operand, old: Operand) -> Var:
    """new when the slot is enabled, else old (one product)."""
    return select(cs, when, new, old)
