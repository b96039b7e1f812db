"""The operator's HTTP JSON API (standard library only): clients place and cancel signed orders,
withdraw, relay signed oracle prices, and read books, accounts, orders and batches; the admin (by
bearer token) posts funding ticks and deposits. docs/http_api.md lists the endpoints.

Every call into the operator runs on one thread that owns it (OperatorThread): the operator is not
thread-safe, so handler threads queue their calls there. Orders and cancels waiting in that queue
back to back are taken together, up to ``INTAKE_BATCH`` of them, as one micro-batch
(``Operator.submit_many_later``: one signature pass, one commit, on the store's committer thread
while the next micro-batch is matched). An order is acknowledged (200) only after the store
committed its micro-batch.
"""

from __future__ import annotations

import hmac
import json
import logging
import queue
import re
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from rollup.operator import api_views
from rollup.operator.api_requests import (
    MAX_BODY_BYTES,
    RequestError,
    parse_cancel,
    parse_deposit,
    parse_funding,
    parse_oracle,
    parse_place,
    parse_withdraw,
)
from rollup.operator.operator import CancelRequest, IntakeResult, Operator, PlaceRequest
from rollup.operator.store import BATCH_STATES
from rollup.rejections import OrderRejected, without_frames

log = logging.getLogger("zkclear.http")

T = TypeVar("T")

MAX_DEPTH = 100
MAX_BATCHES = 1000
DRAIN_LIMIT = 1 << 20  # bytes of an oversized body read (and dropped) before the answer; beyond, a reset


INTAKE_BATCH = 256  # most orders and cancels handed to the operator as one micro-batch (one commit)


@dataclass(frozen=True)
class Call:
    fn: Callable[[Operator], Any]
    future: Future


@dataclass(frozen=True)
class Intake:
    request: PlaceRequest | CancelRequest
    future: Future


class OperatorThread:
    """One operator, opened and called on a single thread of its own, in arrival order; orders and
    cancels queued back to back go to the operator together (up to ``max_batch``), as one
    micro-batch committed at once, and each caller gets its own request's result after that commit.
    ``after_each`` (if given) runs on that thread after each call or micro-batch (the venue's
    process freezes the survivors out of the collector's passes there: ``collector.py``)."""

    def __init__(self, open_operator: Callable[[], Operator], max_batch: int = INTAKE_BATCH,
                 after_each: Callable[[], None] | None = None) -> None:  # fmt: skip
        if max_batch < 1:
            raise ValueError("max_batch must be positive")
        self.max_batch, self.after_each = max_batch, after_each
        self._jobs: queue.SimpleQueue[Call | Intake | None] = queue.SimpleQueue()  # None: stop
        opened: Future[Operator] = Future()
        self._thread = threading.Thread(target=self._serve, args=(open_operator, opened), name="operator",
                                        daemon=True)  # fmt: skip
        self._thread.start()
        self.operator = opened.result()

    def call(self, fn: Callable[[Operator], T]) -> T:
        """``fn(operator)`` on the operator's thread, after the calls queued before it."""
        future: Future[T] = Future()
        self._jobs.put(Call(fn, future))
        return future.result()

    def submit(self, request: PlaceRequest | CancelRequest) -> IntakeResult:
        """The operator's answer to an order or cancel (Placed, Cancel or the refusal), once committed."""
        return self.submit_later(request).result()

    def submit_later(self, request: PlaceRequest | CancelRequest) -> Future[IntakeResult]:
        """Queue an order or cancel without waiting: the future holds the answer once committed."""
        future: Future[IntakeResult] = Future()
        self._jobs.put(Intake(request, future))
        return future

    def close(self) -> None:
        self.call(lambda operator: operator.store.close())
        self._jobs.put(None)
        self._thread.join()

    def _serve(self, open_operator: Callable[[], Operator], opened: Future) -> None:
        try:
            operator = open_operator()
        except BaseException as error:
            opened.set_exception(error)
            return
        opened.set_result(operator)
        taken: deque[Call | Intake | None] = deque()  # jobs out of the queue, not yet served, in order
        while True:
            job = taken.popleft() if taken else self._jobs.get()
            if job is None:
                return
            if isinstance(job, Call):
                settle([job.future], lambda fn: [fn(operator)], job.fn, before=operator.settle)
                self._after_each()
                continue
            batch = [job]
            while len(batch) < self.max_batch and (taken or not self._jobs.empty()):
                job = taken.popleft() if taken else self._jobs.get()
                if not isinstance(job, Intake):
                    taken.appendleft(job)
                    break
                batch.append(job)
            futures, requests = [i.future for i in batch], [i.request for i in batch]
            try:
                answers = operator.submit_many_later(requests, partial(self._arrived, taken))
            except BaseException as error:
                fail(futures, error)
            else:
                answers.add_done_callback(partial(settle, futures, Future.result))
            self._after_each()

    def _arrived(self, taken: deque[Call | Intake | None]) -> list[PlaceRequest | CancelRequest]:
        """What has queued up for the next micro-batch (moved to ``taken``): the requests it will hold."""
        while not self._jobs.empty():
            taken.append(self._jobs.get())
        upcoming = []
        for job in taken:
            if not isinstance(job, Intake) or len(upcoming) == self.max_batch:
                break
            upcoming.append(job.request)
        return upcoming

    def _after_each(self) -> None:
        if self.after_each is not None:
            self.after_each()


def settle(futures: list[Future], fn: Callable[[Any], list[Any]], argument: Any,
           before: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Settle each future with its item of what ``fn(argument)`` returns (``before()`` run first),
    or all with what they raise."""
    try:
        if before is not None:
            before()
        results = fn(argument)
    except BaseException as error:
        fail(futures, error)
    else:
        for future, result in zip(futures, results, strict=True):
            future.set_result(result)


def fail(futures: list[Future], error: BaseException) -> None:
    for future in futures:
        future.set_exception(error)


class ApiError(Exception):
    """An answer other than 200: ``status`` and a one-line ``message``."""

    def __init__(self, status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class Request:
    params: tuple[str, ...]  # the route's captured path segments
    query: dict[str, str]
    body: bytes


Handler = Callable[[OperatorThread, Request], Any]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    query: frozenset[str] = frozenset()  # the query parameters it takes
    admin: bool = False  # only with the operator-admin's bearer token


def index(name: str, text: str) -> int:
    """A path segment that must be a non-negative decimal integer."""
    if not re.fullmatch(r"0|[1-9][0-9]{0,17}", text):
        raise RequestError(f"{name} must be a non-negative decimal integer, got {text!r}")
    return int(text)


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    if name not in request.query:
        return default
    value = index(name, request.query[name])
    if not low <= value <= high:
        raise RequestError(f"{name} must be in [{low}, {high}], got {value}")
    return value


# --- handlers -----------------------------------------------------------------------------------


def acknowledged(result: IntakeResult) -> Any:
    """An accepted request's result; a refusal is raised (and answered 422)."""
    if isinstance(result, OrderRejected):
        raise result
    return result


def place_order(operator: OperatorThread, request: Request) -> Any:
    return api_views.placed(acknowledged(operator.submit(parse_place(request.body))))


def cancel_order(operator: OperatorThread, request: Request) -> Any:
    return api_views.cancelled(acknowledged(operator.submit(parse_cancel(request.body))))


def get_order(operator: OperatorThread, request: Request) -> Any:
    account, order_id = index("account", request.params[0]), index("order id", request.params[1])
    row = operator.call(lambda op: op.store.order(account, order_id))
    if row is None:
        raise ApiError(HTTPStatus.NOT_FOUND, f"no order {order_id} of account {account}")
    return api_views.order_status(row)


def get_book(operator: OperatorThread, request: Request) -> Any:
    market = index("market", request.params[0])
    depth = query_int(request, "depth", 10, 1, MAX_DEPTH)

    def read(op: Operator) -> Any:
        if market not in op.engine.markets:
            raise ApiError(HTTPStatus.NOT_FOUND, f"unknown market {market}")
        return api_views.book(op, market, depth)

    return operator.call(read)


def get_markets(operator: OperatorThread, request: Request) -> Any:
    return operator.call(api_views.markets)


def get_account(operator: OperatorThread, request: Request) -> Any:
    account = index("account", request.params[0])

    def read(op: Operator) -> Any:
        if account not in op.state.accounts:
            raise ApiError(HTTPStatus.NOT_FOUND, f"unknown account {account} (no deposit yet)")
        return api_views.account(op, account)

    return operator.call(read)


def get_batches(operator: OperatorThread, request: Request) -> Any:
    status = request.query.get("status")
    if status is not None and status not in BATCH_STATES:
        raise RequestError(f"status must be one of {', '.join(BATCH_STATES)}, got {status!r}")
    after = query_int(request, "after", 0, 0, 1 << 60)
    limit = query_int(request, "limit", 100, 1, MAX_BATCHES)
    rows = operator.call(lambda op: op.store.batches(status))
    return [api_views.batch_summary(row) for row in rows if row.id > after][:limit]


def get_batch(operator: OperatorThread, request: Request) -> Any:
    batch_id = index("batch id", request.params[0])

    def read(op: Operator) -> Any:
        if batch_id == op.batch.batch_id:
            return api_views.open_batch(op)
        row = op.store.batch(batch_id)
        if row is None:
            raise ApiError(HTTPStatus.NOT_FOUND, f"no batch {batch_id}")
        return api_views.batch_detail(op, row)

    return operator.call(read)


def get_status(operator: OperatorThread, request: Request) -> Any:
    return operator.call(api_views.status)


def post_withdrawal(operator: OperatorThread, request: Request) -> Any:
    w = parse_withdraw(request.body)
    return operator.call(
        lambda op: api_views.withdrawal(op, w.withdraw, w.nonce, op.withdraw(w.withdraw, w.nonce))
    )


def post_oracle_price(operator: OperatorThread, request: Request) -> Any:
    price = parse_oracle(request.body)
    return operator.call(lambda op: api_views.oracle_price(op, price, op.oracle(price)))


def post_funding_tick(operator: OperatorThread, request: Request) -> Any:
    tick = parse_funding(request.body)
    return operator.call(lambda op: api_views.funding_tick(op, tick, op.funding(tick)))


def post_deposit(operator: OperatorThread, request: Request) -> Any:
    d = parse_deposit(request.body)
    return operator.call(
        lambda op: api_views.deposit(op, d, op.deposit(d.queue_index, d.account, d.pk, d.amount))
    )


def route(method: str, path: str, handler: Handler, query: tuple[str, ...] = (),
          admin: bool = False) -> Route:  # fmt: skip
    """``path`` with ``{name}`` for a captured segment."""
    pattern = re.compile(re.sub(r"\{\w+\}", "([^/]+)", path))
    return Route(method, pattern, handler, frozenset(query), admin)


ROUTES = (
    route("POST", "/orders", place_order),
    route("POST", "/orders/cancel", cancel_order),
    route("GET", "/orders/{account}/{order_id}", get_order),
    route("GET", "/books/{market}", get_book, ("depth",)),
    route("GET", "/markets", get_markets),
    route("GET", "/accounts/{index}", get_account),
    route("GET", "/batches", get_batches, ("status", "after", "limit")),
    route("GET", "/batches/{id}", get_batch),
    route("GET", "/status", get_status),
    route("POST", "/withdrawals", post_withdrawal),
    route("POST", "/oracle/prices", post_oracle_price),
    route("POST", "/funding/ticks", post_funding_tick, admin=True),
    route("POST", "/deposits", post_deposit, admin=True),
)


def find_route(method: str, path: str) -> tuple[Route, tuple[str, ...]]:
    """The route for ``method`` and ``path``; 404 if no route has the path, 405 if none takes the method."""
    allowed = []
    for candidate in ROUTES:
        match = candidate.pattern.fullmatch(path)
        if match is None:
            continue
        if candidate.method == method:
            return candidate, match.groups()
        allowed.append(candidate.method)
    if not allowed:
        raise ApiError(HTTPStatus.NOT_FOUND, f"no such endpoint: {path}")
    methods = ", ".join(sorted(set(allowed)))
    raise ApiError(HTTPStatus.METHOD_NOT_ALLOWED, f"{path} takes {methods}, not {method}", {"Allow": methods})


def parse_query(text: str, allowed: frozenset[str]) -> dict[str, str]:
    try:
        pairs = parse_qs(text, keep_blank_values=True, strict_parsing=True) if text else {}
    except ValueError:
        raise RequestError(f"malformed query string {text!r}") from None
    for name, values in pairs.items():
        if name not in allowed:
            raise RequestError(f"unknown query parameter {name!r}")
        if len(values) > 1:
            raise RequestError(f"query parameter {name!r} given twice")
    return {name: values[0] for name, values in pairs.items()}


# --- the server ---------------------------------------------------------------------------------


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection carries many orders
    timeout = 30  # an idle or slow client is dropped after this many seconds
    disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart (delayed ACK)
    server: ApiServer

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        try:
            body = self._read_body(method)
            url = urlsplit(self.path)
            target, params = find_route(method, url.path)
            if target.admin:
                self._authorize()
            self._check_body(method, body)
            request = Request(params, parse_query(url.query, target.query), body)
            self._answer(HTTPStatus.OK, target.handler(self.server.operator, request))
        except ApiError as error:
            self._answer(error.status, {"error": str(error)}, error.headers)
        except RequestError as error:
            self._answer(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        except OrderRejected as refused:
            without_frames(refused)  # the operator's result, raised here: its frames would keep it in a cycle
            reason = refused.reason
            self._answer(HTTPStatus.UNPROCESSABLE_ENTITY,
                         {"error": str(reason), "reason": getattr(reason, "name", str(reason)).lower(),
                          "detail": refused.detail})  # fmt: skip
        except Exception:
            log.exception("%s %s failed", method, self.path)
            self._answer(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"})

    def _read_body(self, method: str) -> bytes:
        """The whole body; refused (and the connection closed) when it cannot be read safely."""
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            raise ApiError(HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not accepted: send Content-Length")
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if method == "POST":
                self.close_connection = True
                raise ApiError(HTTPStatus.LENGTH_REQUIRED, "a POST needs Content-Length")
            return b""
        if not length_text.isdigit() or len(length_text) > 12:
            self.close_connection = True
            raise RequestError(f"bad Content-Length {length_text!r}")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._discard(min(length, DRAIN_LIMIT))
            raise ApiError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                           f"body of {length} bytes exceeds the limit of {MAX_BODY_BYTES}")  # fmt: skip
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            raise RequestError(f"body ended after {len(body)} of {length} bytes")
        return body

    def _discard(self, length: int) -> None:
        """Read and drop a refused body, so the client sees the answer rather than a reset connection."""
        while length > 0:
            chunk = self.rfile.read(min(length, 64 * 1024))
            if not chunk:
                return
            length -= len(chunk)

    def _authorize(self) -> None:
        """An admin endpoint needs ``Authorization: Bearer <token>`` with the server's admin token."""
        token = self.server.admin_token
        if token is None:
            raise ApiError(HTTPStatus.FORBIDDEN, "admin endpoints are off: the server has no admin token")
        scheme, _, given = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            message = "an admin endpoint: send Authorization: Bearer <admin token>"
            raise ApiError(HTTPStatus.UNAUTHORIZED, message, {"WWW-Authenticate": 'Bearer realm="zkclear"'})

    def _check_body(self, method: str, body: bytes) -> None:
        if method != "POST" and body:
            raise RequestError(f"{method} takes no body")
        if method == "POST" and "Content-Type" in self.headers:
            content_type = self.headers.get_content_type()
            if content_type != "application/json":
                message = f"body must be application/json, not {content_type}"
                raise ApiError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, message)

    def _answer(self, status: HTTPStatus, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


class ListenError(OSError):
    """The server's address cannot be bound (in use, not local, no permission)."""


class ApiServer(ThreadingHTTPServer):
    """The API over one operator; ``tick_interval`` (seconds) seals batches whose deadline passed;
    ``admin_token`` enables the admin endpoints (deposits, funding ticks) for its bearer; ``max_batch``
    bounds the orders and cancels committed together; ``after_each`` is the operator thread's
    (:class:`OperatorThread`)."""

    daemon_threads = True
    request_queue_size = 128  # connections waiting to be accepted (socketserver's 5 makes a burst of
    # clients connecting at once, while the process is busy, wait a second for a SYN retransmission)

    def __init__(self, open_operator: Callable[[], Operator], host: str = "127.0.0.1", port: int = 0,
                 tick_interval: float | None = None, admin_token: str | None = None,
                 max_batch: int = INTAKE_BATCH,
                 after_each: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.admin_token = admin_token
        try:
            super().__init__((host, port), ApiHandler)
        except OSError as error:
            raise ListenError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
        try:
            self.operator = OperatorThread(open_operator, max_batch, after_each)
        except BaseException:
            self.server_close()
            raise
        self._stopped = threading.Event()
        self._serving: threading.Thread | None = None
        self._ticker: threading.Thread | None = None
        if tick_interval is not None:
            self._ticker = threading.Thread(target=self._tick, args=(tick_interval,), daemon=True)
            self._ticker.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Serve on a background thread (``close`` stops it)."""
        self._serving = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._serving.start()

    def _tick(self, interval: float) -> None:
        while not self._stopped.wait(interval):
            try:
                sealed = self.operator.call(lambda op: op.tick())
            except Exception:
                log.exception("sealing on deadline failed")
                continue
            if sealed is not None:
                log.info("sealed batch %d (deadline)", sealed)

    def close(self) -> None:
        """Stop serving and sealing, close the socket and the operator's store (once; again does nothing)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._serving is not None:
            self.shutdown()
            self._serving.join()
        if self._ticker is not None:
            self._ticker.join()
        self.server_close()
        self.operator.close()

    def __enter__(self) -> ApiServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
