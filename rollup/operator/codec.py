"""Operations to and from JSON, as the store keeps them (integers stay exact: JSON has no width)."""

from __future__ import annotations

import json
from typing import Any

from circuits.gadgets.eddsa import Signature
from rollup.exchange.operations import (
    Deleverage,
    Deposit,
    FundingTick,
    Liquidate,
    Operation,
    OraclePrice,
    Order,
    SignedOrder,
    Trade,
    Transfer,
    Withdraw,
)


def signature_dict(signature: Signature) -> dict[str, Any]:
    return {"R8": list(signature.R8), "S": signature.S}


def signature_from(data: dict[str, Any]) -> Signature:
    return Signature(tuple(data["R8"]), data["S"])


def signed_order_dict(signed: SignedOrder) -> dict[str, Any]:
    o = signed.order
    order = {"account": o.account, "market": o.market, "is_buy": o.is_buy, "price": o.price,
             "amount": o.amount, "order_id": o.order_id, "expiry": o.expiry}  # fmt: skip
    return {"order": order, "signature": signature_dict(signed.signature)}


def signed_order_from(data: dict[str, Any]) -> SignedOrder:
    return SignedOrder(Order(**data["order"]), signature_from(data["signature"]))


def op_dict(op: Operation) -> dict[str, Any]:
    """A JSON-ready dict of ``op`` with its type under "op"."""
    match op:
        case Trade():
            body = {"taker": signed_order_dict(op.taker), "maker": signed_order_dict(op.maker),
                    "size_lots": op.size_lots}  # fmt: skip
        case Liquidate():
            body = {"liquidator": signed_order_dict(op.liquidator), "account": op.account,
                    "size_lots": op.size_lots, "price": op.price}  # fmt: skip
        case Deposit():
            body = {"account": op.account, "pk": list(op.pk), "amount": op.amount}
        case Withdraw() | OraclePrice() | Transfer():
            body = {k: v for k, v in vars(op).items() if k != "signature"}
            body["signature"] = signature_dict(op.signature)
        case FundingTick() | Deleverage():
            body = dict(vars(op))
        case _:
            raise TypeError(f"not an operation: {op!r}")
    return {"op": op.op_type, **body}


_PLAIN = {"withdraw": Withdraw, "oracle": OraclePrice, "transfer": Transfer, "funding": FundingTick,
          "deleverage": Deleverage}  # fmt: skip


def op_from(data: dict[str, Any]) -> Operation:
    body = dict(data)
    kind = body.pop("op")
    if kind == "trade":
        return Trade(signed_order_from(body["taker"]), signed_order_from(body["maker"]), body["size_lots"])
    if kind == "liquidate":
        liquidator = signed_order_from(body["liquidator"])
        return Liquidate(liquidator, body["account"], body["size_lots"], body["price"])
    if kind == "deposit":
        return Deposit(body["account"], tuple(body["pk"]), body["amount"])
    if kind not in _PLAIN:
        raise ValueError(f"unknown operation type {kind!r}")
    if "signature" in body:
        body["signature"] = signature_from(body["signature"])
    return _PLAIN[kind](**body)


def dumps(op: Operation) -> str:
    return json.dumps(op_dict(op), separators=(",", ":"))


def loads(text: str) -> Operation:
    return op_from(json.loads(text))
