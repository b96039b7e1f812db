"""The HTTP API's intake: orders and cancels waiting for the operator's thread are handed to it
together as one micro-batch (at most ``max_batch``), in arrival order, reads in between keep their
place, and each request is answered with its own result after the batch's commit."""

from __future__ import annotations

import threading
import time

from rollup.operator.http_api import ApiServer
from rollup.operator.operator import CancelRequest, PlaceRequest
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB
from tests.operator.test_http_api import call, post_order, signed, signed_cancel, start


def describe(request: PlaceRequest | CancelRequest) -> tuple[str, int]:
    if isinstance(request, PlaceRequest):
        return ("order", request.signed.order.order_id)
    return ("cancel", request.order_id)


def queue_after(server: ApiServer, action, *args) -> threading.Thread:
    """Run ``action(*args)`` on a thread of its own and wait until its request is queued for the operator."""
    queued = server.operator._jobs.qsize()
    thread = threading.Thread(target=action, args=args)
    thread.start()
    deadline = time.monotonic() + 10
    while server.operator._jobs.qsize() == queued:
        assert time.monotonic() < deadline, "the request never reached the operator's queue"
        time.sleep(0.002)
    return thread


def hold_operator(server: ApiServer) -> threading.Event:
    """Keep the operator's thread busy until the returned event is set."""
    busy, release = threading.Event(), threading.Event()

    def wait(op):
        busy.set()
        release.wait(30)

    threading.Thread(target=server.operator.call, args=(wait,)).start()
    assert busy.wait(10)
    return release


def test_queued_orders_and_cancels_are_committed_in_micro_batches_in_arrival_order(tmp_path):
    with start(tmp_path, max_batch=3) as api:
        operator = api.operator.operator
        batches, looked_ahead, real = [], [], operator.submit_many_later

        def recording(requests, arrived):
            batches.append([describe(request) for request in requests])

            def seen():
                upcoming = arrived()
                looked_ahead.append([describe(request) for request in upcoming])
                return upcoming

            return real(requests, seen)

        operator.submit_many_later = recording
        answers = {}

        def post(name, order):
            answers[name] = post_order(api, order)

        def cancel(name, body):
            answers[name] = call(api, "POST", "/orders/cancel", body)[:2]

        def read(name):
            answers[name] = call(api, "GET", "/books/0")[:2]

        release = hold_operator(api)
        threads = [
            queue_after(api, post, "ask 1", signed(ALICE, 1, False, 1_000, 5)),
            queue_after(api, post, "ask 2", signed(ALICE, 2, False, 1_010, 5)),
            queue_after(api, read, "book"),
            queue_after(api, post, "bid 1", signed(BOB, 1, True, 1_000, 2)),
            queue_after(api, cancel, "cancel 2", signed_cancel(ALICE, 2, ALICE_KEY)),
            queue_after(api, post, "forged", signed(BOB, 2, True, 1_000, 1, key=ALICE_KEY)),
            queue_after(api, post, "bid 3", signed(BOB, 3, True, 1_010, 4)),
        ]
        release.set()
        for thread in threads:
            thread.join()
    assert batches == [
        [("order", 1), ("order", 2)],
        [("order", 1), ("cancel", 2), ("order", 2)],
        [("order", 3)],
    ]
    assert looked_ahead == [[], [("order", 3)], []]  # what queued behind each (the read stops the first)
    assert answers["book"] == (200, {"market": 0, "bids": [], "asks": [
        {"price": 1_000, "size": 5, "orders": 1}, {"price": 1_010, "size": 5, "orders": 1},
    ]})  # fmt: skip
    assert answers["ask 1"][1]["remaining"] == 5  # as placed (bid 1 took 2 of it later)
    assert answers["bid 1"][1]["fills"][0]["size"] == 2
    assert answers["cancel 2"] == (
        200,
        {"account": ALICE, "order_id": 2, "status": "cancelled", "cancelled": 5},
    )
    assert answers["forged"][0] == 422 and answers["forged"][1]["reason"] == "bad_signature"
    bid = answers["bid 3"][1]  # ask 2 was cancelled: bid 3 takes the rest of ask 1 and rests
    assert (bid["filled"], bid["remaining"], bid["status"]) == (3, 1, "resting")
