"""Operator intake: signed orders through ``Operator.place`` with every check and a durable store.

Run from the repository root: ``python -m benchmarks.operator_intake [--orders 1000]``. Prints a
table and writes ``benchmarks/results/operator_intake.json``. Each order is checked (EdDSA
signature, fill slot, expiry, margin at the door, each fill again as a trade), matched, committed
to SQLite (WAL, synchronous FULL) and only then acknowledged; clients sign before the clock starts.
Accounts keep at most a few orders open (one per fill slot), cancelling their oldest (signed) first.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from pathlib import Path

from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets import eddsa
from rollup.exchange.operations import Order
from rollup.operator.genesis import Genesis
from rollup.operator.operator import Operator, cancel_message
from rollup.rejections import OrderRejected

RESULTS = Path(__file__).resolve().parent / "results" / "operator_intake.json"
MARKET = dict(price=10_000, price_time=0, funding_index=0, imr=100_000, mmr=50_000, tick=10, lot=1, fee=1_000,
              max_move=200_000, max_funding=10_000, penalty=30_000, liq_fee=10_000)  # fmt: skip
OPEN_PER_ACCOUNT = 8  # of the 16 fill slots of order_depth 2


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def run(n_orders: int, n_accounts: int, seed: int) -> dict:
    rng = random.Random(seed)
    keys = {a: rng.randbytes(32) for a in range(1, n_accounts + 1)}
    shape = BatchShape(("oracle", "liquidate") + ("deposit",) * 4 + ("trade",) * 16)
    config = ExchangeConfig(n_markets=1)  # production depths: 4^10 accounts, 16 fill slots each
    genesis = Genesis(config, (MARKET,), eddsa.public_key(rng.randbytes(32)), shape, 0, deadline=1e9)
    commands = []  # ("order", signed) or ("cancel", account, order_id, signature), signed ahead of time
    open_ids: dict[int, list[int]] = {a: [] for a in keys}
    next_id = dict.fromkeys(keys, 1)
    for _ in range(n_orders):
        account = rng.choice(list(keys))
        is_buy = rng.random() < 0.5
        price = MARKET["price"] + 10 * (rng.randint(-5, 2) if is_buy else rng.randint(-2, 5))
        order = Order(account, 0, is_buy, price, rng.randint(1, 10), next_id[account], (1 << 32) - 1)
        commands.append(("order", order.sign(keys[account])))
        open_ids[account].append(next_id[account])
        next_id[account] += 1
        if len(open_ids[account]) >= OPEN_PER_ACCOUNT:
            oldest = open_ids[account].pop(0)
            commands.append(
                ("cancel", account, oldest, eddsa.sign(keys[account], cancel_message(account, oldest)))
            )
    with tempfile.TemporaryDirectory() as scratch:
        op = Operator.create(Path(scratch) / "venue.db", genesis)
        for queue_index, (account, key) in enumerate(keys.items()):
            op.deposit(queue_index, account, eddsa.public_key(key), 10**12)
        latencies, fills, cancels, refused = [], 0, 0, {}
        started = time.perf_counter()
        for command in commands:
            t = time.perf_counter()
            try:
                if command[0] == "order":
                    fills += len(op.place(command[1]).result.fills)
                else:
                    op.cancel(*command[1:])
                    cancels += 1
            except OrderRejected as rejection:
                reason = f"{command[0]}: {rejection.reason}"
                refused[reason] = refused.get(reason, 0) + 1
            if command[0] == "order":
                latencies.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
        batches = len(op.store.batches())
    signed = commands[0][1]
    t = time.perf_counter()
    for _ in range(20):
        eddsa.verify(signed.order.message(), signed.signature, eddsa.public_key(keys[signed.order.account]))
    verify_ms = (time.perf_counter() - t) / 20 * 1e3
    latencies.sort()
    return {
        "orders": n_orders, "accounts": n_accounts, "fills": fills, "cancels": cancels, "refused": refused,
        "batches_sealed": batches, "seconds": round(elapsed, 2),
        "orders_per_second": round(n_orders / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1e3, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1e3, 2),
        "eddsa_verify_ms": round(verify_ms, 2), "python": platform.python_version(),
        "note": "one process, Python EdDSA verification; cancels timed in the total, not in the percentiles",
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args.orders, args.accounts, args.seed)
    for name, value in result.items():
        print(f"{name:>18}  {value}")
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
