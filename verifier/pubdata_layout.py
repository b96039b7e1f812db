"""The batch pubdata layout: fixed-width big-endian records, the first byte an op code.

The width table here and ``OP_WIDTHS`` in ``verifier/contracts/ZkClearRollup.sol`` must agree (a test
compares them); verifier/contracts/PUBDATA.md describes each record. Signed fields are stored offset
by 2^(8·width−1) (a signed 64-bit v as v + 2^63), the form in which the circuit range-checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak


@dataclass(frozen=True)
class Field:
    name: str
    width: int  # bytes
    signed: bool = False


@dataclass(frozen=True)
class RecordLayout:
    op_code: int
    name: str
    fields: tuple[Field, ...]

    @property
    def width(self) -> int:
        """Bytes in the record, op code included."""
        return 1 + sum(f.width for f in self.fields)


NOOP = RecordLayout(0, "noop", ())
DEPOSIT = RecordLayout(
    1, "deposit", (Field("l2_key", 32), Field("asset", 2), Field("amount", 8), Field("account", 4))
)
WITHDRAW = RecordLayout(
    2, "withdraw", (Field("account", 4), Field("recipient", 20), Field("asset", 2), Field("amount", 8))
)
TRADE = RecordLayout(
    3,
    "trade",
    (
        Field("taker", 3),
        Field("maker", 3),
        Field("market_side", 1),  # market + 128 when the taker buys
        Field("size_lots", 5),  # the fill in the market's lots
        Field("price_ticks", 4),  # the maker's price in the market's ticks
        Field("taker_order", 3),  # order ids: they name the fill slots the trade writes
        Field("maker_order", 3),
    ),
)
LIQUIDATE = RecordLayout(
    4,
    "liquidate",
    (
        Field("liquidator", 3),
        Field("account", 3),
        Field("market_side", 1),  # market + 128 when the liquidator buys
        Field("size_lots", 5),
        Field("price_ticks", 4),
        Field("liquidator_order", 3),  # the liquidator's order id (its fill slot)
    ),
)
FUNDING = RecordLayout(5, "funding", (Field("market", 1), Field("index", 8, True)))
ORACLE = RecordLayout(6, "oracle", (Field("market", 1), Field("price", 8), Field("timestamp", 4)))
TRANSFER = RecordLayout(
    7,
    "transfer",
    (Field("source", 3), Field("target", 3), Field("amount", 8), Field("isolated", 1)),
)

DELEVERAGE = RecordLayout(
    8,
    "deleverage",
    (
        Field("account", 3),
        Field("counterparty", 3),
        Field("market_side", 1),  # market + 128 when the deleveraged account buys
        Field("size_lots", 5),
        Field("price", 8),  # quote units per lot: the bankruptcy price is off the tick grid
    ),
)

LAYOUTS: tuple[RecordLayout, ...] = (
    NOOP, DEPOSIT, WITHDRAW, TRADE, LIQUIDATE, FUNDING, ORACLE, TRANSFER, DELEVERAGE
)  # fmt: skip
BY_OP_CODE = {layout.op_code: layout for layout in LAYOUTS}
BY_NAME = {layout.name: layout for layout in LAYOUTS}
DEPOSIT_QUEUED_FIELDS = ("l2_key", "asset", "amount")  # the bytes the on-chain queue hashes


class PubdataError(ValueError):
    """A record is malformed: unknown op code, missing or out-of-range field, truncated data."""


def op_widths_word() -> bytes:
    """The 32-byte table the contract stores: byte i is the width of op code i, 0 if unknown."""
    table = bytearray(32)
    for layout in LAYOUTS:
        table[layout.op_code] = layout.width
    return bytes(table)


def encode_record(name: str, **values: int) -> bytes:
    """One record: ``encode_record("trade", taker=1, maker=2, market=0, size=-5, price=100)``."""
    layout = BY_NAME.get(name)
    if layout is None:
        raise PubdataError(f"unknown record type {name!r}")
    if set(values) != {f.name for f in layout.fields}:
        raise PubdataError(f"{name} takes fields {[f.name for f in layout.fields]}, got {sorted(values)}")
    out = bytearray([layout.op_code])
    for f in layout.fields:
        value = values[f.name]
        stored = value + (1 << (8 * f.width - 1)) if f.signed else value
        if not 0 <= stored < 1 << (8 * f.width):
            raise PubdataError(f"{name}.{f.name} = {value} does not fit {f.width} bytes")
        out += stored.to_bytes(f.width, "big")
    return bytes(out)


def decode_records(pubdata: bytes) -> list[tuple[str, dict[str, int]]]:
    """Split pubdata into (record name, field values), as the contract walks it."""
    records = []
    offset = 0
    while offset < len(pubdata):
        layout = BY_OP_CODE.get(pubdata[offset])
        if layout is None:
            raise PubdataError(f"unknown op code {pubdata[offset]} at byte {offset}")
        if offset + layout.width > len(pubdata):
            raise PubdataError(f"{layout.name} record at byte {offset} runs past the end")
        values = {}
        at = offset + 1
        for f in layout.fields:
            stored = int.from_bytes(pubdata[at : at + f.width], "big")
            values[f.name] = stored - (1 << (8 * f.width - 1)) if f.signed else stored
            at += f.width
        records.append((layout.name, values))
        offset += layout.width
    return records


def deposit_queue_hash(l2_key: int, asset: int, amount: int) -> bytes:
    """keccak256(l2Key ‖ asset ‖ amount), the value the contract's deposit queue stores."""
    record = encode_record("deposit", l2_key=l2_key, asset=asset, amount=amount, account=0)
    return keccak(record[1 : 1 + 32 + 2 + 8])
