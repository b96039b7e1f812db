"""What the HTTP API answers: the operator's results and state as JSON-ready dicts. Each view runs
on the operator's own thread (it reads the operator's memory and store). Field elements (roots,
commitments, keys) are strings, since they exceed the integers JSON readers keep exactly."""

from __future__ import annotations

from typing import Any

from rollup.book import DepthLevel
from rollup.exchange.operations import FundingTick, OraclePrice, Withdraw
from rollup.exchange.state import signed
from rollup.operator.api_requests import DepositRequest, withdraw_json
from rollup.operator.margin import settled_collateral
from rollup.operator.operator import Operator, Placed
from rollup.operator.store import BatchRow, OrderRow
from rollup.orders import Cancel


def hex_or_none(value: int | None) -> str | None:
    return None if value is None else f"0x{value:064x}"


def order_status(row: OrderRow) -> dict[str, Any]:
    o = row.signed.order
    return {
        "account": o.account, "order_id": o.order_id, "market": o.market, "is_buy": o.is_buy,
        "price": o.price, "amount": o.amount, "expiry": o.expiry, "time_in_force": row.time_in_force,
        "post_only": row.post_only, "reduce_only": row.reduce_only, "status": row.status,
        "remaining": row.remaining,
    }  # fmt: skip


def placed(operator: Operator, result: Placed) -> dict[str, Any]:
    """An accepted order as stored, with what it traded and what of it was cancelled on arrival."""
    submit = result.result
    fills = [
        {"id": fill_id, "maker": {"account": f.maker.account, "order_id": f.maker.order_id}, "price": f.price,
         "size": f.size}
        for fill_id, f in zip(result.fill_ids, submit.fills, strict=True)
    ]  # fmt: skip
    return {
        **order_status(operator.store.order(*result.key)),
        "filled": submit.filled,
        "cancelled": submit.cancelled,
        "fills": fills,
        "cancels": [{"size": c.size, "reason": c.reason.value} for c in submit.taker_cancels],
        "sealed_batches": list(result.sealed),
    }


def cancelled(cancel: Cancel) -> dict[str, Any]:
    o = cancel.order
    return {"account": o.account, "order_id": o.order_id, "status": "cancelled", "cancelled": cancel.size}


def _levels(levels: tuple[DepthLevel, ...]) -> list[dict[str, int]]:
    return [{"price": level.price, "size": level.size, "orders": level.orders} for level in levels]


def book(operator: Operator, market: int, depth: int) -> dict[str, Any]:
    levels = operator.engine.book(market).depth(depth)
    return {"market": market, "bids": _levels(levels.bids), "asks": _levels(levels.asks)}


def markets(operator: Operator) -> list[dict[str, int]]:
    state = operator.state
    return [{"market": m, **state.market(m)} for m in range(state.config.n_markets)]


def account(operator: Operator, index: int) -> dict[str, Any]:
    """An account once every queued operation applies, with its resting orders."""
    state = operator.state
    values = state.account(index).values
    positions = [
        {"market": m, "size": size, "funding_index": signed(settled)}
        for m, (size, settled) in enumerate(zip(state.account(index).position, values.funding, strict=True))
    ]
    resting = []
    for market in operator.engine.markets:
        book = operator.engine.book(market)
        for key in book.keys_of(index):
            order = book.get(key).order
            resting.append({"order_id": order.order_id, "market": market, "is_buy": order.side > 0,
                            "price": order.price, "remaining": book.get(key).remaining})  # fmt: skip
    return {
        "account": index, "pk": [str(values.pk_x), str(values.pk_y)], "nonce": values.nonce,
        "collateral": state.account(index).collateral, "settled_collateral": settled_collateral(state, index),
        "isolated": values.isolated, "positions": positions, "open_orders": resting,
    }  # fmt: skip


def batch_summary(row: BatchRow) -> dict[str, Any]:
    return {
        "id": row.id, "status": row.status, "sealed_at": row.sealed_at, "old_root": hex_or_none(row.old_root),
        "new_root": hex_or_none(row.new_root), "commitment": hex_or_none(row.commitment), "tx": row.tx,
    }  # fmt: skip


def batch_detail(operator: Operator, row: BatchRow) -> dict[str, Any]:
    """A sealed batch with each slot's operation type (null for a no-op), pubdata and proof once made."""
    slots = [None if op is None else op.op_type for op in operator.batch_ops(row.id)]
    pubdata = None if row.pubdata is None else "0x" + row.pubdata.hex()
    proof = {"proof": row.proof, "public": row.public}
    return {**batch_summary(row), "slots": slots, "pubdata": pubdata, **proof}


def open_batch(operator: Operator) -> dict[str, Any]:
    batch = operator.batch
    slots = [None if op is None else op.op_type for op in batch.slots]
    return {"id": batch.batch_id, "status": "open", "opened_at": batch.opened_at, "slots": slots}


def status(operator: Operator) -> dict[str, Any]:
    counts = operator.store.batch_counts()
    batch = operator.batch
    return {
        "root": hex_or_none(operator.root), "sealed_root": hex_or_none(operator.sealed_state.root),
        "now": operator.now, "markets": operator.genesis.config.n_markets,
        "deposits": operator.store.deposit_count(),
        "open_batch": {"id": batch.batch_id, "ops": sum(op is not None for op in batch.slots)},
        "batches": counts,
    }  # fmt: skip


def queued(operator: Operator, seq: int) -> dict[str, int]:
    """Where an accepted operation went: its sequence number and batch."""
    return {"seq": seq, "batch": operator.store.op(seq).batch_id}


def withdrawal(operator: Operator, withdraw: Withdraw, nonce: int, seq: int) -> dict[str, Any]:
    """An accepted withdrawal as requested (without its signature), and where it went."""
    request = {k: v for k, v in withdraw_json(withdraw, nonce).items() if k != "signature"}
    return {**request, **queued(operator, seq)}


def oracle_price(operator: Operator, price: OraclePrice, seqs: list[int]) -> dict[str, Any]:
    """An accepted price, and the liquidations the operator queued with it (same commit)."""
    liquidations = [
        {"account": operator.store.op(seq).op.account, **queued(operator, seq)} for seq in seqs[1:]
    ]
    return {"market": price.market, "price": price.price, "timestamp": price.timestamp,
            **queued(operator, seqs[0]), "liquidations": liquidations}  # fmt: skip


def funding_tick(operator: Operator, tick: FundingTick, seq: int) -> dict[str, Any]:
    return {"market": tick.market, "index": tick.index, **queued(operator, seq)}


def deposit(operator: Operator, request: DepositRequest, seq: int) -> dict[str, Any]:
    return {"queue_index": request.queue_index, "account": request.account, "amount": request.amount,
            **queued(operator, seq)}  # fmt: skip
