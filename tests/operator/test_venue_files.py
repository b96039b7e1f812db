"""What is not a venue is refused with one line naming the file, and left exactly as it was: a file
that is no database, another application's SQLite database, an empty one, a newer schema. A venue
database carries our application id; one made before it is still recognised by its tables."""

from __future__ import annotations

import re
import sqlite3

import pytest
from click.testing import CliRunner

from cli import main
from rollup.operator.migrations import APPLICATION_ID, MIGRATIONS, schema_version
from rollup.operator.operator import Operator
from rollup.operator.store import Store, StoreError
from rollup.operator.venue_lock import VenueLock
from tests.operator.venue import open_venue


def sqlite_file(path, *statements: str) -> bytes:
    """A database made by ``statements`` (as another program would), returned as its bytes."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return path.read_bytes()


def raw_file(path, data: bytes) -> bytes:
    path.write_bytes(data)
    return data


FOREIGN = {  # what the file holds, and the refusal
    "random bytes": (lambda p: raw_file(p, b"GIF89a" + bytes(range(256)) * 8), "file is not a database"),
    "another schema": (lambda p: sqlite_file(p, "CREATE TABLE photos (id INTEGER, path TEXT)"),
                       "not a venue: a database of another schema (tables photos)"),
    "another application's versioned schema": (
        lambda p: sqlite_file(p, "CREATE TABLE meta (k, v)", "PRAGMA user_version = 2"),
        "not a venue: schema version 2 of another application (no venue tables)",
    ),
    "another application id": (
        lambda p: sqlite_file(p, "PRAGMA application_id = 1234", "PRAGMA user_version = 1"),
        "another application's database (application_id 0x4d2)",
    ),
    "a newer venue schema": (
        lambda p: sqlite_file(p, f"PRAGMA application_id = {APPLICATION_ID}",
                              f"PRAGMA user_version = {len(MIGRATIONS) + 1}"),
        f"schema version {len(MIGRATIONS) + 1} is newer than this code's",
    ),
    "an empty file": (lambda p: raw_file(p, b""), "not a venue: an empty database (run init first)"),
}  # fmt: skip


OPENERS = {
    "open": Operator.open,
    "open read-only": lambda db: Operator.open(db, read_only=True),
    "create": open_venue,
}


@pytest.mark.parametrize(("case", "opener"), [
    (case, opener) for case in sorted(FOREIGN) for opener in sorted(OPENERS)
    if (case, opener) != ("an empty file", "create")  # what a new venue starts from (a test below)
])  # fmt: skip
def test_what_is_not_a_venue_is_refused_and_left_untouched(tmp_path, case, opener):
    make, message = FOREIGN[case]
    db = tmp_path / "venue.db"
    before = make(db)
    with pytest.raises(StoreError, match=f"^{re.escape(str(db))}: .*{re.escape(message)}"):
        OPENERS[opener](db)
    assert db.read_bytes() == before
    assert not (tmp_path / "venue.db-wal").exists()
    VenueLock.acquire(db).release()  # a refused writer let go of the lock


@pytest.mark.parametrize("case", sorted(FOREIGN))
def test_the_venue_commands_refuse_it_in_one_line(tmp_path, case):
    make, message = FOREIGN[case]
    (tmp_path / "venue").mkdir()
    make(tmp_path / "venue" / "venue.db")
    for args in (("status",), ("batch", "seal")):  # one that reads, one that writes
        result = CliRunner().invoke(main, [*args, "--venue", str(tmp_path / "venue")])
        assert result.exit_code == 2
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"Error: {tmp_path / 'venue' / 'venue.db'}: ") and message in line


def test_an_empty_database_becomes_a_venue_only_when_created(tmp_path):
    db = tmp_path / "venue.db"
    db.write_bytes(b"")
    op = open_venue(db)
    assert op.store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    op.close()


def test_a_venue_made_before_the_application_id_still_opens(tmp_path):
    db = tmp_path / "venue.db"
    open_venue(db).close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 0")  # as every migration before the stamp left it
    conn.commit()
    conn.close()
    Operator.open(db, read_only=True).close()
    Operator.open(db).close()


def test_a_snapshot_of_an_older_schema_asks_for_a_writer_to_migrate_it(tmp_path):
    db = tmp_path / "venue.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]} PRAGMA user_version = 1; COMMIT;")
    conn.close()
    with pytest.raises(StoreError, match="schema version 1 needs migrating"):
        Store.open_read_only(db)
    store = Store.open(db, create=False)
    assert schema_version(store.conn) == len(MIGRATIONS)
    store.close()
    Store.open_read_only(db).close()
