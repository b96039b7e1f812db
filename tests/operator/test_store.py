"""The store: schema migrations from empty and from an older version, WAL mode, acknowledgement only
after commit (and nothing half-written when a commit fails), keys encrypted at rest."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest

from circuits.gadgets import eddsa
from rollup.operator import keystore
from rollup.operator.migrations import MIGRATIONS, NotAVenue, migrate, schema_version
from rollup.operator.store import Store
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB
from tests.operator.venue import open_venue


def tables(conn: sqlite3.Connection, kind: str = "table") -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def test_an_empty_database_gets_every_migration(tmp_path):
    store = Store.open(tmp_path / "db")
    assert schema_version(store.conn) == len(MIGRATIONS) == 3
    names = {"meta", "orders", "cancels", "fills", "deposits", "ops", "batches", "snapshots"}
    assert names <= tables(store.conn)
    assert {"orders_by_status", "ops_by_batch", "batches_by_status"} <= tables(store.conn, "index")
    store.close()
    assert schema_version(Store.open(tmp_path / "db").conn) == 3  # reopening runs nothing again


def test_an_older_database_is_migrated_keeping_its_rows(tmp_path):
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    conn.execute("INSERT INTO meta VALUES ('k', '1')")
    conn.close()
    store = Store.open(tmp_path / "db")
    assert schema_version(store.conn) == 3 and "ops_by_batch" in tables(store.conn, "index")
    assert store.get_meta("k") == 1


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
