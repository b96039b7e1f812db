"""The circuit's conditions on each operation, checked natively against the state it applies to,
so an operation the batch circuit would reject never enters a batch (docs/exchange.md lists them).

``step(state, op)`` checks ``op`` and returns the state after it, or raises OpRefused naming the
broken rule. Effects come from replaying the op's record (records.py); only conditions live here.
"""

from __future__ import annotations

from functools import lru_cache

from circuits.exchange.config import (
    AMOUNT_BITS,
    NONCE_BITS,
    ORDER_ID_BITS,
    PPM,
    PRICE_TICKS_BITS,
    SIZE_LOTS_BITS,
    TIME_BITS,
)
from circuits.gadgets.babyjub import Point
from circuits.gadgets.eddsa import Signature
from rollup.exchange.operations import (
    Deleverage,
    Deposit,
    FundingTick,
    Liquidate,
    Operation,
    OraclePrice,
    SignedOrder,
    Trade,
    Withdraw,
)
from rollup.exchange.state import ExchangeState
from rollup.operator.margin import (
    fits_signed,
    is_reducing,
    is_unhealthy,
    margin_slack,
    ratios,
    settled_collateral,
    total_value,
)
from rollup.operator.records import advance
from rollup.operator.refusals import OpRefused, Refusal
from rollup.operator.signatures import known_verdict, verify_messages
from rollup.rejections import RejectReason


@lru_cache(maxsize=1 << 16)
def signature_valid(message: int, signature: Signature, pk: Point) -> bool:
    """EdDSA-Poseidon verification as the circuit does it (a key of small order, which the native
    ``eddsa.verify`` would let "sign" anything, signs nothing), compiled (``rollup.sigcheck``:
    well under a millisecond where the native check takes ~80 ms), and remembered."""
    return verify_messages([message], [pk], [signature])[0]


def order_signature_valid(signed: SignedOrder, pk: Point) -> bool:
    """The verdict of the intake's batch check on this exact signed order under this key
    (signatures.py), or :func:`signature_valid` when that batch check did not see them."""
    verdict = known_verdict(signed, pk)
    return signature_valid(signed.order.message(), signed.signature, pk) if verdict is None else verdict


def account_key(state: ExchangeState, index: int, party: str | None = None) -> Point:
    """The key of an account that exists (has received a deposit)."""
    if index not in state.accounts:
        raise OpRefused(Refusal.UNKNOWN_ACCOUNT, f"account {index}", party)
    fields = state.account(index).fields
    return (fields.pk_x, fields.pk_y)


def check_market(state: ExchangeState, market: int) -> dict[str, int]:
    if not 0 <= market < state.config.n_markets:
        raise OpRefused(RejectReason.UNKNOWN_MARKET, f"market {market}")
    return state.market(market)


def check_order(state: ExchangeState, signed: SignedOrder, fill: int = 0, party: str | None = None) -> None:
    """A signed order may trade ``fill`` (base units) now: signature, market, isolation, expiry,
    order id and its fill slot (a replayed or superseded id is refused), filled ≤ amount."""
    order = signed.order
    market = check_market(state, order.market)
    pk = account_key(state, order.account, party)
    if not order_signature_valid(signed, pk):
        raise OpRefused(Refusal.BAD_SIGNATURE, f"order {order.order_id} of account {order.account}", party)
    isolated = state.account(order.account).fields.isolated
    if isolated not in (0, order.market + 1):
        raise OpRefused(Refusal.ISOLATED_MARKET, f"account {order.account}", party)
    if not market["price_time"] < order.expiry < 1 << TIME_BITS:
        detail = f"expiry {order.expiry}, oracle time {market['price_time']}"
        raise OpRefused(RejectReason.EXPIRED, detail, party)
    if not 0 <= order.order_id < 1 << ORDER_ID_BITS:
        raise OpRefused(Refusal.ORDER_ID_RANGE, f"order id {order.order_id}", party)
    if not (0 < order.price < 1 << (AMOUNT_BITS - 1) and 0 < order.amount < 1 << (AMOUNT_BITS - 1)):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"price {order.price}, amount {order.amount}", party)
    held, filled = state.account(order.account).fill_slot(order.order_id % 4**state.config.order_depth)
    if held > order.order_id:
        raise OpRefused(Refusal.STALE_ORDER_ID, f"slot holds order {held}", party)
    already = filled if held == order.order_id else 0
    if already + fill > order.amount:
        raise OpRefused(Refusal.OVERFILL, f"{already} of {order.amount} filled, {fill} more", party)


def check_fill_size(state: ExchangeState, market: int, size_lots: int, price: int) -> None:
    tick = state.market(market)["tick"]
    if not 1 <= size_lots < 1 << SIZE_LOTS_BITS:
        raise OpRefused(Refusal.OUT_OF_RANGE, f"size {size_lots} lots")
    if price % tick or not 0 <= price // tick < 1 << PRICE_TICKS_BITS:
        raise OpRefused(RejectReason.PRICE_OFF_TICK, f"price {price}, tick {tick}")


def check_margin_after(before: ExchangeState, after: ExchangeState, index: int, market: int,
                       party: str | None = None) -> None:  # fmt: skip
    """Initial margin after a position change, maintenance when the position only shrank; amounts in range."""
    account = after.account(index)
    if not (fits_signed(account.collateral) and all(fits_signed(p) for p in account.position)):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"account {index} collateral or position", party)
    reducing = is_reducing(before.account(index).position[market], account.position[market])
    if margin_slack(after, index, ratios(after, "mmr" if reducing else "imr")) < 0:
        raise OpRefused(Refusal.INSUFFICIENT_MARGIN, f"account {index}", party)


def check_trade(state: ExchangeState, op: Trade) -> ExchangeState:
    taker, maker = op.taker.order, op.maker.order
    if taker.market != maker.market or taker.is_buy == maker.is_buy:
        raise OpRefused(Refusal.MALFORMED, "orders must be on opposite sides of one market")
    if taker.account == maker.account:
        raise OpRefused(Refusal.SAME_ACCOUNT, f"account {taker.account}")
    check_market(state, taker.market)
    check_fill_size(state, taker.market, op.size_lots, maker.price)
    if (maker.price > taker.price) if taker.is_buy else (maker.price < taker.price):
        raise OpRefused(Refusal.LIMIT, f"maker price {maker.price}, taker limit {taker.price}", "taker")
    size = op.size_lots * state.market(taker.market)["lot"]
    check_order(state, op.taker, size, "taker")
    check_order(state, op.maker, size, "maker")
    after = advance(state, [op])
    check_margin_after(state, after, taker.account, taker.market, "taker")
    check_margin_after(state, after, maker.account, maker.market, "maker")
    return after


def check_liquidate(state: ExchangeState, op: Liquidate) -> ExchangeState:
    order = op.liquidator.order
    market = check_market(state, order.market)
    if order.account == op.account:
        raise OpRefused(Refusal.SAME_ACCOUNT, f"account {op.account}")
    check_fill_size(state, order.market, op.size_lots, op.price)
    if (op.price > order.price) if order.is_buy else (op.price < order.price):
        raise OpRefused(Refusal.LIMIT, f"price {op.price}, limit {order.price}")
    if abs(op.price - market["price"]) * PPM > market["price"] * market["penalty"]:
        raise OpRefused(Refusal.MOVE_TOO_LARGE, f"price {op.price} against oracle {market['price']}")
    check_order(state, op.liquidator, op.size_lots * market["lot"])
    if op.account not in state.accounts or not is_unhealthy(state, op.account):
        raise OpRefused(Refusal.NOT_UNHEALTHY, f"account {op.account}")
    after = advance(state, [op])
    old = state.account(op.account).position[order.market]
    new = after.account(op.account).position[order.market]
    if not is_reducing(old, new):
        raise OpRefused(Refusal.NOT_REDUCING, f"account {op.account}: {old} → {new}")
    if not fits_signed(after.account(op.account).collateral):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"account {op.account} collateral")
    if after.insurance < 0:
        raise OpRefused(Refusal.FUND_EXHAUSTED, f"fund {state.insurance}")
    check_margin_after(state, after, order.account, order.market)
    return after


def check_deleverage(state: ExchangeState, op: Deleverage) -> ExchangeState:
    """A bankrupt account (TV + fund < 0) closes part of a position against an opposite one, at a
    price from the oracle's to its bankruptcy price; the counterparty stays above maintenance."""
    market = check_market(state, op.market)
    if op.account == op.counterparty:
        raise OpRefused(Refusal.SAME_ACCOUNT, f"account {op.account}")
    account_key(state, op.account)
    account_key(state, op.counterparty, "counterparty")
    if not (1 <= op.size_lots < 1 << SIZE_LOTS_BITS and 0 <= op.price < 1 << AMOUNT_BITS):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"size {op.size_lots} lots, price {op.price}")
    value = total_value(state, op.account)
    if value + state.insurance >= 0:
        raise OpRefused(Refusal.NOT_BANKRUPT, f"account {op.account}: TV {value}, fund {state.insurance}")
    position = state.account(op.account).position[op.market]
    size = op.size_lots * market["lot"]
    change = size if position < 0 else -size  # the bankrupt account's; the counterparty's is opposite
    other = state.account(op.counterparty).position[op.market]
    if not (is_reducing(position, position + change) and is_reducing(other, other - change)):
        raise OpRefused(Refusal.NOT_REDUCING, f"positions {position} and {other}, change {change}")
    value_after = value + change * (market["price"] - op.price)
    if not value <= value_after < size:
        raise OpRefused(Refusal.BANKRUPTCY_PRICE, f"price {op.price}: TV {value} → {value_after}")
    if not fits_signed(settled_collateral(state, op.account) - change * op.price):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"account {op.account} collateral")
    after = advance(state, [op])
    if after.insurance < 0:
        raise OpRefused(Refusal.FUND_EXHAUSTED, f"fund {state.insurance}")
    check_margin_after(state, after, op.counterparty, op.market, "counterparty")
    return after


def check_deposit(state: ExchangeState, op: Deposit) -> ExchangeState:
    if not 0 <= op.account < 4**state.config.account_depth:
        raise OpRefused(Refusal.OUT_OF_RANGE, f"account index {op.account}")
    if not 0 <= op.amount < 1 << AMOUNT_BITS:
        raise OpRefused(Refusal.OUT_OF_RANGE, f"amount {op.amount}")
    if op.account in state.accounts and account_key(state, op.account) != tuple(op.pk):
        raise OpRefused(Refusal.KEY_MISMATCH, f"account {op.account}")
    after = advance(state, [op])
    if not fits_signed(after.account(op.account).collateral):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"account {op.account} collateral")
    return after


def check_withdraw(state: ExchangeState, op: Withdraw) -> ExchangeState:
    pk = account_key(state, op.account)
    nonce = state.account(op.account).fields.nonce
    if not (0 <= op.amount < 1 << AMOUNT_BITS and 0 <= op.recipient < 1 << 160):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"amount {op.amount}, recipient {op.recipient:#x}")
    if not signature_valid(Withdraw.message(op.account, op.recipient, op.amount, nonce), op.signature, pk):
        raise OpRefused(Refusal.BAD_SIGNATURE, f"withdrawal of account {op.account} at nonce {nonce}")
    if nonce + 1 >= 1 << NONCE_BITS:
        raise OpRefused(Refusal.BAD_NONCE, f"nonce {nonce}")
    after = advance(state, [op])
    if not fits_signed(after.account(op.account).collateral):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"account {op.account} collateral")
    if margin_slack(after, op.account, ratios(after, "imr")) < 0:
        raise OpRefused(Refusal.INSUFFICIENT_MARGIN, f"account {op.account}")
    return after


def check_oracle(state: ExchangeState, op: OraclePrice) -> ExchangeState:
    market = check_market(state, op.market)
    oracle_key = (state.globals.oracle_x, state.globals.oracle_y)
    if not signature_valid(OraclePrice.message(op.market, op.price, op.timestamp), op.signature, oracle_key):
        raise OpRefused(Refusal.BAD_SIGNATURE, f"oracle price for market {op.market}")
    if not 0 < op.price < 1 << AMOUNT_BITS:
        raise OpRefused(Refusal.OUT_OF_RANGE, f"price {op.price}")
    if not market["price_time"] < op.timestamp < 1 << TIME_BITS:
        raise OpRefused(Refusal.STALE_TIMESTAMP, f"{op.timestamp} after {market['price_time']}")
    if abs(op.price - market["price"]) * PPM > market["price"] * market["max_move"]:
        raise OpRefused(Refusal.MOVE_TOO_LARGE, f"{market['price']} → {op.price}")
    return advance(state, [op])


def check_funding(state: ExchangeState, op: FundingTick) -> ExchangeState:
    market = check_market(state, op.market)
    if not fits_signed(op.index):
        raise OpRefused(Refusal.OUT_OF_RANGE, f"index {op.index}")
    if abs(op.index - market["funding_index"]) * PPM > market["price"] * market["max_funding"]:
        raise OpRefused(Refusal.MOVE_TOO_LARGE, f"{market['funding_index']} → {op.index}")
    return advance(state, [op])


CHECKS = {
    "trade": check_trade,
    "liquidate": check_liquidate,
    "deleverage": check_deleverage,
    "deposit": check_deposit,
    "withdraw": check_withdraw,
    "oracle": check_oracle,
    "funding": check_funding,
}


def step(state: ExchangeState, op: Operation) -> ExchangeState:
    """The state after ``op``, or OpRefused when the circuit would reject it."""
    check = CHECKS.get(op.op_type)
    if check is None:
        raise OpRefused(Refusal.MALFORMED, f"the operator does not queue {op.op_type} operations")
    return check(state, op)
