"""The venue process's collector policy: what is alive when it settles, and what survives each
micro-batch, is frozen out of later passes, and passes run rarely. Freezing is sound only if the
intake makes no cyclic garbage (frozen cycles are never freed), so that is held here too, refusals
and the HTTP API included."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from circuits.gadgets import eddsa
from rollup.operator.collector import OLDER_PASS_EVERY, YOUNG_PASS_EVERY, freeze_survivors, settle_collector
from rollup.operator.operator import CancelRequest, Placed, PlaceRequest, cancel_message
from rollup.operator.refusals import Refusal
from rollup.rejections import OrderRejected, RejectReason
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, DAVE
from tests.operator.test_http_api import post_order, start
from tests.operator.venue import fund, open_venue, signed


def walked() -> set[int]:
    """The ids of the objects the collector's passes walk (the frozen ones are not among them)."""
    return {id(x) for x in gc.get_objects()}


def test_settling_freezes_the_loaded_heap_and_spaces_the_passes() -> None:
    defaults = gc.get_threshold()
    loaded = [[i] for i in range(1000)]  # containers alive when the venue settles
    try:
        settle_collector()
        assert gc.get_threshold() == (YOUNG_PASS_EVERY, *OLDER_PASS_EVERY)
        assert gc.get_freeze_count() >= len(loaded)
        assert not any(id(x) in walked() for x in loaded)
    finally:
        gc.unfreeze()
        gc.set_threshold(*defaults)


def test_the_survivors_of_a_micro_batch_are_frozen_out_of_later_passes() -> None:
    try:
        survivors = [[i] for i in range(1000)]
        assert all(id(x) in walked() for x in survivors)
        freeze_survivors()
        assert not any(id(x) in walked() for x in survivors)
    finally:
        gc.unfreeze()


def handlers_done(threads: int) -> None:
    """Wait until the server's connection threads have ended (a handler answers before it returns)."""
    deadline = time.monotonic() + 10
    while threading.active_count() > threads:
        assert time.monotonic() < deadline, "a connection thread did not end"
        time.sleep(0.01)


@contextmanager
def cyclic_garbage_count() -> Iterator[Callable[[], int]]:
    """Counts the unreachable objects that only the cyclic collector would free, made in the block."""
    gc.collect()
    gc.disable()
    try:
        gc.freeze()  # what existed before the block is out of the count
        yield lambda: gc.collect()
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_intake_makes_no_cyclic_garbage_even_when_it_refuses(tmp_path) -> None:
    venue = open_venue(tmp_path / "db")
    fund(venue, {ALICE: 10_000, BOB: 5_000, DAVE: 5_000})
    warm_up = [  # every kernel loaded before counting (a first load makes a few cyclic objects, once)
        PlaceRequest(signed(ALICE, 2, False, 1_100, 1)),
        CancelRequest(ALICE, 2, eddsa.sign(ALICE_KEY, cancel_message(ALICE, 2))),
    ]
    venue.submit_many(warm_up)
    requests = [
        PlaceRequest(signed(ALICE, 1, False, 1_000, 5)),
        PlaceRequest(signed(BOB, 1, True, 1_000, 2, key=ALICE_KEY)),  # forged
        PlaceRequest(signed(DAVE, 1, True, 1_000, 3)),  # fills against Alice
        PlaceRequest(signed(DAVE, 1, True, 1_000, 3)),  # a duplicate order id
        PlaceRequest(signed(BOB, 2, True, 1_000, 1), post_only=True),  # would take: refused
        CancelRequest(ALICE, 1, eddsa.sign(ALICE_KEY, cancel_message(ALICE, 1))),
        CancelRequest(ALICE, 7, eddsa.sign(ALICE_KEY, cancel_message(ALICE, 7))),  # unknown order
        CancelRequest(BOB, 2, eddsa.sign(ALICE_KEY, cancel_message(BOB, 2))),  # forged
    ]
    with cyclic_garbage_count() as count:
        results = venue.submit_many(requests)
        refusals = [r.reason for r in results if isinstance(r, OrderRejected)]
        assert isinstance(results[2], Placed) and len(results[2].result.fills) == 1
        assert Refusal.BAD_SIGNATURE in refusals and RejectReason.DUPLICATE_ORDER_ID in refusals
        assert RejectReason.UNKNOWN_ORDER in refusals and len(refusals) == 5
        del results
        assert count() == 0


def test_the_http_api_makes_no_cyclic_garbage_and_runs_the_hook_after_each_batch(tmp_path) -> None:
    calls = []
    threads = threading.active_count()
    with start(tmp_path, after_each=lambda: calls.append(1)) as api:
        threads = threading.active_count()
        assert post_order(api, signed(ALICE, 1, False, 1_000, 5))[0] == 200  # kernels loaded first
        with cyclic_garbage_count() as count:
            assert post_order(api, signed(BOB, 1, True, 1_000, 2, key=BOB_KEY))[0] == 200
            status, refused = post_order(api, signed(BOB, 2, True, 1_000, 2, key=ALICE_KEY))
            assert (status, refused["reason"]) == (422, "bad_signature")
            status, refused = post_order(api, signed(BOB, 3, True, 1_005, 2))
            assert (status, refused["reason"]) == (422, "price_off_tick")
            handlers_done(threads)
            assert count() == 0
        assert len(calls) >= 3
