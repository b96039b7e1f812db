"""The HTTP API's cost over the operator: round trips of a few request kinds on one keep-alive
connection to a real server over a real store, and signed orders placed end to end.

Run from the repository root: ``python -m benchmarks.http_api [--requests 2000] [--clients 4] [--pairs 50]``.
Prints a table and writes ``benchmarks/results/http_api.json``. The kinds:

- ``read``: GET /books/0, a read through the operator's thread;
- ``malformed``: POST /orders with a string price, refused (400) by parsing alone;
- ``refused``: POST /orders off the market's tick, refused (422) by the operator before any
  signature check: HTTP, parsing and the operator thread's round trip;
- ``concurrent``: the ``refused`` request from ``--clients`` connections at once (rate by the wall
  clock: the operator thread serialises them);
- ``placed``: ``--pairs`` pairs of signed orders, each pair crossing and filling (signature checks,
  margin, matching, the trade queued and committed to SQLite), signed before timing starts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path

from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets import eddsa
from rollup.exchange.operations import Order
from rollup.operator.api_requests import order_json
from rollup.operator.genesis import Genesis
from rollup.operator.http_api import ApiServer
from rollup.operator.operator import Operator

RESULTS = Path(__file__).resolve().parent / "results" / "http_api.json"
SELLER, BUYER = 1, 2
KEYS = {SELLER: bytes([1]) * 32, BUYER: bytes([2]) * 32}
MARKET = dict(price=1_000, price_time=100, funding_index=0, imr=100_000, mmr=50_000, tick=10, lot=1,
              fee=1_000, max_move=200_000, max_funding=10_000, penalty=30_000, liq_fee=10_000)  # fmt: skip
GENESIS = Genesis(ExchangeConfig(n_markets=1, account_depth=2, order_depth=2), (MARKET,),
                  eddsa.public_key(bytes([9]) * 32), BatchShape(("deposit", "deposit") + ("trade",) * 6),
                  liquidator=3)  # fmt: skip


def open_operator(path: Path) -> Operator:
    operator = Operator.create(path, GENESIS)
    for queue_index, account in enumerate((SELLER, BUYER)):
        operator.deposit(queue_index, account, eddsa.public_key(KEYS[account]), 10**12)
    return operator


def timed(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
          expected: int) -> float:  # fmt: skip
    """Milliseconds of one round trip; the status must be ``expected``."""
    started = time.perf_counter()
    connection.request(method, path, body, {"Content-Type": "application/json"} if body else {})
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1e3
    if response.status != expected:
        raise RuntimeError(f"{method} {path}: {response.status}, expected {expected}")
    return elapsed


def summary(latencies_ms: list[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)
    return {
        "requests": len(ordered),
        "per_second": 1e3 * len(ordered) / sum(ordered),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
    }


def concurrent(address: tuple[str, int], n_clients: int, n_requests: int, body: bytes) -> dict[str, float]:
    """``n_requests`` refused orders from ``n_clients`` keep-alive connections in parallel."""
    latencies: list[float] = []

    def client() -> None:
        connection = http.client.HTTPConnection(*address, timeout=60)
        mine = [timed(connection, "POST", "/orders", body, 422) for _ in range(n_requests // n_clients)]
        connection.close()
        latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(n_clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return summary(latencies) | {"per_second": len(latencies) / wall, "clients": n_clients}


def signed_pairs(n_pairs: int) -> list[bytes]:
    """Bodies of ``n_pairs`` (ask, crossing bid) pairs, one lot each, order ids 1..n_pairs."""
    bodies = []
    for order_id in range(1, n_pairs + 1):
        for account, is_buy in ((SELLER, False), (BUYER, True)):
            order = Order(account, 0, is_buy, 1_000, 1, order_id, 10_000).sign(KEYS[account])
            bodies.append(json.dumps(order_json(order)).encode())
    return bodies


def run(n_requests: int, n_clients: int, n_pairs: int) -> dict[str, object]:
    print(f"signing {2 * n_pairs} orders...", flush=True)
    bodies = signed_pairs(n_pairs)
    off_tick = json.loads(bodies[0]) | {"price": 1_005, "order_id": 10**6}
    malformed = json.dumps(json.loads(bodies[0]) | {"price": "1000"}).encode()
    results: dict[str, object] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        ApiServer(lambda: open_operator(Path(tmp) / "venue.db")) as server,
    ):
        server.start()
        connection = http.client.HTTPConnection(*server.server_address[:2], timeout=60)
        results["read"] = summary(
            [timed(connection, "GET", "/books/0", None, 200) for _ in range(n_requests)]
        )
        results["malformed"] = summary([timed(connection, "POST", "/orders", malformed, 400)
                                        for _ in range(n_requests)])  # fmt: skip
        results["refused"] = summary([timed(connection, "POST", "/orders", json.dumps(off_tick).encode(), 422)
                                      for _ in range(n_requests)])  # fmt: skip
        results["concurrent"] = concurrent(server.server_address[:2], n_clients, n_requests,
                                           json.dumps(off_tick).encode())  # fmt: skip
        results["placed"] = summary([timed(connection, "POST", "/orders", body, 200) for body in bodies])
        batches = server.operator.call(lambda op: len(op.store.batches()))
        connection.close()
    return {
        "benchmark": "http_api", "python": platform.python_version(), "machine": platform.machine(),
        "requests": n_requests, "pairs": n_pairs, "sealed_batches": batches, **results,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2_000, help="round trips of each cheap kind")
    parser.add_argument("--clients", type=int, default=4, help="connections of the concurrent kind")
    parser.add_argument("--pairs", type=int, default=50, help="crossing pairs of signed orders placed")
    args = parser.parse_args()
    result = run(args.requests, args.clients, args.pairs)
    print(f"{'kind':<10} {'requests':>8} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for kind in ("read", "malformed", "refused", "concurrent", "placed"):
        row = result[kind]
        rate, p50, p99 = row["per_second"], row["p50_ms"], row["p99_ms"]
        print(f"{kind:<10} {row['requests']:>8} {rate:>9.0f} {p50:>8.2f} {p99:>8.2f}")
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
