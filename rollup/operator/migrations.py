"""The store's schema as numbered migrations; ``PRAGMA user_version`` says how many have run.

Append new migrations, never edit old ones: a database is brought up to date by running those
past its version, each in its own transaction together with its version bump.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: the exchange's records
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE orders (
        account INTEGER NOT NULL, order_id INTEGER NOT NULL, market INTEGER NOT NULL,
        signed TEXT NOT NULL,                     -- the signed order, JSON
        time_in_force TEXT NOT NULL, post_only INTEGER NOT NULL, reduce_only INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('resting', 'filled', 'cancelled')),
        remaining INTEGER NOT NULL CHECK (remaining >= 0),
        PRIMARY KEY (account, order_id)
    );
    CREATE TABLE cancels (
        id INTEGER PRIMARY KEY, account INTEGER NOT NULL, order_id INTEGER NOT NULL,
        size INTEGER NOT NULL, reason TEXT NOT NULL,
        FOREIGN KEY (account, order_id) REFERENCES orders (account, order_id)
    );
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY, shape TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sealed', 'proved', 'submitted', 'settled')),
        sealed_at REAL NOT NULL,
        old_root TEXT, new_root TEXT, commitment TEXT, pubdata BLOB,   -- once applied
        proof TEXT, public TEXT,                                       -- once proved
        tx TEXT                                                        -- once submitted
    );
    CREATE TABLE ops (
        seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL,
        batch_id INTEGER NOT NULL, slot INTEGER NOT NULL, queued_at REAL NOT NULL,
        UNIQUE (batch_id, slot)
    );
    CREATE TABLE fills (
        id INTEGER PRIMARY KEY, market INTEGER NOT NULL,
        taker_account INTEGER NOT NULL, taker_order INTEGER NOT NULL,
        maker_account INTEGER NOT NULL, maker_order INTEGER NOT NULL,
        price INTEGER NOT NULL, size INTEGER NOT NULL,
        op_seq INTEGER NOT NULL UNIQUE REFERENCES ops (seq)
    );
    CREATE TABLE deposits (
        queue_index INTEGER PRIMARY KEY, account INTEGER NOT NULL, amount INTEGER NOT NULL,
        op_seq INTEGER NOT NULL UNIQUE REFERENCES ops (seq)
    );
    """,
    # 2: lookups the operator makes on every restart and every intake
    """
    CREATE INDEX orders_by_status ON orders (status);
    CREATE INDEX ops_by_batch ON ops (batch_id, slot);
    CREATE INDEX batches_by_status ON batches (status);
    """,
    # 3: the state after a sealed batch, so a restart replays only the operations after it
    """
    CREATE TABLE snapshots (
        batch_id INTEGER PRIMARY KEY REFERENCES batches (id),
        root TEXT NOT NULL,                       -- the state root it must rebuild to
        state TEXT NOT NULL                       -- accounts' values and fill slots, globals: JSON
    );
    """,
)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Run the migrations ``conn``'s database lacks; returns its version afterwards."""
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise RuntimeError(f"the database has schema version {version}, newer than this code's")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return schema_version(conn)
