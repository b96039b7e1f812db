"""The operator's state engine: what ``Operator.place`` costs per order and per fill once the
orders' signatures are known to be valid.

Run from the repository root: ``python -m benchmarks.operator_state [--orders 2000 --accounts 1000]``.
Prints a table and writes ``benchmarks/results/operator_state.json``. Every order's signature IS
verified, but before the clock starts (``signature_valid`` remembers each result, as a batched
pre-check would leave it); the timed part is the rest of ``place``: order checks, margin, matching,
each fill checked as a trade on the state the earlier ones leave, batching and sealing (state roots
included), and the SQLite commit (WAL, synchronous FULL: one fsync per order, in the folder
``--store-dir``; on a memory file system such as /dev/shm the fsync is free and what remains is the
state engine's cost). Production tree depths (``ExchangeConfig()``), one market.

The cost per order and per fill is the least-squares line latency = a + b·fills over all orders,
in wall time and in the thread's CPU time (on a busy machine the wall time also holds the time the
process waited for a core); medians of orders with no fill and with one fill are shown beside it.
Sealing leaves the state root to the pipeline: ``then_root_ms`` is the time the root of the last
sealed state then takes, which hashes every account and tree node the timed orders changed.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from pathlib import Path

from benchmarks.operator import MARKET, percentile
from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets import eddsa
from rollup.exchange.operations import Order, SignedOrder
from rollup.operator.genesis import Genesis
from rollup.operator.operator import Operator
from rollup.operator.validity import signature_valid
from rollup.rejections import OrderRejected

RESULTS = Path(__file__).resolve().parent / "results" / "operator_state.json"
SHAPE = BatchShape(("oracle", "liquidate") + ("deposit",) * 4 + ("trade",) * 16)


def signed_orders(rng: random.Random, keys: dict[int, bytes], n_orders: int) -> list[SignedOrder]:
    """Limit orders around the oracle price, each account's ids counting up (a fresh fill slot
    each, 16 slots: an account places at most 16 orders, so ``n_orders`` ≤ 16·accounts)."""
    next_id = dict.fromkeys(keys, 1)
    orders = []
    for _ in range(n_orders):
        account = rng.choice([a for a, n in next_id.items() if n <= 16])
        is_buy = rng.random() < 0.5
        price = MARKET["price"] + 10 * (rng.randint(-5, 2) if is_buy else rng.randint(-2, 5))
        order = Order(account, 0, is_buy, price, rng.randint(1, 10), next_id[account], (1 << 32) - 1)
        orders.append(order.sign(keys[account]))
        next_id[account] += 1
    return orders


def fit_line(xs: list[int], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b·x."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return my - b * mx, b


def run(n_orders: int, n_accounts: int, seed: int, store_dir: str | None = None) -> dict:
    rng = random.Random(seed)
    keys = {a: rng.randbytes(32) for a in range(1, n_accounts + 1)}
    genesis = Genesis(ExchangeConfig(n_markets=1), (MARKET,), eddsa.public_key(rng.randbytes(32)), SHAPE, 0,
                      deadline=1e9)  # fmt: skip
    orders = signed_orders(rng, keys, n_orders)
    public = {a: eddsa.public_key(k) for a, k in keys.items()}
    for signed in orders:  # verified once, ahead of the clock
        assert signature_valid(signed.order.message(), signed.signature, public[signed.order.account])
    with tempfile.TemporaryDirectory(dir=store_dir) as scratch:
        op = Operator.create(Path(scratch) / "venue.db", genesis)
        t = time.perf_counter()
        for queue_index, account in enumerate(keys):
            op.deposit(queue_index, account, public[account], 10**12)
        deposit_ms = (time.perf_counter() - t) / n_accounts * 1e3
        op.root  # noqa: B018 (the deposits' hashes, and the hash kernels loaded, before the clock)
        sealed_before = len(op.store.batches())
        latencies, cpu_times, fill_counts, refused = [], [], [], {}
        started = time.perf_counter()
        for signed in orders:
            t, cpu = time.perf_counter(), time.thread_time()
            try:
                fills = len(op.place(signed).result.fills)
            except OrderRejected as rejection:
                fills = 0
                refused[str(rejection.reason)] = refused.get(str(rejection.reason), 0) + 1
            latencies.append(time.perf_counter() - t)
            cpu_times.append(time.thread_time() - cpu)
            fill_counts.append(fills)
        elapsed = time.perf_counter() - started
        t = time.perf_counter()
        op.seal()
        seal_ms = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        root = op.sealed_state.root  # the hashing place left for later (the pipeline takes each batch's)
        hashing_ms = (time.perf_counter() - t) * 1e3
        batches = len(op.store.batches()) - sealed_before
    per_order, per_fill = fit_line(fill_counts, latencies)
    cpu_per_order, cpu_per_fill = fit_line(fill_counts, cpu_times)
    one_fill = sorted(x for x, n in zip(latencies, fill_counts, strict=True) if n == 1)
    no_fill = sorted(x for x, n in zip(latencies, fill_counts, strict=True) if n == 0)
    ordered = sorted(latencies)
    return {
        "orders": n_orders, "accounts": n_accounts, "fills": sum(fill_counts), "refused": refused,
        "batches_sealed": batches, "seconds": round(elapsed, 2),
        "orders_per_second": round(n_orders / elapsed, 1),
        "us_per_order": round(per_order * 1e6, 1), "us_per_fill": round(per_fill * 1e6, 1),
        "cpu_us_per_order": round(cpu_per_order * 1e6, 1), "cpu_us_per_fill": round(cpu_per_fill * 1e6, 1),
        "median_us_no_fill": round(percentile(no_fill, 0.5) * 1e6, 1) if no_fill else None,
        "median_us_one_fill": round(percentile(one_fill, 0.5) * 1e6, 1) if one_fill else None,
        "p50_ms": round(percentile(ordered, 0.50) * 1e3, 3),
        "p99_ms": round(percentile(ordered, 0.99) * 1e3, 3), "max_ms": round(ordered[-1] * 1e3, 3),
        "last_seal_ms": round(seal_ms, 3), "then_root_ms": round(hashing_ms, 1),
        "then_root_us_per_fill": round(hashing_ms * 1e3 / max(1, sum(fill_counts)), 1),
        "deposit_ms": round(deposit_ms, 3), "state_root": hex(root),
        "store_dir": store_dir or tempfile.gettempdir(),
        "python": platform.python_version(),
        "note": "signatures verified before the clock (remembered by signature_valid); not in the times",
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store-dir", help="folder for the venue's SQLite files (default: the temp folder)")
    args = parser.parse_args()
    if not 0 < args.orders <= 16 * args.accounts:
        raise SystemExit("--orders must be in 1..16·accounts (each account has 16 fill slots)")
    result = run(args.orders, args.accounts, args.seed, args.store_dir)
    for name, value in result.items():
        print(f"{name:>18}  {value}")
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
