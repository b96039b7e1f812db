"""The pubdata codec: pinned record bytes, round trips, the width table, and malformed records."""

from __future__ import annotations

import hashlib

import pytest
from eth_utils import keccak

from verifier.commitment import batch_commitment
from verifier.pubdata_layout import (
    LAYOUTS,
    PubdataError,
    decode_records,
    deposit_queue_hash,
    encode_record,
    op_widths_word,
)


def test_trade_record_golden_bytes():
    record = encode_record(
        "trade",
        taker=1,
        maker=2,
        market_side=128 + 3,
        size_lots=5,
        price_ticks=100,
        taker_order=7,
        maker_order=9,
    )
    # op ‖ taker ‖ maker ‖ market + 128·taker buys ‖ size (lots) ‖ price (ticks) ‖ taker order ‖ maker order
    assert record.hex() == "03000001000002830000000005000000640000070000" + "09"


def test_withdraw_record_golden_bytes():
    recipient = 0x00112233445566778899AABBCCDDEEFF00112233
    record = encode_record("withdraw", account=9, recipient=recipient, asset=1, amount=1000)
    assert record.hex() == "020000000900112233445566778899aabbccddeeff00112233000100000000000003e8"


def test_width_table_lists_every_layout_and_nothing_else():
    table = op_widths_word()
    assert len(table) == 32
    for layout in LAYOUTS:
        assert table[layout.op_code] == layout.width
    assert not any(table[len(LAYOUTS) :])


def test_records_round_trip():
    records = [
        ("deposit", {"l2_key": 2**250 + 3, "asset": 1, "amount": 2**64 - 1, "account": 2**32 - 1}),
        (
            "trade",
            {
                "taker": 0,
                "maker": 1,
                "market_side": 255,
                "size_lots": 2**40 - 1,
                "price_ticks": 2**32 - 1,
                "taker_order": 2**24 - 1,
                "maker_order": 0,
            },
        ),
        (
            "liquidate",
            {
                "liquidator": 4,
                "account": 5,
                "market_side": 128,
                "size_lots": 2**40 - 1,
                "price_ticks": 1,
                "liquidator_order": 9,
            },
        ),
        ("funding", {"market": 2, "index": -17}),
        ("oracle", {"market": 2, "price": 31_000, "timestamp": 1_700_000_000}),
        ("noop", {}),
    ]
    pubdata = b"".join(encode_record(name, **values) for name, values in records)
    assert len(pubdata) == sum(next(lay.width for lay in LAYOUTS if lay.name == n) for n, _ in records)
    assert decode_records(pubdata) == records


_TRADE = dict(taker=0, maker=0, market_side=0, size_lots=0, price_ticks=0, taker_order=0, maker_order=0)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("trade", {**_TRADE, "taker": 2**24}),
        ("trade", {**_TRADE, "size_lots": 2**40}),
        ("trade", {**_TRADE, "price_ticks": -1}),
        ("trade", {k: v for k, v in _TRADE.items() if k != "maker_order"}),
        ("swap", {}),
    ],
)
def test_encode_refuses_bad_fields(name, values):
    with pytest.raises(PubdataError):
        encode_record(name, **values)


@pytest.mark.parametrize(
    "pubdata", [b"\x07", b"\xff" + bytes(40), encode_record("funding", market=1, index=0)[:-1]]
)
def test_decode_refuses_unknown_or_truncated_records(pubdata):
    with pytest.raises(PubdataError):
        decode_records(pubdata)


def test_deposit_queue_hash_covers_key_asset_amount():
    expected = keccak((5).to_bytes(32, "big") + (1).to_bytes(2, "big") + (9).to_bytes(8, "big"))
    assert deposit_queue_hash(5, 1, 9) == expected


def test_commitment_keeps_the_low_253_bits_of_the_digest():
    for pubdata in (b"", b"x", bytes(100)):
        digest = int.from_bytes(
            hashlib.sha256(bytes(31) + b"\x01" + bytes(31) + b"\x02" + pubdata).digest(), "big"
        )
        commitment = batch_commitment(1, 2, pubdata)
        assert commitment == digest % 2**253
        assert commitment >> 253 == 0 and commitment ^ digest == (digest >> 253) << 253
