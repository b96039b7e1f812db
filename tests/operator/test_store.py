"""The store: schema migrations from empty and from an older version, WAL mode, acknowledgement only
after commit (and nothing half-written when a commit fails), keys encrypted at rest."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest

from circuits.gadgets import eddsa
from circuits.gadgets.eddsa import Signature
from rollup.exchange.operations import Order, SignedOrder
from rollup.operator import codec, keystore
from rollup.operator.migrations import MIGRATIONS, NotAVenue, migrate, schema_version
from rollup.operator.store import Store
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB
from tests.operator.venue import open_venue


def tables(conn: sqlite3.Connection, kind: str = "table") -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def test_an_empty_database_gets_every_migration(tmp_path):
    store = Store.open(tmp_path / "db")
    assert schema_version(store.conn) == len(MIGRATIONS) == 4
    names = {"meta", "orders", "cancels", "fills", "deposits", "ops", "batches", "snapshots"}
    assert names <= tables(store.conn)
    indexes = tables(store.conn, "index")
    seq_indexes = {"orders_by_seq", "fills_by_taker", "fills_by_maker", "cancels_by_order"}
    assert seq_indexes | {"batches_by_status"} <= indexes
    assert not {"orders_by_status", "ops_by_batch"} & indexes
    store.close()
    assert schema_version(Store.open(tmp_path / "db").conn) == 4  # reopening runs nothing again


def test_an_older_database_is_migrated_keeping_its_rows(tmp_path):
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    conn.execute("INSERT INTO meta VALUES ('k', '1')")
    conn.close()
    store = Store.open(tmp_path / "db")
    assert schema_version(store.conn) == 4 and "orders_by_seq" in tables(store.conn, "index")
    assert store.get_meta("k") == 1


def version_3_venue(path) -> sqlite3.Connection:
    """A venue database as the schema before migration 4 kept it: each order's status and remaining
    size stored in its row (and updated by every fill and cancel)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(f"BEGIN; {' '.join(MIGRATIONS[:3])} PRAGMA user_version = 3; COMMIT;")
    return conn


def stored_order(conn: sqlite3.Connection, account: int, order_id: int, amount: int, status: str,
                 remaining: int) -> None:  # fmt: skip
    signed = SignedOrder(Order(account=account, market=0, is_buy=order_id % 2 == 0, price=100, amount=amount,
                               order_id=order_id, expiry=10**6), Signature((1, 2), 3))  # fmt: skip
    text = json.dumps(codec.signed_order_dict(signed))
    conn.execute("INSERT INTO orders VALUES (?, ?, 0, ?, 'GTC', 0, 0, ?, ?)",
                 (account, order_id, text, status, remaining))  # fmt: skip


def test_migration_4_works_out_every_stored_status_and_links_fills_and_cancels(tmp_path):
    conn = version_3_venue(tmp_path / "db")
    stored = [  # account, order id, amount, status, remaining, as the old schema held them
        (ALICE, 1, 5, "resting", 3),  # rests; 2 of it filled by a taker
        (BOB, 2, 2, "filled", 0),  # the taker that filled it
        (ALICE, 3, 4, "filled", 0),  # filled whole, as maker of two takers
        (BOB, 4, 3, "cancelled", 0),  # filled 1 (taking order 3), its remainder cancelled (IOC)
        (BOB, 5, 3, "filled", 0),
        (ALICE, 6, 6, "cancelled", 0),  # rested, 2 filled, then cancelled by its owner
        (BOB, 7, 2, "filled", 0),
    ]
    for row in stored:
        stored_order(conn, *row)
    fills = [((BOB, 2), (ALICE, 1), 2), ((BOB, 4), (ALICE, 3), 1), ((BOB, 5), (ALICE, 3), 3),
             ((BOB, 7), (ALICE, 6), 2)]  # fmt: skip
    for fill_id, (taker, maker, size) in enumerate(fills, start=1):
        conn.execute("INSERT INTO ops VALUES (?, 'trade', '{}', 1, ?, 0)", (fill_id, fill_id))
        conn.execute("INSERT INTO fills VALUES (?, 0, ?, ?, ?, ?, 100, ?, ?)",
                     (fill_id, *taker, *maker, size, fill_id))  # fmt: skip
    conn.execute("INSERT INTO cancels VALUES (1, ?, 4, 2, 'immediate or cancel')", (BOB,))
    conn.execute("INSERT INTO cancels VALUES (2, ?, 6, 4, 'user')", (ALICE,))
    conn.close()

    store = Store.open(tmp_path / "db")
    rows = store.orders()
    assert [(r.signed.order.account, r.signed.order.order_id, r.signed.order.amount, r.status, r.remaining)
            for r in rows] == stored  # fmt: skip
    assert [r.seq for r in rows] == list(range(1, 8))  # arrival order kept
    assert [(r.signed.order.order_id) for r in store.orders("resting")] == [1]
    assert store.order(BOB, 4) == rows[3] and store.order(BOB, 99) is None
    linked = store.conn.execute("SELECT taker_seq, maker_seq FROM fills ORDER BY id").fetchall()
    assert linked == [(2, 1), (4, 3), (5, 3), (7, 6)]
    assert store.conn.execute("SELECT order_seq FROM cancels ORDER BY id").fetchall() == [(4,), (6,)]
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_newer_database_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "db")
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(NotAVenue, match="newer"):
        migrate(conn)


def test_a_failing_migration_leaves_the_version_alone(tmp_path, monkeypatch):
    monkeypatch.setattr("rollup.operator.migrations.MIGRATIONS", (MIGRATIONS[0], "CREATE TABLE meta (x);"))
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert schema_version(conn) == 1 and not conn.in_transaction


def test_batch_counts_are_by_status_in_one_query(tmp_path):
    store = Store.open(tmp_path / "db")
    for batch_id in (1, 2, 3):
        store.add_batch(batch_id, ("deposit",), 0.0)
    store.record_applied(1, 1, 2, 3, b"")
    store.record_proved(1, {}, [])
    queries = []
    store.conn.set_trace_callback(queries.append)
    assert store.batch_counts() == {"sealed": 2, "proved": 1, "submitted": 0, "settled": 0}
    assert len(queries) == 1
    store.close()


def test_wal_mode(tmp_path):
    assert Store.open(tmp_path / "db").journal_mode == "wal"


def test_an_acknowledged_deposit_is_visible_to_another_connection(tmp_path):
    op = open_venue(tmp_path / "db")
    seq = op.deposit(0, ALICE, eddsa.public_key(ALICE_KEY), 1_000)
    other = sqlite3.connect(tmp_path / "db")  # sees only committed transactions
    assert other.execute("SELECT queue_index, account, op_seq FROM deposits").fetchall() == [(0, ALICE, seq)]
    assert other.execute("SELECT kind FROM ops WHERE seq = ?", (seq,)).fetchall() == [("deposit",)]


def test_a_failed_commit_acknowledges_nothing_and_changes_nothing(tmp_path, monkeypatch):
    op = open_venue(tmp_path / "db")
    root = op.root

    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(op.store, "add_deposit", broken)
    with pytest.raises(sqlite3.OperationalError):
        op.deposit(0, ALICE, eddsa.public_key(ALICE_KEY), 1_000)
    monkeypatch.undo()
    assert op.store.ops() == [] and op.store.deposit_count() == 0  # the op row was rolled back
    assert op.root == root and op.batch.empty  # memory rebuilt from the store
    op.deposit(0, ALICE, eddsa.public_key(ALICE_KEY), 1_000)  # the same queue index is still next
    assert op.store.deposit_count() == 1


def test_keys_are_encrypted_at_rest(tmp_path):
    path = tmp_path / "liquidator.json"
    keystore.save_key(path, ALICE_KEY, "correct horse", scrypt_n=2**10)
    text = path.read_text()
    assert ALICE_KEY.hex() not in text and json.loads(text)["crypto"]["kdf"] == "scrypt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keystore.load_key(path, "correct horse") == ALICE_KEY
    with pytest.raises(keystore.KeystoreError, match="wrong password"):
        keystore.load_key(path, "battery staple")
    with pytest.raises(FileExistsError):
        keystore.save_key(path, ALICE_KEY, "again", scrypt_n=2**10)


def test_no_key_reaches_the_database(tmp_path):
    op = open_venue(tmp_path / "db")
    op.deposit(0, BOB, eddsa.public_key(bytes([2]) * 32), 500)
    dump = "\n".join(op.store.conn.iterdump())
    assert bytes([12]).hex() * 32 not in dump and bytes([2]).hex() * 32 not in dump


def test_the_seq_links_are_constraints(tmp_path):
    """Migration 4's keys hold: an order's seq is unique, and a fill or cancel names an order that exists."""
    conn = version_3_venue(tmp_path / "db")
    stored_order(conn, ALICE, 1, 5, "resting", 5)
    conn.execute("INSERT INTO ops VALUES (1, 'trade', '{}', 1, 0, 0)")
    conn.close()
    store = Store.open(tmp_path / "db")  # migrated, foreign keys on
    text = store.conn.execute("SELECT signed FROM orders").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        store.conn.execute("INSERT INTO orders (account, order_id, market, signed, time_in_force, post_only,"
                           " reduce_only, seq) VALUES (?, 2, 0, ?, 'GTC', 0, 0, 1)",
                           (ALICE, text))  # fmt: skip
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.conn.execute("INSERT INTO fills VALUES (1, 0, ?, 1, ?, 1, 100, 1, 1, 1, 99)", (ALICE, ALICE))
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.conn.execute("INSERT INTO cancels VALUES (1, ?, 1, 1, 'user', 99)", (ALICE,))
    store.conn.execute("INSERT INTO cancels VALUES (1, ?, 1, 1, 'user', 1)", (ALICE,))  # the control
