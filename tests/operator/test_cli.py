"""The venue commands through click's CliRunner: a venue's life from ``init`` to a sealed batch, JSON
output, and exit code 2 with one line for bad input and refused requests."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from cli import main

FAST_KDF = ("--kdf-work", "1024")


@pytest.fixture
def zk(tmp_path):
    """Run ``zkclear ARGS`` on a venue in tmp_path; returns (exit code, stdout, or all output on failure)."""
    runner = CliRunner()
    env = {"ZKCLEAR_PASSWORD": "pw", "ZKCLEAR_VENUE": str(tmp_path / "venue")}

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), env=env)
        return result.exit_code, result.stdout if result.exit_code == 0 else result.output

    return run


@pytest.fixture
def venue(zk):
    """Two markets (1,000 and 50, tick 10), a small tree; accounts 3 (10,000) and 9 (5,000)."""
    init = (
        "init",
        "--price",
        "1000",
        "--price",
        "50",
        "--tick",
        "10",
        "--account-depth",
        "2",
        "--order-depth",
        "1",
    )
    assert zk(*init, *FAST_KDF)[0] == 0
    for account, amount in (("3", "10000"), ("9", "5000")):
        assert zk("account", "new", account, *FAST_KDF)[0] == 0
        assert zk("deposit", account, amount)[0] == 0
    return zk


def as_json(outcome: tuple[int, str]):
    code, output = outcome
    assert code == 0, output
    return json.loads(output)


def test_a_venue_from_init_to_a_sealed_batch(venue):
    placed = as_json(venue("order", "place", "3", "0", "sell", "1000", "10", "--json"))
    assert placed == {"account": 3, "order_id": 1, "filled": 0, "resting": 10, "cancelled": 0, "fills": [],
                      "sealed_batches": []}  # fmt: skip
    taken = as_json(venue("order", "place", "9", "0", "buy", "1010", "4", "--json"))
    assert taken["fills"] == [{"maker": [3, 1], "price": 1000, "size": 4}] and taken["resting"] == 0
    assert as_json(venue("book", "0", "--json")) == {
        "bids": [],
        "asks": [{"price": 1000, "size": 6, "orders": 1}],
    }
    orders = as_json(venue("order", "list", "--account", "3", "--json"))
    assert [(o["order_id"], o["status"], o["remaining"]) for o in orders] == [(1, "resting", 6)]
    assert as_json(venue("order", "cancel", "3", "1", "--json"))["cancelled"] == 6
    assert as_json(venue("book", "0", "--json"))["asks"] == []
    assert as_json(venue("batch", "seal", "--json")) == {"sealed": 1}
    shown = as_json(venue("batch", "show", "1", "--json"))
    assert shown["status"] == "sealed" and shown["ops"] == [None, None, "deposit", "deposit", "trade", None]
    assert [b["id"] for b in as_json(venue("batch", "list", "--json"))] == [1]
    status = as_json(venue("status", "--json"))
    assert (
        status["accounts"] == 2
        and status["fills"] == 1
        and status["batches"] == {"sealed": 1, "proved": 0, "submitted": 0, "settled": 0}
    )
    code, text = venue("status")
    assert code == 0 and "state_root: 0x" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("order", "place", "3", "5", "sell", "1000", "1"), "refused: unknown market"),
        (
            ("order", "place", "3", "0", "sell", "1005", "1"),
            "refused: price is not a multiple of the market's tick",
        ),
        (("order", "place", "9", "0", "buy", "1000", "60"), "refused: insufficient margin"),
        (("order", "place", "4", "0", "sell", "1000", "1"), "account 4 has no key"),
        (("order", "cancel", "3", "7"), "refused: no such resting order"),
        (("deposit", "3", "0"), "Invalid value for 'AMOUNT'"),
        (("batch", "show", "9"), "no batch 9"),
        (("account", "new", "16"), "outside the accounts tree"),
        (("init",), "already holds a venue"),
    ],
)
def test_bad_input_exits_2_with_one_line(venue, args, message):
    code, output = venue(*args)
    assert code == 2 and message in output
    assert len(output.strip().splitlines()) == 1 or output.startswith("Usage:")


def test_a_replayed_order_id_is_refused(venue):
    assert venue("order", "place", "3", "0", "sell", "1000", "1", "--id", "2")[0] == 0
    code, output = venue("order", "place", "3", "0", "sell", "1000", "1", "--id", "2")
    assert code == 2 and "order id already used" in output


def test_a_bad_shape_makes_no_venue(zk, tmp_path):
    code, output = zk("init", "--shape", "trade,swap", *FAST_KDF)
    assert code == 2 and "a batch needs slots of types" in output
    assert not (tmp_path / "venue" / "keys").exists()


def test_no_venue(zk):
    code, output = zk("status")
    assert code == 2 and "no venue here" in output


@pytest.mark.parametrize("command", [("status",), ("batch", "seal")])
def test_an_sqlite_error_is_one_line_naming_the_database(venue, tmp_path, monkeypatch, command):
    def locked(*args):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr("rollup.operator.store.Store.batch_counts", locked)  # status's query
    monkeypatch.setattr("rollup.operator.store.Store.add_batch", locked)  # seal's write
    code, output = venue(*command)
    assert code == 2
    assert output.strip() == (
        f"Error: {tmp_path / 'venue' / 'venue.db'}: database is locked: is `zkclear serve` running?"
    )


@pytest.mark.slow
def test_prove_and_verify_a_batch(zk, circuit_keys, tmp_path):
    """A one-deposit batch (the smallest circuit: a 2^16 domain) proved, verified, then tampered with."""
    init = ("init", "--account-depth", "2", "--order-depth", "1", "--shape", "deposit")
    assert zk(*init, *FAST_KDF)[0] == 0
    assert zk("account", "new", "3", *FAST_KDF)[0] == 0
    assert zk("deposit", "3", "10000")[0] == 0  # fills the only slot: batch 1 is sealed
    keys = ("--keys", str(circuit_keys))
    assert as_json(zk("batch", "prove", *keys, "--json")) == {"1": "proved"}
    assert as_json(zk("batch", "verify", "1", *keys, "--json")) == {"batch": 1, "valid": True}
    with sqlite3.connect(tmp_path / "venue" / "venue.db") as db:  # a proof of another commitment
        db.execute("UPDATE batches SET pubdata = ? WHERE id = 1", (b"\x00" * 100,))
    assert zk("batch", "verify", "1", *keys) == (1, "batch 1: INVALID proof\n")
    assert zk("batch", "verify", "2", *keys) == (
        2,
        "Error: batch 2 has no proof (run 'zkclear batch prove')\n",
    )
