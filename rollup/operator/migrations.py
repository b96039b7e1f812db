"""The store's schema as numbered migrations; ``PRAGMA user_version`` says how many have run.

Append new migrations, never edit old ones: a database is brought up to date by running those
past its version, each in its own transaction together with its version bump.

A database is a venue's only if it says so: ``PRAGMA application_id`` is ours (stamped with each
migration), or, for one made before the stamp, its version is ours and it holds the venue's tables.
Anything else (another application's SQLite file, a schema newer than this code) is refused before
anything is written to it; an empty database becomes a venue only when one is being created.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x7A6B636C  # "zkcl"
VENUE_TABLES = frozenset({"meta", "orders", "cancels", "batches", "ops", "fills", "deposits"})


class NotAVenue(ValueError):
    """The database is not a venue this code can open (foreign, empty, or of a newer schema)."""


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
    # 4: orders are only ever inserted. An order's status and remaining size follow from its amount,
    # its fills and its cancels, which name it by its arrival number (seq, its time priority): an
    # intake commit then writes the ends of its tables and indexes, not a page of every maker it
    # filled, and a background checkpoint copies (and syncs) a few pages instead of hundreds.
    # ops_by_batch duplicated UNIQUE (batch_id, slot).
    """
    DROP INDEX orders_by_status;
    DROP INDEX ops_by_batch;
    ALTER TABLE orders DROP COLUMN status;
    ALTER TABLE orders DROP COLUMN remaining;
    ALTER TABLE orders ADD COLUMN seq INTEGER;
    UPDATE orders SET seq = rowid;
    CREATE UNIQUE INDEX orders_by_seq ON orders (seq);
    ALTER TABLE fills ADD COLUMN taker_seq INTEGER REFERENCES orders (seq);
    ALTER TABLE fills ADD COLUMN maker_seq INTEGER REFERENCES orders (seq);
    UPDATE fills SET
        taker_seq = (SELECT seq FROM orders WHERE account = taker_account AND order_id = taker_order),
        maker_seq = (SELECT seq FROM orders WHERE account = maker_account AND order_id = maker_order);
    CREATE INDEX fills_by_taker ON fills (taker_seq);
    CREATE INDEX fills_by_maker ON fills (maker_seq);
    ALTER TABLE cancels ADD COLUMN order_seq INTEGER REFERENCES orders (seq);
    UPDATE cancels SET order_seq = (SELECT seq FROM orders AS o
                                    WHERE o.account = cancels.account AND o.order_id = cancels.order_id);
    CREATE INDEX cancels_by_order ON cancels (order_seq);
    """,
)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def check_venue(conn: sqlite3.Connection, create: bool) -> int:
    """Refuse (NotAVenue) a database that is not a venue's, reading only; its schema version.
    ``create``: an empty database is welcome (it is about to become a venue)."""
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = schema_version(conn)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id not in (0, APPLICATION_ID):
        raise NotAVenue(f"not a venue: another application's database (application_id {application_id:#x})")
    if version > len(MIGRATIONS):
        raise NotAVenue(f"schema version {version} is newer than this code's ({len(MIGRATIONS)}): "
                        "upgrade zkclear to open it")  # fmt: skip
    if version == 0 and tables:
        names = sorted(tables)
        listed = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        raise NotAVenue(f"not a venue: a database of another schema (tables {listed})")
    if version == 0 and not create:
        raise NotAVenue("not a venue: an empty database (run init first)")
    if version > 0 and application_id == 0 and not tables >= VENUE_TABLES:
        raise NotAVenue(f"not a venue: schema version {version} of another application (no venue tables)")
    return version


def migrate(conn: sqlite3.Connection) -> int:
    """Run the migrations ``conn``'s database lacks (check_venue first); returns its version afterwards."""
    version = schema_version(conn)
    if version > len(MIGRATIONS):
        raise NotAVenue(f"schema version {version} is newer than this code's ({len(MIGRATIONS)})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\n"
                               f"PRAGMA application_id = {APPLICATION_ID};\nCOMMIT;")  # fmt: skip
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return schema_version(conn)
