"""The HTTP API on a real server (127.0.0.1, a free port) over a real operator and store, driven with
urllib and http.client: orders matched and refused with the operator's reasons, malformed requests
refused before they reach it, reads of books, accounts, orders and batches, and the HTTP errors."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from circuits.field import FR
from circuits.gadgets import eddsa
from rollup.operator.api_requests import MAX_BODY_BYTES, order_json, signature_json
from rollup.operator.http_api import ApiServer
from rollup.operator.operator import Operator, cancel_message
from rollup.operator.refusals import Refusal
from rollup.rejections import RejectReason
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, CAROL, CAROL_KEY, market
from tests.operator.venue import GENESIS, fund, open_venue, with_shape
from tests.operator.venue import signed as sign_order

LOT_5 = replace(GENESIS, markets=(market(1_000), {**market(50), "lot": 5}))
"""The venue's genesis with market 1 trading in lots of 5 (market 0: price 1,000, tick 10, lot 1)."""


@cache
def signed(*args, **kwargs):
    """Signed orders, remembered: signing takes a quarter of a second."""
    return sign_order(*args, **kwargs)


def start(tmp_path: Path, genesis=LOT_5, funds=None, **kwargs) -> ApiServer:
    def open_funded():
        op = open_venue(tmp_path / "venue.db", genesis)
        fund(op, {ALICE: 10_000, BOB: 5_000} if funds is None else funds)
        return op

    server = ApiServer(open_funded, **kwargs)
    server.start()
    return server


@pytest.fixture
def api(tmp_path):
    """A server over a venue where Alice holds 10,000 and Bob 5,000 (10% initial margin)."""
    with start(tmp_path) as server:
        yield server


def call(server: ApiServer, method: str, path: str, body=None, raw: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, object, dict[str, str]]:  # fmt: skip
    """(status, decoded JSON body, headers) of one request."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    headers = {"Content-Type": "application/json", **(headers or {})}
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def ok(server: ApiServer, method: str, path: str, body=None):
    status, payload, _ = call(server, method, path, body)
    assert status == 200, payload
    return payload


def post_order(server: ApiServer, order, **flags):
    return call(server, "POST", "/orders", order_json(order, **flags))[:2]


def signed_cancel(account: int, order_id: int, key: bytes) -> dict:
    signature = eddsa.sign(key, cancel_message(account, order_id))
    return {"account": account, "order_id": order_id, "signature": signature_json(signature)}


# --- orders ---------------------------------------------------------------------------------------


def test_an_order_rests_and_a_crossing_order_fills_against_it(api):
    status, resting = post_order(api, signed(ALICE, 1, False, 1_000, 5))
    assert status == 200
    assert (resting["status"], resting["remaining"], resting["fills"]) == ("resting", 5, [])

    status, taker = post_order(api, signed(BOB, 1, True, 1_010, 3))
    assert status == 200
    assert (taker["status"], taker["filled"], taker["remaining"]) == ("filled", 3, 0)
    [fill] = taker["fills"]
    assert (fill["maker"], fill["price"], fill["size"]) == ({"account": ALICE, "order_id": 1}, 1_000, 3)

    book = ok(api, "GET", "/books/0")
    assert book == {"market": 0, "bids": [], "asks": [{"price": 1_000, "size": 2, "orders": 1}]}
    bob = ok(api, "GET", f"/accounts/{BOB}")
    assert bob["positions"][0]["size"] == 3
    assert bob["collateral"] == 5_000 - 3 * 1_000 - 3  # the notional and a 0.1% fee
    assert bob["open_orders"] == []
    alice = ok(api, "GET", f"/accounts/{ALICE}")
    assert alice["positions"][0]["size"] == -3
    assert alice["open_orders"] == [
        {"order_id": 1, "market": 0, "is_buy": False, "price": 1_000, "remaining": 2}
    ]
    assert alice["pk"] == [str(c) for c in eddsa.public_key(ALICE_KEY)]
    assert ok(api, "GET", f"/orders/{ALICE}/1")["remaining"] == 2
    assert ok(api, "GET", f"/orders/{BOB}/1")["status"] == "filled"


def test_an_acknowledged_order_is_in_the_store(api, tmp_path):
    post_order(api, signed(ALICE, 1, False, 1_000, 5))
    api.close()
    reopened = open_venue(tmp_path / "venue.db", LOT_5)
    assert reopened.store.order(ALICE, 1).remaining == 5
    assert reopened.engine.book(0).depth().asks[0].size == 5


def test_flags_are_passed_to_the_operator(api):
    post_order(api, signed(ALICE, 1, False, 1_000, 5))
    status, ioc = post_order(api, signed(BOB, 1, True, 1_000, 8), time_in_force="IOC")
    assert (status, ioc["status"], ioc["filled"], ioc["cancelled"]) == (200, "cancelled", 5, 3)
    assert ioc["cancels"][0]["size"] == 3
    status, bid = post_order(api, signed(BOB, 2, True, 1_000, 1), post_only=True)
    assert (status, bid["status"]) == (200, "resting")  # the ask is gone: nothing to cross
    status, crossing = post_order(api, signed(ALICE, 2, False, 1_000, 1), post_only=True)
    assert (status, crossing["error"]) == (422, RejectReason.POST_ONLY_WOULD_CROSS)


def test_a_signed_cancel_takes_the_order_off_the_book(api):
    post_order(api, signed(ALICE, 1, False, 1_000, 5))
    status, refused, _ = call(api, "POST", "/orders/cancel", signed_cancel(ALICE, 1, BOB_KEY))
    assert (status, refused["error"]) == (422, Refusal.BAD_SIGNATURE)
    assert ok(api, "POST", "/orders/cancel", signed_cancel(ALICE, 1, ALICE_KEY)) == {
        "account": ALICE, "order_id": 1, "status": "cancelled", "cancelled": 5,
    }  # fmt: skip
    assert ok(api, "GET", "/books/0")["asks"] == []
    assert ok(api, "GET", f"/orders/{ALICE}/1")["status"] == "cancelled"
    status, again, _ = call(api, "POST", "/orders/cancel", signed_cancel(ALICE, 1, ALICE_KEY))
    assert (status, again["error"]) == (422, RejectReason.UNKNOWN_ORDER)


REFUSALS = {  # (account, order id, is_buy, price, amount), other order fields, the reason
    "bad signature": ((ALICE, 1, False, 1_000, 5), {"key": BOB_KEY}, Refusal.BAD_SIGNATURE),
    "unknown account": ((CAROL, 1, True, 1_000, 5), {"key": CAROL_KEY}, Refusal.UNKNOWN_ACCOUNT),
    "expired": ((ALICE, 1, False, 1_000, 5), {"expiry": 100}, RejectReason.EXPIRED),  # oracle time is 100
    "off tick": ((ALICE, 1, False, 1_005, 5), {}, RejectReason.PRICE_OFF_TICK),
    "off lot": ((ALICE, 1, False, 50, 7), {"market": 1}, RejectReason.SIZE_OFF_LOT),
    "insufficient margin": ((BOB, 1, True, 1_000, 50), {}, Refusal.INSUFFICIENT_MARGIN),  # 50,000 at 10%
    "unknown market": ((ALICE, 1, False, 1_000, 5), {"market": 2}, RejectReason.UNKNOWN_MARKET),
    "zero price": ((ALICE, 1, False, 0, 5), {}, RejectReason.NON_POSITIVE_PRICE),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_the_operator_refusal_reason_comes_back_as_422(api, case):
    args, fields, reason = REFUSALS[case]
    order = signed(*args, **fields)
    status, body = post_order(api, order)
    assert status == 422
    assert body["error"] == reason
    assert body["reason"] == reason.name.lower()
    assert ok(api, "GET", "/books/0") == {"market": 0, "bids": [], "asks": []}
    assert call(api, "GET", f"/orders/{order.order.account}/1")[0] == 404


def test_a_replayed_order_is_refused(api):
    order = signed(ALICE, 1, False, 1_000, 5)
    assert post_order(api, order)[0] == 200
    status, body = post_order(api, order)
    assert (status, body["error"]) == (422, RejectReason.DUPLICATE_ORDER_ID)
    assert ok(api, "GET", "/books/0")["asks"] == [{"price": 1_000, "size": 5, "orders": 1}]


# --- malformed requests ---------------------------------------------------------------------------

FAKE_SIGNATURE = {"R8x": "1", "R8y": "2", "S": "3"}
WELL_FORMED = {"account": ALICE, "market": 0, "is_buy": False, "price": 1_000, "amount": 5, "order_id": 1,
               "expiry": 10_000, "signature": FAKE_SIGNATURE}  # fmt: skip


def changed(**fields) -> bytes:
    return json.dumps({**WELL_FORMED, **fields}).encode()


def signed_with(**parts) -> bytes:
    return changed(signature={**FAKE_SIGNATURE, **parts})


def without(name: str) -> bytes:
    return json.dumps({k: v for k, v in WELL_FORMED.items() if k != name}).encode()


MALFORMED = {
    "truncated JSON": (b'{"account": 3,', "malformed JSON: Expecting property name"),
    "not JSON": (b"account=3", "malformed JSON"),
    "not an object": (b"[1, 2]", "body must be an object, got an array"),
    "not UTF-8": (b'{"account": "\xff"}', "body is not UTF-8"),
    "unknown field": (changed(leverage=10), "unknown field leverage"),
    "missing field": (without("expiry"), "missing field expiry"),
    "duplicate field": (b'{"account": 3, "account": 4}', "field 'account' given twice"),
    "string for integer": (changed(price="1000"), "price must be an integer, got a string"),
    "boolean for integer": (changed(account=True), "account must be an integer, got a boolean"),
    "float": (changed(amount=5.0), "numbers must be integers, got 5.0"),
    "NaN": (changed().replace(b'"amount": 5', b'"amount": NaN'), "numbers must be integers, got NaN"),
    "integer for boolean": (changed(is_buy=1), "is_buy must be true or false, got an integer"),
    "null": (changed(market=None), "market must be an integer, got null"),
    "negative account": (changed(account=-1), "account must be in [0, 2^24), got -1"),
    "order id too wide": (changed(order_id=1 << 24), "order_id must be in [0, 2^24)"),
    "price too wide": (changed(price=1 << 63), "price must be in [0, 2^63)"),
    "expiry too wide": (changed(expiry=1 << 32), "expiry must be in [0, 2^32)"),
    "market too wide": (changed(market=128), "market must be in [0, 128), got 128"),
    "huge integer": (changed().replace(b'"price": 1000', b'"price": ' + b"9" * 5000), "malformed JSON"),
    "unknown time in force": (
        changed(time_in_force="FOK"),
        'time_in_force must be one of GTC, IOC, got "FOK"',
    ),
    "signature not an object": (changed(signature="0x12"), "signature must be an object, got a string"),
    "signature part missing": (changed(signature={"R8x": "1", "R8y": "2"}), "missing field signature.S"),
    "signature extra part": (signed_with(A="1"), "unknown field signature.A"),
    "signature as number": (signed_with(S=3), "signature.S must be a decimal string"),
    "signature in hex": (signed_with(R8x="0x1"), "signature.R8x must be a decimal"),
    "signature leading zero": (signed_with(S="03"), "without leading zeros"),
    "signature above field": (signed_with(R8y=str(FR)), "below the field modulus"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_order_is_refused_with_400(api, case):
    body, message = MALFORMED[case]
    status, answer, _ = call(api, "POST", "/orders", raw=body)
    assert status == 400
    assert message in answer["error"]
    assert "\n" not in answer["error"]


def test_deep_nesting_is_a_400_not_a_fault(api):
    status, answer, _ = call(api, "POST", "/orders", raw=b"[" * 8_000 + b"]" * 8_000)
    assert status == 400  # the parser's depth limit, or (where the recursion limit was raised) not an object
    assert answer["error"] in ("malformed JSON: nested too deeply", "body must be an object, got an array")


def test_a_malformed_cancel_is_refused_with_400(api):
    status, answer, _ = call(api, "POST", "/orders/cancel", {"account": ALICE, "order_id": 1})
    assert (status, answer["error"]) == (400, "missing field signature")
    status, answer, _ = call(api, "POST", "/orders/cancel", {**WELL_FORMED})
    assert (status, answer["error"]) == (400, "unknown field amount")


def test_the_body_is_capped(api):
    body = changed(pad="x" * MAX_BODY_BYTES)
    status, answer, headers = call(api, "POST", "/orders", raw=body)
    assert status == 413
    assert str(MAX_BODY_BYTES) in answer["error"]
    assert headers["Connection"] == "close"


def test_only_json_bodies_of_known_length(api):
    status, answer, _ = call(api, "POST", "/orders", raw=b"{}", headers={"Content-Type": "text/plain"})
    assert (status, answer["error"]) == (415, "body must be application/json, not text/plain")
    assert call(api, "GET", "/status", raw=b"{}")[0] == 400  # GET takes no body
    connection = http.client.HTTPConnection(*api.server_address[:2], timeout=30)
    connection.putrequest("POST", "/orders")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 411
    connection.close()


def test_errors_keep_the_connection_usable(api):
    connection = http.client.HTTPConnection(*api.server_address[:2], timeout=30)
    order = json.dumps(order_json(signed(ALICE, 1, False, 1_000, 5))).encode()
    for body, expected in ((b"{", 400), (order, 200), (b"[]", 400)):
        connection.request("POST", "/orders", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        assert response.status == expected
    connection.request("GET", "/books/0")
    assert json.loads(connection.getresponse().read())["asks"][0]["size"] == 5
    connection.close()


# --- reads ----------------------------------------------------------------------------------------


def test_books_take_a_depth(api):
    for order_id, price in enumerate((1_000, 1_010, 1_020), start=1):
        post_order(api, signed(ALICE, order_id, False, price, 1))
    asks = ok(api, "GET", "/books/0?depth=2")["asks"]
    assert [level["price"] for level in asks] == [1_000, 1_010]
    for query, message in (
        ("depth=0", "depth must be in [1, 100], got 0"),
        ("depth=x", "depth must be a"),
        ("side=buy", "unknown query parameter 'side'"),
        ("depth=1&depth=2", "given twice"),
    ):
        status, answer, _ = call(api, "GET", f"/books/0?{query}")
        assert status == 400 and message in answer["error"], query


def test_markets_and_status(api):
    markets = ok(api, "GET", "/markets")
    assert [(m["market"], m["price"], m["tick"], m["lot"]) for m in markets] == [
        (0, 1_000, 10, 1),
        (1, 50, 10, 5),
    ]
    status = ok(api, "GET", "/status")
    root = api.operator.call(lambda op: op.root)
    assert status["root"] == f"0x{root:064x}"
    assert (status["now"], status["markets"], status["deposits"]) == (100, 2, 2)
    assert status["open_batch"] == {"id": 1, "ops": 2}
    assert status["batches"] == {"sealed": 0, "proved": 0, "submitted": 0, "settled": 0}


def test_a_full_batch_is_listed_sealed(api):
    post_order(api, signed(ALICE, 1, False, 1_000, 5))
    assert post_order(api, signed(BOB, 1, True, 1_000, 1))[1]["sealed_batches"] == []
    _, sealing = post_order(api, signed(BOB, 2, True, 1_000, 1))  # the second trade fills the batch
    assert sealing["sealed_batches"] == [1]
    [batch] = ok(api, "GET", "/batches")
    assert (batch["id"], batch["status"], batch["old_root"]) == (1, "sealed", None)
    detail = ok(api, "GET", "/batches/1")
    assert detail["slots"] == [None, None, "deposit", "deposit", "trade", "trade"]
    assert ok(api, "GET", "/batches/2") == {"id": 2, "status": "open", "opened_at": None, "slots": [None] * 6}
    assert ok(api, "GET", "/batches?status=proved") == []
    assert ok(api, "GET", "/batches?after=1") == []
    assert ok(api, "GET", "/status")["batches"]["sealed"] == 1
    status, answer, _ = call(api, "GET", "/batches?status=done")
    assert status == 400 and "status must be one of sealed" in answer["error"]


def test_an_applied_batch_shows_its_roots_and_pubdata(tmp_path):
    """The pipeline (without a prover) solves the batch circuit: the roots it records are served."""
    with start(tmp_path, with_shape(("deposit", "deposit"))) as server:  # the two deposits seal it
        genesis_root = GENESIS.state().root
        sealed_root = server.operator.call(lambda op: op.sealed_state.root)
        assert server.operator.call(lambda op: op.run_pipeline()) == {1: "sealed"}
        batch = ok(server, "GET", "/batches/1")
    assert (batch["old_root"], batch["new_root"]) == (f"0x{genesis_root:064x}", f"0x{sealed_root:064x}")
    assert batch["commitment"].startswith("0x") and len(batch["pubdata"]) > 2
    assert batch["proof"] is None


def test_a_partial_batch_is_sealed_at_its_deadline(tmp_path):
    with start(tmp_path, replace(LOT_5, deadline=0.05), funds={ALICE: 10_000}, tick_interval=0.02) as server:
        deadline = time.monotonic() + 10
        while ok(server, "GET", "/status")["batches"]["sealed"] == 0:
            assert time.monotonic() < deadline, "the batch was never sealed"
            time.sleep(0.02)
        assert ok(server, "GET", "/batches/1")["slots"][2] == "deposit"


# --- HTTP errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path, message", [
    ("/", "no such endpoint: /"), ("/orders/3", "no such endpoint"), ("/status/", "no such endpoint"),
    ("/books/7", "unknown market 7"), (f"/accounts/{CAROL}", f"unknown account {CAROL}"),
    ("/batches/99", "no batch 99"), (f"/orders/{ALICE}/99", f"no order 99 of account {ALICE}"),
])  # fmt: skip
def test_unknown_things_are_404(api, path, message):
    status, answer, _ = call(api, "GET", path)
    assert status == 404 and message in answer["error"]


@pytest.mark.parametrize("path", ["/books/-1", "/accounts/x", "/batches/01", "/orders/3/1e3"])
def test_path_numbers_must_be_decimal(api, path):
    status, answer, _ = call(api, "GET", path)
    assert status == 400 and "must be a non-negative decimal integer" in answer["error"]


@pytest.mark.parametrize("method, path, allowed", [
    ("GET", "/orders", "POST"), ("GET", "/orders/cancel", "POST"), ("DELETE", f"/orders/{ALICE}/1", "GET"),
    ("POST", "/status", "GET"), ("PUT", "/books/0", "GET"), ("PATCH", "/batches", "GET"),
])  # fmt: skip
def test_a_wrong_method_is_405(api, method, path, allowed):
    status, answer, headers = call(api, method, path, raw=b"" if method != "GET" else None)
    assert status == 405
    assert headers["Allow"] == allowed
    assert answer["error"] == f"{path} takes {allowed}, not {method}"


# --- serving --------------------------------------------------------------------------------------


def test_concurrent_orders_are_all_acknowledged_and_stored(api):
    asks = [signed(ALICE, i, False, 1_000 + 10 * i, 1) for i in range(1, 5)]  # four fill slots an account
    bids = [signed(BOB, i, True, 1_000 - 10 * i, 1) for i in range(1, 5)]
    orders = asks + bids
    statuses = {}

    def submit(order):
        statuses[order.order.account, order.order.order_id] = post_order(api, order)[0]

    threads = [threading.Thread(target=submit, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == {(order.order.account, order.order.order_id): 200 for order in orders}
    book = ok(api, "GET", "/books/0")
    assert [level["price"] for level in book["asks"]] == [1_010, 1_020, 1_030, 1_040]
    assert [level["price"] for level in book["bids"]] == [990, 980, 970, 960]
    assert {ok(api, "GET", f"/orders/{o.order.account}/{o.order.order_id}")["status"] for o in orders} == {
        "resting"
    }


def zkclear(*args: str) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "cli.py", *args], cwd=root, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_zkclear_serve_is_the_one_writer_until_interrupted_and_reads_go_on(tmp_path):
    venue = open_venue(tmp_path / "venue.db")
    fund(venue, {ALICE: 10_000})
    venue.close()
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "cli.py", "serve", "--venue", str(tmp_path), "--port", "0"],
                               cwd=root, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = process.stderr.readline()
        assert line.startswith("serving "), line
        url = line.split(" on ")[1].split()[0]
        order = json.dumps(order_json(signed(ALICE, 1, False, 1_000, 5))).encode()
        request = urllib.request.Request(url + "/orders", order, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.loads(response.read())["status"] == "resting"
        refusal = (f"Error: {tmp_path / 'venue.db'}: the venue is open for writing by process {process.pid} "
                   "(is `zkclear serve` running?)")  # fmt: skip
        for writer in (("batch", "seal"), ("serve", "--port", "0")):  # a venue command that writes, a server
            done = zkclear(*writer, "--venue", str(tmp_path))
            assert (done.returncode, done.stderr.strip()) == (2, refusal)
        reader = zkclear("book", "0", "--json", "--venue", str(tmp_path))  # one that reads: the server's book
        assert reader.returncode == 0, reader.stderr
        assert json.loads(reader.stdout)["asks"] == [{"price": 1_000, "size": 5, "orders": 1}]
        status = json.loads(zkclear("status", "--json", "--venue", str(tmp_path)).stdout)
        assert (status["deposits"], status["resting_orders"]) == (1, 1)
    finally:
        process.terminate()  # SIGTERM, as a service manager stops it (Ctrl-C does the same)
        assert process.wait(timeout=30) == 0
    reopened = Operator.open(tmp_path / "venue.db")  # writable once it stopped
    assert reopened.store.order(ALICE, 1).remaining == 5
    reopened.close()


def serve_error(*args: str) -> str:
    """The one line ``zkclear serve ARGS`` fails with (exit code 2)."""
    done = zkclear("serve", *args)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    return line


def test_zkclear_serve_refuses_what_is_not_a_venue_or_a_free_port(api, tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "venue.db").write_bytes(b"not a database at all")
    assert (
        serve_error("--venue", str(tmp_path / "junk"))
        == f"Error: {tmp_path / 'junk' / 'venue.db'}: file is not a database"
    )
    assert "no venue here (run init first)" in serve_error("--venue", str(tmp_path / "nowhere"))
    host, port = api.server_address[:2]
    line = serve_error("--venue", str(tmp_path), "--host", host, "--port", str(port))
    assert line.startswith(f"Error: cannot listen on {host}:{port}: ")


def test_a_fault_in_the_operator_is_a_500_without_details(api):
    api.operator.call(lambda op: op.store.close())  # the database goes away under the operator
    status, answer, _ = call(api, "POST", "/orders", order_json(signed(ALICE, 1, False, 1_000, 5)))
    assert (status, answer) == (500, {"error": "internal error"})


def test_a_burst_of_clients_connects_at_once_while_the_process_is_busy(api):
    """64 clients connecting together are all queued for accept: none waits for a retransmission."""
    times: list[float] = []

    def connect() -> None:
        began = time.perf_counter()
        with socket.create_connection(api.server_address[:2], timeout=10):
            times.append(time.perf_counter() - began)
            time.sleep(1)

    def busy() -> None:  # holds the GIL most of the time, as intake does: accepts come slowly
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            sum(range(1_000))

    threads = [threading.Thread(target=busy)] + [threading.Thread(target=connect) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(times) == 64 and max(times) < 0.5
