"""The operator's durable record in SQLite (WAL): orders, cancels, fills, deposits, queued
operations and batches. Whatever is written inside one ``transaction()`` is on disk when it returns,
so the operator acknowledges only after that (a crash before loses nothing acknowledged).

Order intake pipelines its commits (``record_writes`` … ``commit_later``): a micro-batch's writes
are recorded while it is matched, written in one transaction, and committed on a thread of the
store's own, so the operator matches the next micro-batch while SQLite syncs this one (the sync
releases the GIL, and the second core does it). Fill ids, operation and order sequence numbers are
allocated here, not by SQLite, so a recorded write can name them before it runs. Anything else
reading or writing the database waits for the commit in flight first (``conn``).

Intake only appends: an accepted order's row never changes, and its status is worked out from its
fills and cancels when it is read, so a commit writes the last pages of its tables and indexes
rather than a page of every order it filled or cancelled."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rollup.exchange.operations import Operation, SignedOrder
from rollup.operator import codec
from rollup.operator.checkpointer import INTERVAL_S, RESTART_EVERY, WalCheckpointer
from rollup.operator.migrations import MIGRATIONS, NotAVenue, check_venue, migrate
from rollup.operator.venue_lock import VenueLock

BATCH_STATES = ("sealed", "proved", "submitted", "settled")  # a batch's life, in order


@dataclass(frozen=True)
class OrderRow:
    signed: SignedOrder
    time_in_force: str
    post_only: bool
    reduce_only: bool
    status: str  # resting, filled or cancelled (see order_status)
    remaining: int
    seq: int  # arrival number: time priority, and how fills and cancels name the order


def order_status(amount: int, filled: int, cancelled: int) -> str:
    """An order's status from what became of its ``amount``: resting while some of it is on the book;
    else cancelled if any cancel took part of it (every cancel takes at least one lot), else filled."""
    if amount - filled - cancelled > 0:
        return "resting"
    return "cancelled" if cancelled else "filled"


ORDER_QUERY = """SELECT o.seq, o.signed, o.time_in_force, o.post_only, o.reduce_only,
    (SELECT COALESCE(SUM(size), 0) FROM fills WHERE taker_seq = o.seq)
        + (SELECT COALESCE(SUM(size), 0) FROM fills WHERE maker_seq = o.seq),
    (SELECT COALESCE(SUM(size), 0) FROM cancels WHERE order_seq = o.seq)
    FROM orders o"""
"""Each order with the sizes filled and cancelled of it (by the seq indexes)."""


@dataclass(frozen=True)
class FillRow:
    id: int
    market: int
    taker: tuple[int, int]  # (account, order id)
    maker: tuple[int, int]
    price: int
    size: int
    op_seq: int


@dataclass(frozen=True)
class OpRow:
    seq: int
    op: Operation
    batch_id: int
    slot: int
    queued_at: float


@dataclass(frozen=True)
class BatchRow:
    id: int
    shape: tuple[str, ...]
    status: str
    sealed_at: float
    old_root: int | None
    new_root: int | None
    commitment: int | None
    pubdata: bytes | None
    proof: dict | None
    public: list | None
    tx: str | None


def _int_or_none(text: str | None) -> int | None:
    return None if text is None else int(text)


class StoreError(ValueError):
    """The venue database cannot be opened (not a database, not a venue's, SQLite failed), or not
    for this (a write on a read-only snapshot); one line naming the file."""


Prepare = Callable[[sqlite3.Connection], None]
Write = tuple[str, tuple, str | None]
"""A recorded write: SQL, its arguments, and the KeyError's message should it change no row (or None)."""


def _connect(path: str | Path, mode: str, prepare: Prepare) -> sqlite3.Connection:
    """A connection by URI (``mode`` ro, rw or rwc: reading never creates a file), ``prepare``d; on
    any failure it is closed, and SQLite's errors and NotAVenue become a StoreError naming the file."""
    conn = None
    try:
        uri = f"{Path(path).absolute().as_uri()}?mode={mode}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        prepare(conn)
    except BaseException as error:
        if conn is not None:
            conn.close()
        if isinstance(error, (sqlite3.Error, NotAVenue)):
            raise StoreError(f"{path}: {error}") from error
        raise
    return conn


class Store:
    """One SQLite database in WAL mode. A writing store holds the venue's writer lock
    (venue_lock.py) from before it touches the database until ``close``; a read-only one is a
    snapshot: one read transaction from open to close, beside a writer if there is one."""

    def __init__(self, conn: sqlite3.Connection, lock: VenueLock | None) -> None:
        self._conn = conn  # used by one thread at a time: the caller's, or the committer's (see conn)
        self.lock = lock  # None: a read-only snapshot
        self.checkpointer: WalCheckpointer | None = None
        self.write_gate = threading.Lock()  # held through each transaction (see checkpointer.py)
        self._recorded: list[Write] | None = None  # writes recorded for commit_later
        self._committing: Future[None] | None = None  # commit_later's commit, until awaited
        self._committer: ThreadPoolExecutor | None = None
        self._next_fill_id = self._next_op_seq = self._next_order_seq = 0
        if lock is not None:
            self._load_ids()

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, once the commit in flight (if any) has finished."""
        if self._committing is not None:
            self._committing.exception()  # waits; its outcome is for await_commit to report
        return self._conn

    def _load_ids(self) -> None:
        """The next fill id, operation and order sequence numbers: one past the largest committed."""
        self._next_fill_id = self.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM fills").fetchone()[0]
        self._next_order_seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM orders").fetchone()[0]
        self._next_op_seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM ops").fetchone()[0]

    @classmethod
    def open(cls, path: str | Path, create: bool = True) -> Store:
        """The database for writing, its schema brought up to date; ``create`` makes a missing or
        empty one a new venue database. VenueInUse if another store writes it."""

        def prepare(conn: sqlite3.Connection) -> None:
            check_venue(conn, create)  # before anything is written, even the journal mode
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # a commit survives power loss, not only a crash
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn)

        lock = VenueLock.acquire(path)
        try:
            return cls(_connect(path, "rwc" if create else "rw", prepare), lock)
        except BaseException:
            lock.release()
            raise

    @classmethod
    def open_read_only(cls, path: str | Path) -> Store:
        """A snapshot of the venue database as last committed, without the writer lock: it neither
        waits for a writer nor stops one (WAL), and never writes."""

        def prepare(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN")  # the first read below fixes the snapshot every later read sees
            version = check_venue(conn, create=False)
            if version < len(MIGRATIONS):
                raise NotAVenue(f"schema version {version} needs migrating: run a venue command that "
                                "writes (e.g. `zkclear batch seal`) first")  # fmt: skip

        return cls(_connect(path, "ro", prepare), None)

    def checkpoint_in_background(self, interval: float = INTERVAL_S,
                                 restart_every: int = RESTART_EVERY) -> None:  # fmt: skip
        """Checkpoint the log on a thread of its own instead of in the commits that pass 1,000 pages
        (``checkpointer.py``): for a writer that runs long, as ``zkclear serve`` does."""
        if self.lock is None:
            raise StoreError("the venue was opened read-only")
        if self.checkpointer is None:
            self.conn.execute("PRAGMA wal_autocheckpoint = 0")
            path = self.conn.execute("PRAGMA database_list").fetchone()[2]
            self.checkpointer = WalCheckpointer(path, self.write_gate, interval, restart_every)

    def close(self) -> None:
        """Close the connection (after the commit in flight) and give up the writer lock (once; again
        does nothing)."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self._committer is not None:
            self._committer.shutdown()
        self.conn.close()
        if self.lock is not None:
            self.lock.release()

    @property
    def journal_mode(self) -> str:
        return self.conn.execute("PRAGMA journal_mode").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together (and is durable on exit) or not at all."""
        self._begin()
        try:
            yield
        except BaseException:
            self._roll_back()
            raise
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            self._roll_back()
            raise
        self.write_gate.release()

    def _begin(self) -> None:
        """Open a write transaction, the write gate held (after the commit in flight, if any)."""
        if self.lock is None:
            raise StoreError("the venue was opened read-only")
        if self.conn.in_transaction or self._recorded is not None:
            raise StoreError("a transaction is open already")
        self.write_gate.acquire()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.write_gate.release()
            raise

    def _roll_back(self) -> None:
        """End the open transaction without its writes, and give up the write gate."""
        try:
            with suppress(sqlite3.Error):  # SQLite may have rolled it back itself
                self._conn.execute("ROLLBACK")
            self._load_ids()
        finally:
            self.write_gate.release()

    # --- pipelined commits ------------------------------------------------------------------------

    def record_writes(self) -> None:
        """From now until ``commit_later`` (or ``drop_writes``), record the writes instead of running them."""
        if self._recorded is not None:
            raise StoreError("writes are being recorded already")
        self._recorded = []

    def drop_writes(self) -> None:
        """Forget the recorded writes (nothing was written), and the ids they took."""
        self._recorded = None
        self._load_ids()

    def commit_later(self) -> Future[None]:
        """Run the recorded writes in one transaction on this thread (after the previous commit, which
        must have succeeded: see ``await_commit``), and commit it on the committer thread: the future
        is done once the transaction is durable, or failed (then rolled back)."""
        writes, self._recorded = self._recorded, None
        if writes is None:
            raise StoreError("no writes were recorded")
        if self.await_commit() is not None:  # which reloaded the ids
            raise StoreError("the previous commit failed: what was recorded after it is dropped")
        self._begin()
        try:
            for sql, args, missing in writes:
                if self._conn.execute(sql, args).rowcount != 1 and missing:
                    raise KeyError(missing)
        except BaseException:
            self._roll_back()
            raise
        if self._committer is None:
            self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zkclear-commit")
        self._committing = self._committer.submit(self._commit)
        return self._committing

    def _commit(self) -> None:
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self.write_gate.release()

    def await_commit(self) -> BaseException | None:
        """Wait for the commit in flight, if any: what it failed with (once), None if it succeeded or
        there was none. After a failure the ids are those of the store as committed."""
        committing, self._committing = self._committing, None
        failure = None if committing is None else committing.exception()
        if failure is not None:
            self._load_ids()
        return failure

    def _write(self, sql: str, args: tuple, missing: str | None = None) -> None:
        """Run (or record) one write; ``missing``: the KeyError's message should it change no row."""
        if self._recorded is not None:
            self._recorded.append((sql, args, missing))
        elif self.conn.execute(sql, args).rowcount != 1 and missing:
            raise KeyError(missing)

    # --- meta: deployment parameters ------------------------------------------------------------

    def get_meta(self, key: str) -> Any:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    # --- orders, cancels, fills -----------------------------------------------------------------

    def add_order(self, signed: SignedOrder, time_in_force: str, post_only: bool, reduce_only: bool) -> int:
        """Record an accepted order; its arrival number (seq: its time priority), by which its fills
        and cancels name it. The row never changes: its status follows from them (``orders``)."""
        seq, self._next_order_seq = self._next_order_seq, self._next_order_seq + 1
        o = signed.order
        self._write(
            "INSERT INTO orders (account, order_id, market, signed, time_in_force, post_only, reduce_only,"
            " seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (o.account, o.order_id, o.market, json.dumps(codec.signed_order_dict(signed)), time_in_force,
             int(post_only), int(reduce_only), seq),
        )  # fmt: skip
        return seq

    def orders(self, status: str | None = None) -> list[OrderRow]:
        """Orders in the order they were accepted (their time priority), with their status now."""
        rows = [self._order_row(row) for row in self.conn.execute(ORDER_QUERY + " ORDER BY o.seq")]
        return [row for row in rows if status is None or row.status == status]

    def order(self, account: int, order_id: int) -> OrderRow | None:
        row = self.conn.execute(ORDER_QUERY + " WHERE o.account = ? AND o.order_id = ?",
                                (account, order_id)).fetchone()  # fmt: skip
        return None if row is None else self._order_row(row)

    @staticmethod
    def _order_row(row: tuple) -> OrderRow:
        """An order as stored, its status and remaining size worked out from its fills and cancels."""
        seq, text, tif, post_only, reduce_only, filled, cancelled = row
        signed = codec.signed_order_from(json.loads(text))
        return OrderRow(signed, tif, bool(post_only), bool(reduce_only),
                        order_status(signed.order.amount, filled, cancelled),
                        signed.order.amount - filled - cancelled, seq)  # fmt: skip

    def add_cancel(self, order_seq: int, account: int, order_id: int, size: int, reason: str) -> None:
        self._write("INSERT INTO cancels (account, order_id, size, reason, order_seq) VALUES (?, ?, ?, ?, ?)",
                    (account, order_id, size, reason, order_seq))  # fmt: skip

    def cancels(self) -> list[tuple[int, int, int, str]]:
        return list(self.conn.execute("SELECT account, order_id, size, reason FROM cancels ORDER BY id"))

    def add_fill(self, market: int, taker: tuple[int, int, int], maker: tuple[int, int, int], price: int,
                 size: int, op_seq: int) -> int:  # fmt: skip
        """Record a fill between two orders, each given as (account, order id, seq); its id."""
        fill_id, self._next_fill_id = self._next_fill_id, self._next_fill_id + 1
        (taker_account, taker_order, taker_seq), (maker_account, maker_order, maker_seq) = taker, maker
        self._write(
            "INSERT INTO fills (id, market, taker_account, taker_order, maker_account, maker_order, price,"
            " size, op_seq, taker_seq, maker_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (fill_id, market, taker_account, taker_order, maker_account, maker_order, price, size, op_seq,
             taker_seq, maker_seq),
        )  # fmt: skip
        return fill_id

    def fills(self) -> list[FillRow]:
        rows = self.conn.execute(
            "SELECT id, market, taker_account, taker_order, maker_account, maker_order, price, size, op_seq"
            " FROM fills ORDER BY id"
        )
        return [FillRow(i, m, (ta, to), (ma, mo), p, s, q) for i, m, ta, to, ma, mo, p, s, q in rows]

    # --- deposits -------------------------------------------------------------------------------

    def add_deposit(self, queue_index: int, account: int, amount: int, op_seq: int) -> None:
        self.conn.execute("INSERT INTO deposits VALUES (?, ?, ?, ?)", (queue_index, account, amount, op_seq))

    def deposit_count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM deposits").fetchone()[0]

    # --- operations and batches -----------------------------------------------------------------

    def add_op(self, op: Operation, batch_id: int, slot: int, queued_at: float) -> int:
        seq, self._next_op_seq = self._next_op_seq, self._next_op_seq + 1
        self._write(
            "INSERT INTO ops (seq, kind, body, batch_id, slot, queued_at) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, op.op_type, codec.dumps(op), batch_id, slot, queued_at),
        )
        return seq

    def ops(self, batch_id: int | None = None, after_batch: int | None = None) -> list[OpRow]:
        """Operations in queue order: all, one batch's, or those of batches after ``after_batch``."""
        query, args = "SELECT seq, body, batch_id, slot, queued_at FROM ops", ()
        if batch_id is not None:
            query, args = query + " WHERE batch_id = ?", (batch_id,)
        elif after_batch is not None:
            query, args = query + " WHERE batch_id > ?", (after_batch,)
        rows = self.conn.execute(query + " ORDER BY seq", args)
        return [OpRow(seq, codec.loads(body), b, slot, at) for seq, body, b, slot, at in rows]

    def op(self, seq: int) -> OpRow:
        """One queued operation, by its sequence number."""
        row = self.conn.execute("SELECT seq, body, batch_id, slot, queued_at FROM ops WHERE seq = ?",
                                (seq,)).fetchone()  # fmt: skip
        if row is None:
            raise KeyError(f"no operation {seq}")
        seq, body, batch_id, slot, queued_at = row
        return OpRow(seq, codec.loads(body), batch_id, slot, queued_at)

    def paid_in(self) -> dict[int, int]:
        """Each account's deposits less its withdrawals, from the queued operations."""
        out: dict[int, int] = {}
        for (body,) in self.conn.execute("SELECT body FROM ops WHERE kind IN ('deposit', 'withdraw')"):
            op = codec.loads(body)
            out[op.account] = out.get(op.account, 0) + (op.amount if op.op_type == "deposit" else -op.amount)
        return out

    def add_batch(self, batch_id: int, shape: tuple[str, ...], sealed_at: float) -> None:
        self._write("INSERT INTO batches (id, shape, status, sealed_at) VALUES (?, ?, 'sealed', ?)",
                    (batch_id, json.dumps(list(shape)), sealed_at))  # fmt: skip

    def record_applied(self, batch_id: int, old_root: int, new_root: int, commitment: int,
                       pubdata: bytes) -> None:  # fmt: skip
        self._update_batch(batch_id, "sealed", old_root=str(old_root), new_root=str(new_root),
                           commitment=str(commitment), pubdata=pubdata)  # fmt: skip

    def record_proved(self, batch_id: int, proof: dict, public: list) -> None:
        self._update_batch(batch_id, "sealed", status="proved", proof=json.dumps(proof),
                           public=json.dumps(public))  # fmt: skip

    def record_submitted(self, batch_id: int, tx: str) -> None:
        self._update_batch(batch_id, "proved", status="submitted", tx=tx)

    def record_settled(self, batch_id: int) -> None:
        self._update_batch(batch_id, "submitted", status="settled")

    def _update_batch(self, batch_id: int, expected_status: str, **fields: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in fields)
        cursor = self.conn.execute(
            f"UPDATE batches SET {columns} WHERE id = ? AND status = ?",
            (*fields.values(), batch_id, expected_status),
        )
        if cursor.rowcount != 1:
            raise ValueError(f"batch {batch_id} is not {expected_status}")

    def batch_counts(self) -> dict[str, int]:
        """How many batches are in each state (every state named, zero included), in one query."""
        counts = dict.fromkeys(BATCH_STATES, 0)
        counts.update(self.conn.execute("SELECT status, COUNT(*) FROM batches GROUP BY status"))
        return counts

    def last_batch_id(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM batches").fetchone()[0]

    def batches(self, status: str | None = None) -> list[BatchRow]:
        query = "SELECT * FROM batches" + (" WHERE status = ?" if status else "") + " ORDER BY id"
        rows = self.conn.execute(query, (status,) if status else ())
        return [self._batch_row(row) for row in rows]

    def batch(self, batch_id: int) -> BatchRow | None:
        row = self.conn.execute("SELECT * FROM batches WHERE id = ?", (batch_id,)).fetchone()
        return None if row is None else self._batch_row(row)

    @staticmethod
    def _batch_row(row: tuple) -> BatchRow:
        bid, shape, status, sealed_at, old, new, commitment, pubdata, proof, public, tx = row
        return BatchRow(
            bid, tuple(json.loads(shape)), status, sealed_at, _int_or_none(old), _int_or_none(new),
            _int_or_none(commitment), pubdata, None if proof is None else json.loads(proof),
            None if public is None else json.loads(public), tx,
        )  # fmt: skip

    # --- snapshots: the state after a sealed batch ----------------------------------------------

    def add_snapshot(self, batch_id: int, root: int, state: str) -> None:
        self.conn.execute("INSERT INTO snapshots VALUES (?, ?, ?)", (batch_id, str(root), state))

    def snapshot_ids(self, up_to: int) -> list[int]:
        """Batches with a snapshot, at or before ``up_to``, newest first."""
        rows = self.conn.execute(
            "SELECT batch_id FROM snapshots WHERE batch_id <= ? ORDER BY batch_id DESC", (up_to,)
        )
        return [batch_id for (batch_id,) in rows]

    def snapshot(self, batch_id: int) -> tuple[int, str]:
        """(root, state) of the snapshot after ``batch_id``."""
        root, state = self.conn.execute(
            "SELECT root, state FROM snapshots WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        return int(root), state

    def oldest_unsettled(self) -> int | None:
        return self.conn.execute("SELECT MIN(id) FROM batches WHERE status != 'settled'").fetchone()[0]

    def prune_snapshots(self) -> None:
        """Drop snapshots older than the newest one a restart can start from (at or before the
        batch before the oldest unsettled one)."""
        usable = self.snapshot_ids(self.usable_snapshot_limit())
        if usable:
            self.conn.execute("DELETE FROM snapshots WHERE batch_id < ?", (usable[0],))

    def usable_snapshot_limit(self) -> int:
        """The newest batch whose state a restart may start from: every batch after it may still
        need the state before it (unsettled), none before it does."""
        oldest = self.oldest_unsettled()
        return self.last_batch_id() if oldest is None else oldest - 1
