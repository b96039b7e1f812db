"""Micro-batch intake: one compiled signature pass per batch, each request handled in arrival order
and refused alone, one commit before any acknowledgement; the native signature check is skipped
only for an exact signed order the batch check verified under the key the account holds."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace

import pytest

from circuits.gadgets import eddsa
from rollup.exchange.operations import SignedOrder
from rollup.operator import signatures, validity
from rollup.operator.operator import (
    CHECK_AHEAD,
    CancelRequest,
    Operator,
    Placed,
    PlaceRequest,
    cancel_message,
)
from rollup.operator.refusals import Refusal
from rollup.operator.store import StoreError
from rollup.orders import Cancel
from rollup.rejections import OrderRejected, RejectReason
from rollup.sigcheck import orders as sigcheck_orders
from rollup.sigcheck.keys import KeyTables
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, DAVE
from tests.operator.venue import fund, open_venue, signed


@pytest.fixture
def venue(tmp_path) -> Operator:
    """Alice holds 10,000, Bob 5,000 and Dave 5,000; market 0 trades at 1,000 (tick 10, lot 1)."""
    op = open_venue(tmp_path / "db")
    fund(op, {ALICE: 10_000, BOB: 5_000, DAVE: 5_000})
    return op


def forget_verdicts(monkeypatch) -> None:
    """No remembered verdicts, as in a new process."""
    for name, capacity, shard_of in (
        ("_verified", signatures.VERIFIED_CAPACITY, signatures.order_entry_shard),
        ("_refused", signatures.REFUSED_CAPACITY, signatures.order_entry_shard),
        ("_cancels", signatures.CANCEL_CAPACITY, signatures.cancel_entry_shard),
    ):
        monkeypatch.setattr(signatures, name, signatures.VerdictMemory(capacity, shard_of))


def forbid_native_checks(monkeypatch) -> None:
    """Any native verification of an order signature fails the test."""

    def refuse(*args):
        raise AssertionError("an order signature was verified natively")

    monkeypatch.setattr(validity, "signature_valid", refuse)


@pytest.fixture(autouse=True)
def fresh_verdicts(monkeypatch):
    forget_verdicts(monkeypatch)


@pytest.fixture
def no_native_checks(monkeypatch):
    forbid_native_checks(monkeypatch)


def reason_of(result) -> str:
    assert isinstance(result, OrderRejected), result
    return result.reason


def cancel_request(account: int, order_id: int, key: bytes) -> CancelRequest:
    return CancelRequest(account, order_id, eddsa.sign(key, cancel_message(account, order_id)))


def test_a_forged_signature_in_a_batch_is_refused_and_the_others_are_accepted(venue):
    ask = signed(ALICE, 1, False, 1_000, 5)
    forged = signed(BOB, 1, True, 1_000, 2, key=ALICE_KEY)  # Bob's order, signed by Alice's key
    bid = signed(DAVE, 1, True, 1_000, 3)
    placed, refused, filled = venue.place_many([PlaceRequest(o) for o in (ask, forged, bid)])
    assert reason_of(refused) == Refusal.BAD_SIGNATURE
    assert isinstance(placed, Placed) and placed.row.status == "resting"  # as it was when placed
    assert isinstance(filled, Placed) and [f.maker.key for f in filled.result.fills] == [(ALICE, 1)]
    assert venue.store.order(BOB, 1) is None
    assert venue.store.order(ALICE, 1).remaining == 2
    assert venue.state.account(DAVE).position[0] == 3 and venue.state.account(BOB).position[0] == 0


def test_batch_verified_orders_are_not_verified_natively_at_the_door_or_at_fills(venue, no_native_checks):
    asks = [PlaceRequest(signed(ALICE, i, False, 1_000 + 10 * i, 2)) for i in (1, 2)]
    assert all(isinstance(r, Placed) for r in venue.place_many(asks))
    [taker] = venue.place_many([PlaceRequest(signed(BOB, 1, True, 1_030, 3))])
    assert [(f.maker.key, f.size) for f in taker.result.fills] == [((ALICE, 1), 2), ((ALICE, 2), 1)]


def test_a_verdict_counts_only_for_the_key_it_was_checked_against(venue):
    forged = signed(BOB, 1, True, 1_000, 2, key=ALICE_KEY)
    assert signatures.check_orders([forged], [eddsa.public_key(ALICE_KEY)]) == [True]
    with pytest.raises(OrderRejected) as caught:
        validity.check_order(venue.state, forged)  # Bob's key is not Alice's: checked natively, refused
    assert caught.value.reason == Refusal.BAD_SIGNATURE
    assert reason_of(venue.place_many([PlaceRequest(forged)])[0]) == Refusal.BAD_SIGNATURE


def test_a_verdict_counts_only_for_the_exact_order_it_was_given(venue):
    order = signed(ALICE, 1, False, 1_000, 5)
    assert signatures.check_orders([order], [eddsa.public_key(ALICE_KEY)]) == [True]
    larger = SignedOrder(replace(order.order, amount=50), order.signature)
    assert reason_of(venue.place_many([PlaceRequest(larger)])[0]) == Refusal.BAD_SIGNATURE
    assert isinstance(venue.place_many([PlaceRequest(order)])[0], Placed)


def test_a_refused_verdict_is_not_taken_for_another_key(venue):
    order = signed(ALICE, 1, False, 1_000, 5)
    assert signatures.check_orders([order], [eddsa.public_key(BOB_KEY)]) == [False]
    assert signatures.known_verdict(order, eddsa.public_key(BOB_KEY)) is False
    assert signatures.known_verdict(order, eddsa.public_key(ALICE_KEY)) is None
    assert isinstance(venue.place_many([PlaceRequest(order)])[0], Placed)


def test_cancels_in_a_batch_are_checked_and_refused_alone(venue):
    venue.place_many([PlaceRequest(signed(ALICE, i, False, 1_000 + 10 * i, 1)) for i in (1, 2)])
    requests = [cancel_request(ALICE, 1, ALICE_KEY), cancel_request(ALICE, 2, BOB_KEY)]
    done, forged, unknown = venue.cancel_many([*requests, cancel_request(ALICE, 7, ALICE_KEY)])
    assert isinstance(done, Cancel) and done.order.key == (ALICE, 1)
    assert reason_of(forged) == Refusal.BAD_SIGNATURE
    assert reason_of(unknown) == RejectReason.UNKNOWN_ORDER
    assert [o.signed.order.order_id for o in venue.store.orders("resting")] == [2]


def test_a_cancel_verdict_counts_only_for_the_key_it_was_checked_against(venue):
    venue.place(signed(ALICE, 1, False, 1_000, 5))
    forged = cancel_request(ALICE, 1, BOB_KEY)  # a valid signature, by Bob's key
    signatures.BatchSignatures([], [], [(ALICE, 1, forged.signature)], [eddsa.public_key(BOB_KEY)]).check()
    entry = (ALICE, 1, forged.signature)
    assert signatures.known_cancel_verdict(entry, eddsa.public_key(BOB_KEY)) is True
    assert signatures.known_cancel_verdict(entry, eddsa.public_key(ALICE_KEY)) is None
    with venue.store.transaction(), pytest.raises(OrderRejected) as caught:
        venue._cancel(forged)  # checked natively against Alice's key
    assert caught.value.reason == Refusal.BAD_SIGNATURE
    assert venue.store.order(ALICE, 1).status == "resting"


def test_a_batch_is_handled_in_arrival_order(venue):
    ask = signed(ALICE, 1, False, 1_000, 5)
    results = venue.submit_many([
        PlaceRequest(ask), cancel_request(ALICE, 1, ALICE_KEY), PlaceRequest(signed(BOB, 1, True, 1_000, 2)),
        cancel_request(ALICE, 1, ALICE_KEY),
    ])  # fmt: skip
    placed, cancelled, bid, again = results
    assert isinstance(placed, Placed) and isinstance(cancelled, Cancel) and cancelled.size == 5
    assert isinstance(bid, Placed) and bid.result.fills == () and bid.row.status == "resting"
    assert reason_of(again) == RejectReason.UNKNOWN_ORDER
    assert reason_of(venue.place_many([PlaceRequest(ask)])[0]) == RejectReason.DUPLICATE_ORDER_ID


def test_intake_only_appends_and_each_orders_status_follows_from_its_fills_and_cancels(venue):
    statements: list[str] = []
    venue.store.conn.set_trace_callback(statements.append)
    venue.submit_many([
        PlaceRequest(signed(ALICE, 1, False, 1_000, 5)), PlaceRequest(signed(ALICE, 2, False, 1_010, 4)),
        PlaceRequest(signed(BOB, 1, True, 1_000, 2)),  # fills 2 of Alice's 1
        PlaceRequest(signed(DAVE, 1, True, 1_000, 3), "IOC"),  # fills the other 3, nothing rests
        cancel_request(ALICE, 2, ALICE_KEY),
        PlaceRequest(signed(BOB, 2, True, 990, 1)),
    ])  # fmt: skip
    venue.settle()
    writes = [sql.split()[0] for sql in statements if sql.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes and set(writes) == {"INSERT"}  # no row written before is touched again
    status = {(r.signed.order.account, r.signed.order.order_id): (r.status, r.remaining)
              for r in venue.store.orders()}  # fmt: skip
    assert status == {(ALICE, 1): ("filled", 0), (ALICE, 2): ("cancelled", 0), (BOB, 1): ("filled", 0),
                      (DAVE, 1): ("filled", 0), (BOB, 2): ("resting", 1)}  # fmt: skip
    [dave] = venue.place_many([PlaceRequest(signed(DAVE, 2, False, 990, 3), "IOC")])  # 1 fills, 2 cancelled
    assert (dave.row.status, dave.row.remaining) == ("cancelled", 0)
    assert venue.store.order(DAVE, 2) == dave.row
    assert (venue.store.order(BOB, 2).status, venue.store.order(BOB, 2).remaining) == ("filled", 0)
    assert [r.signed.order.order_id for r in venue.store.orders("resting")] == []


def test_a_long_batch_is_checked_a_chunk_ahead_with_the_same_answers(venue, no_native_checks):
    requests = []
    for order_id in range(1, 36):  # 70 requests: more than one chunk of CHECK_AHEAD
        requests += [PlaceRequest(signed(ALICE, order_id, False, 1_000 + 10 * (order_id % 5), 1)),
                     cancel_request(ALICE, order_id, ALICE_KEY)]  # fmt: skip
    assert len(requests) > CHECK_AHEAD
    requests[66] = PlaceRequest(signed(ALICE, 34, False, 1_000, 1, key=BOB_KEY))  # in the second chunk
    requests[69] = cancel_request(ALICE, 35, BOB_KEY)
    results = venue.submit_many(requests)
    assert [type(r).__name__ for r in results[:66]] == ["Placed", "Cancel"] * 33
    assert [reason_of(r) for r in results[66:68]] == [Refusal.BAD_SIGNATURE, RejectReason.UNKNOWN_ORDER]
    assert isinstance(results[68], Placed) and reason_of(results[69]) == Refusal.BAD_SIGNATURE
    assert [row.signed.order.order_id for row in venue.store.orders("resting")] == [35]


def no_compiled_checks(monkeypatch) -> None:
    """Any compiled check of an order's or a cancel's signature from here on fails the test (and so
    does a native check of a cancel's)."""

    def refuse(*args):
        raise AssertionError("a signature was checked again")

    real_messages = signatures.check_messages

    def no_messages(inputs, keys, sigs):
        return refuse() if inputs else real_messages(inputs, keys, sigs)

    monkeypatch.setattr("rollup.sigcheck.orders.check_signatures", refuse)
    monkeypatch.setattr(signatures, "check_messages", no_messages)
    monkeypatch.setattr("rollup.operator.operator.signature_valid", refuse)


def test_orders_that_arrived_meanwhile_are_checked_during_the_commit(venue, no_native_checks, monkeypatch):
    ask, forged = signed(ALICE, 1, False, 1_000, 5), signed(BOB, 1, True, 1_000, 2, key=ALICE_KEY)
    bid = signed(DAVE, 1, True, 1_000, 3)
    arrived = [PlaceRequest(forged), cancel_request(ALICE, 1, ALICE_KEY), PlaceRequest(bid)]
    [placed] = venue.submit_many([PlaceRequest(ask)], arrived=lambda: arrived)
    assert isinstance(placed, Placed)
    no_compiled_checks(monkeypatch)  # the next micro-batch's requests were checked during that commit
    refused, cancelled, filled = venue.submit_many(arrived)
    assert reason_of(refused) == Refusal.BAD_SIGNATURE
    assert isinstance(cancelled, Cancel) and cancelled.order.key == (ALICE, 1)
    assert isinstance(filled, Placed) and filled.result.fills == () and filled.row.status == "resting"


def test_without_a_look_ahead_the_orders_are_checked_in_their_micro_batch(venue, monkeypatch):
    """The control: the same micro-batch without ``arrived`` needs the compiled check."""
    venue.submit_many([PlaceRequest(signed(ALICE, 1, False, 1_000, 5))])
    no_compiled_checks(monkeypatch)
    with pytest.raises(AssertionError, match="checked again"):
        venue.submit_many([PlaceRequest(signed(DAVE, 1, True, 1_000, 3))])
    with pytest.raises(AssertionError, match="checked again"):
        venue.submit_many([cancel_request(ALICE, 1, ALICE_KEY)])


class FailingCommits:
    """A connection whose COMMITs fail (as on a disk I/O error), all else passed through."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            raise sqlite3.OperationalError("disk I/O error")
        return self.conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self.conn, name)


def test_a_failed_commit_acknowledges_nothing(venue, monkeypatch):
    store = venue.store
    batch = [PlaceRequest(signed(ALICE, 1, False, 1_000, 5)), PlaceRequest(signed(BOB, 1, True, 1_000, 2))]
    root = venue.root
    monkeypatch.setattr(store, "_conn", FailingCommits(store._conn))
    with pytest.raises(sqlite3.OperationalError):
        venue.place_many(batch)
    assert store.orders() == [] and store.fills() == []
    assert venue.engine.book(0).depth().asks == () and venue.root == root  # memory rebuilt from the store
    monkeypatch.setattr(store, "_conn", store._conn.conn)
    placed, filled = venue.place_many(batch)  # the ids were never used
    assert isinstance(placed, Placed) and filled.result.filled == 2 and filled.fill_ids == (1,)


def test_a_micro_batch_matched_behind_a_failed_commit_is_dropped_too(venue, monkeypatch):
    store, root = venue.store, venue.root
    monkeypatch.setattr(store, "_conn", FailingCommits(store._conn))
    first = venue.submit_many_later([PlaceRequest(signed(ALICE, 1, False, 1_000, 5))])
    with pytest.raises(StoreError, match="previous commit failed"):  # matched on top of the first
        venue.submit_many_later([PlaceRequest(signed(BOB, 1, True, 1_000, 2))])
    assert isinstance(first.exception(10), sqlite3.OperationalError)
    monkeypatch.setattr(store, "_conn", store._conn.conn)
    assert store.orders() == [] and venue.root == root and venue.engine.book(0).depth().asks == ()


class HeldCommits(FailingCommits):
    """A connection whose COMMITs wait for ``release``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self.release = threading.Event()

    def execute(self, sql: str, *args):
        if sql == "COMMIT":
            assert self.release.wait(10)
        return self.conn.execute(sql, *args)


def test_the_next_micro_batch_is_matched_while_the_last_one_commits(venue, monkeypatch):
    store = venue.store
    held = HeldCommits(store._conn)
    monkeypatch.setattr(store, "_conn", held)
    first = venue.submit_many_later([PlaceRequest(signed(ALICE, 1, False, 1_000, 5))])
    answers = []
    second = threading.Thread(target=lambda: answers.append(
        venue.submit_many_later([PlaceRequest(signed(BOB, 1, True, 1_000, 2))])))  # fmt: skip
    second.start()
    deadline = time.monotonic() + 10
    while venue.state.account(BOB).position[0] != 2:  # matched in memory, its commit still to come
        assert time.monotonic() < deadline, "the second micro-batch was not matched"
        time.sleep(0.005)
    assert not first.done()  # nothing is acknowledged before its commit
    held.release.set()
    second.join(10)
    placed, [filled] = first.result(10), answers[0].result(10)
    assert isinstance(placed[0], Placed) and filled.result.filled == 2
    venue.settle()
    assert [row.remaining for row in store.orders()] == [3, 0] and len(store.fills()) == 1


def test_resting_orders_are_checked_in_the_first_batch_after_a_restart(venue, tmp_path, monkeypatch):
    resting = signed(ALICE, 1, False, 1_000, 5)
    venue.place(resting)
    venue.store.close()
    forget_verdicts(monkeypatch)
    again = open_venue(tmp_path / "db")
    assert signatures.known_verdict(resting, eddsa.public_key(ALICE_KEY)) is None
    forbid_native_checks(monkeypatch)
    [taker] = again.place_many([PlaceRequest(signed(BOB, 1, True, 1_000, 2))])
    assert taker.result.filled == 2
    assert signatures.known_verdict(resting, eddsa.public_key(ALICE_KEY)) is True


def test_the_verdict_memory_is_bounded():
    memory = signatures.VerdictMemory(2)
    a, b, c = (signed(ALICE, i, False, 1_000, 1) for i in (1, 2, 3))
    pk = eddsa.public_key(ALICE_KEY)
    memory.put((a, pk), True)
    memory.put((b, pk), True)
    assert memory.get((a, pk)) is True  # a is now the most recently used
    memory.put((c, pk), True)
    assert (memory.get((b, pk)), memory.get((a, pk)), memory.get((c, pk)), len(memory)) == (
        None,
        True,
        True,
        2,
    )


def test_a_large_verdict_memory_is_split_and_each_part_drops_its_own_least_recent():
    memory = signatures.VerdictMemory(signatures.MIN_SHARD * 4, signatures.order_entry_shard)  # four parts
    pk, order = eddsa.public_key(ALICE_KEY), signed(ALICE, 1, False, 1_000, 1).order
    share = memory.capacity // 4

    def verdicts(part: int, count: int) -> list[tuple[SignedOrder, tuple[int, int]]]:
        """``count`` entries whose signature's S puts them in ``part`` (S mod 4)."""
        return [(SignedOrder(order, eddsa.Signature((1, 2), 4 * k + part)), pk) for k in range(count)]

    first = verdicts(0, 2 * share)
    for entry in first:
        memory.put(entry, True)
    assert len(memory) == share  # one part keeps its share, the least recent half dropped
    assert memory.get(first[share - 1]) is None and memory.get(first[share]) is True
    second = verdicts(1, share)
    for entry in second:
        memory.put(entry, True)
    assert len(memory) == 2 * share and all(memory.get(entry) for entry in second + first[share:])


def test_a_serving_venue_builds_its_accounts_key_tables_before_any_order(venue, monkeypatch):
    tables = KeyTables(capacity=16)
    monkeypatch.setattr(sigcheck_orders, "shared_key_tables", lambda: tables)
    accounts = len(venue.state.accounts)
    assert accounts > 1 and venue.prepare_intake() == accounts and tables.known() == accounts
    assert venue.prepare_intake() == 0  # built once
    checked = signatures.orders_checked()
    placed = venue.place(signed(ALICE, 1, False, 1_000, 5))
    assert isinstance(placed, Placed) and signatures.orders_checked() == checked + 1
    assert tables.known() == accounts  # the intake's check found ALICE's table built
