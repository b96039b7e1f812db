"""Strict parsing of the HTTP API's JSON bodies into operator arguments: every field known, of its
type and within the width the circuit gives it, or a RequestError naming the first one that is not.

Rules an order is refused by (signature, tick, lot, margin, ...) are the operator's, not checked here:
a request that parses is well formed, and the operator then decides whether it is acceptable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from circuits.exchange.config import ACCOUNT_INDEX_BYTES, AMOUNT_BITS, NONCE_BITS, ORDER_ID_BITS, TIME_BITS
from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.eddsa import Signature
from rollup.exchange.operations import FundingTick, OraclePrice, Order, SignedOrder, Withdraw
from rollup.orders import TimeInForce

MAX_BODY_BYTES = 16 * 1024
"""Largest request body accepted; a signed order is about 400 bytes."""

DECIMAL = re.compile(r"0|[1-9][0-9]{0,77}")
"""A field element as a decimal string: no sign, no leading zeros, at most 78 digits."""

MARKET_LIMIT = 1 << 7  # a trade record carries the market in 7 bits (the eighth is the side)


class RequestError(ValueError):
    """A request that is not well formed; its message says what is wrong, in one line."""


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``; floats, NaN, duplicate keys and bad UTF-8 are refused."""
    try:
        text = body.decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                          parse_constant=_no_float)  # fmt: skip
    except RequestError:
        raise
    except UnicodeDecodeError as error:
        raise RequestError(f"body is not UTF-8 ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise RequestError(f"malformed JSON: {error.msg} at {where}") from None
    except ValueError as error:  # an integer literal longer than Python converts
        raise RequestError(f"malformed JSON: {error}") from None
    except RecursionError:
        raise RequestError("malformed JSON: nested too deeply") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise RequestError(f"field {key!r} given twice")
        out[key] = value
    return out


def _no_float(text: str) -> Any:
    raise RequestError(f"numbers must be integers, got {text}")


# --- fields -------------------------------------------------------------------------------------

Parser = Callable[[str, Any], Any]


def integer(low: int, high: int) -> Parser:
    """A JSON integer in [low, high)."""

    def parse(name: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise RequestError(f"{name} must be an integer, got {json_type(value)}")
        if not low <= value < high:
            raise RequestError(f"{name} must be in [{_bound(low)}, {_bound(high)}), got {value}")
        return value

    return parse


def field_element(name: str, value: Any) -> int:
    """A decimal string below the BN254 scalar field's modulus (signature parts exceed JSON's safe range)."""
    if not isinstance(value, str):
        raise RequestError(f"{name} must be a decimal string, got {json_type(value)}")
    if not DECIMAL.fullmatch(value):
        raise RequestError(f"{name} must be a decimal string of digits without leading zeros")
    number = int(value)
    if number >= FR:
        raise RequestError(f"{name} must be below the field modulus")
    return number


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise RequestError(f"{name} must be true or false, got {json_type(value)}")
    return value


def choice(*options: str) -> Parser:
    def parse(name: str, value: Any) -> str:
        if value not in options or not isinstance(value, str):
            raise RequestError(f"{name} must be one of {', '.join(options)}, got {json.dumps(value)}")
        return value

    return parse


def json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", str: "a string", list: "an array", dict: "an object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _bound(high: int) -> str:
    if high < 0:
        return f"-{_bound(-high)}"
    return f"2^{high.bit_length() - 1}" if high > 1 << 16 and high & (high - 1) == 0 else str(high)


@dataclass(frozen=True)
class Field:
    parse: Parser
    default: Any = None
    required: bool = True


def fields_of(name: str, value: Any, spec: dict[str, Field]) -> dict[str, Any]:
    """An object with exactly ``spec``'s fields (optional ones defaulted), each parsed."""
    if not isinstance(value, dict):
        raise RequestError(f"{name} must be an object, got {json_type(value)}")
    unknown = sorted(set(value) - set(spec))
    if unknown:
        raise RequestError(f"unknown field {_path(name, unknown[0])}")
    out = {}
    for key, field in spec.items():
        path = _path(name, key)
        if key in value:
            out[key] = field.parse(path, value[key])
        elif field.required:
            raise RequestError(f"missing field {path}")
        else:
            out[key] = field.default
    return out


def _path(name: str, key: str) -> str:
    return key if name == "body" else f"{name}.{key}"


# --- requests -----------------------------------------------------------------------------------

ACCOUNT = Field(integer(0, 1 << (8 * ACCOUNT_INDEX_BYTES)))
ORDER_ID = Field(integer(0, 1 << ORDER_ID_BITS))
SIGNATURE = Field(lambda name, value: _signature(name, value))

ORDER_FIELDS = {
    "account": ACCOUNT,
    "market": Field(integer(0, MARKET_LIMIT)),
    "is_buy": Field(boolean),
    "price": Field(integer(0, 1 << (AMOUNT_BITS - 1))),
    "amount": Field(integer(0, 1 << (AMOUNT_BITS - 1))),
    "order_id": ORDER_ID,
    "expiry": Field(integer(0, 1 << TIME_BITS)),
    "signature": SIGNATURE,
    "time_in_force": Field(choice(*(t.value for t in TimeInForce)), "GTC", required=False),
    "post_only": Field(boolean, False, required=False),
    "reduce_only": Field(boolean, False, required=False),
}

CANCEL_FIELDS = {"account": ACCOUNT, "order_id": ORDER_ID, "signature": SIGNATURE}


def _signature(name: str, value: Any) -> Signature:
    parts = fields_of(name, value, {key: Field(field_element) for key in ("R8x", "R8y", "S")})
    return Signature((parts["R8x"], parts["R8y"]), parts["S"])


@dataclass(frozen=True)
class PlaceRequest:
    """``Operator.place``'s arguments."""

    signed: SignedOrder
    time_in_force: str
    post_only: bool
    reduce_only: bool


@dataclass(frozen=True)
class CancelRequest:
    """``Operator.cancel``'s arguments."""

    account: int
    order_id: int
    signature: Signature


def parse_place(body: bytes) -> PlaceRequest:
    f = fields_of("body", parse_json(body), ORDER_FIELDS)
    order = Order(f["account"], f["market"], f["is_buy"], f["price"], f["amount"], f["order_id"], f["expiry"])
    signed = SignedOrder(order, f["signature"])
    return PlaceRequest(signed, f["time_in_force"], f["post_only"], f["reduce_only"])


def parse_cancel(body: bytes) -> CancelRequest:
    f = fields_of("body", parse_json(body), CANCEL_FIELDS)
    return CancelRequest(f["account"], f["order_id"], f["signature"])


def signature_json(signature: Signature) -> dict[str, str]:
    """The wire form of a signature (what clients send and what parse_place reads)."""
    return {"R8x": str(signature.R8[0]), "R8y": str(signature.R8[1]), "S": str(signature.S)}


def order_json(signed: SignedOrder, **flags: Any) -> dict[str, Any]:
    """The wire form of a signed order, with optional flags (time_in_force, post_only, reduce_only)."""
    o = signed.order
    return {
        "account": o.account, "market": o.market, "is_buy": o.is_buy, "price": o.price, "amount": o.amount,
        "order_id": o.order_id, "expiry": o.expiry, "signature": signature_json(signed.signature), **flags,
    }  # fmt: skip


# --- withdrawals, oracle prices, funding ticks, deposits ------------------------------------------

ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
AMOUNT = Field(integer(0, 1 << (AMOUNT_BITS - 1)))
MARKET = Field(integer(0, MARKET_LIMIT))


def address(name: str, value: Any) -> int:
    """An Ethereum address: 0x and 40 hex digits (any case; the checksum is not required)."""
    if not isinstance(value, str) or not ADDRESS.fullmatch(value):
        raise RequestError(f"{name} must be an address, 0x and 40 hex digits")
    return int(value, 16)


def public_key(name: str, value: Any) -> tuple[int, int]:
    """A Baby Jubjub point as two decimal strings ``[x, y]`` (as GET /accounts shows keys)."""
    if not isinstance(value, list) or len(value) != 2:
        raise RequestError(f"{name} must be an array of two decimal strings")
    point = (field_element(f"{name}[0]", value[0]), field_element(f"{name}[1]", value[1]))
    if not babyjub.on_curve(point):
        raise RequestError(f"{name} is not a point of Baby Jubjub")
    return point


WITHDRAW_FIELDS = {
    "account": ACCOUNT, "recipient": Field(address), "amount": AMOUNT,
    "nonce": Field(integer(0, 1 << NONCE_BITS)), "signature": SIGNATURE,
}  # fmt: skip
ORACLE_FIELDS = {
    "market": MARKET, "price": AMOUNT, "timestamp": Field(integer(0, 1 << TIME_BITS)), "signature": SIGNATURE,
}  # fmt: skip
SIGNED_AMOUNT = Field(integer(-(1 << (AMOUNT_BITS - 1)), 1 << (AMOUNT_BITS - 1)))
FUNDING_FIELDS = {"market": MARKET, "index": SIGNED_AMOUNT}
DEPOSIT_FIELDS = {
    "queue_index": Field(integer(0, 1 << (AMOUNT_BITS - 1))), "account": ACCOUNT,
    "pk": Field(public_key), "amount": AMOUNT,
}  # fmt: skip


@dataclass(frozen=True)
class WithdrawRequest:
    """A withdrawal and the account nonce its signature covers (checked before the signature, so
    that a stale nonce is named as such rather than as a bad signature)."""

    withdraw: Withdraw
    nonce: int


@dataclass(frozen=True)
class DepositRequest:
    """``Operator.deposit``'s arguments: one entry of the chain's deposit queue."""

    queue_index: int
    account: int
    pk: tuple[int, int]
    amount: int


def parse_withdraw(body: bytes) -> WithdrawRequest:
    f = fields_of("body", parse_json(body), WITHDRAW_FIELDS)
    return WithdrawRequest(Withdraw(f["account"], f["recipient"], f["amount"], f["signature"]), f["nonce"])


def parse_oracle(body: bytes) -> OraclePrice:
    f = fields_of("body", parse_json(body), ORACLE_FIELDS)
    return OraclePrice(f["market"], f["price"], f["timestamp"], f["signature"])


def parse_funding(body: bytes) -> FundingTick:
    f = fields_of("body", parse_json(body), FUNDING_FIELDS)
    return FundingTick(f["market"], f["index"])


def parse_deposit(body: bytes) -> DepositRequest:
    f = fields_of("body", parse_json(body), DEPOSIT_FIELDS)
    return DepositRequest(f["queue_index"], f["account"], f["pk"], f["amount"])


def withdraw_json(withdraw: Withdraw, nonce: int) -> dict[str, Any]:
    """The wire form of a signed withdrawal (what parse_withdraw reads)."""
    return {
        "account": withdraw.account, "recipient": f"0x{withdraw.recipient:040x}", "amount": withdraw.amount,
        "nonce": nonce, "signature": signature_json(withdraw.signature),
    }  # fmt: skip


def oracle_json(price: OraclePrice) -> dict[str, Any]:
    """The wire form of a signed oracle price (what parse_oracle reads)."""
    return {"market": price.market, "price": price.price, "timestamp": price.timestamp,
            "signature": signature_json(price.signature)}  # fmt: skip
