"""Operator throughput: random limit orders through the matching engine's Python API.

Run from the repository root: ``python -m benchmarks.operator [--orders 200000]``. Prints a table
and writes ``benchmarks/results/operator.json``. Measures the bare engine only: no signature,
nonce or margin checks, no HTTP, no persistence yet. The target for the whole operator is
2,000 orders/s with signature checks and p99 < 5 ms per order.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from rollup.matching import MatchingEngine
from rollup.order_checks import MarketSpec
from rollup.orders import Order, Side, TimeInForce
from rollup.rejections import OrderRejected

RESULTS = Path(__file__).resolve().parent / "results" / "operator.json"
TARGET_ORDERS_PER_SECOND = 2_000
TARGET_P99_MS = 5.0
NOTE = "bare matching engine: signature, nonce and margin checks not yet included"


@dataclass(frozen=True)
class Workload:
    """A scripted session: ("submit", Order) or ("cancel", (account, order_id)) at time = its index."""

    commands: list[tuple[str, object]]
    markets: list[MarketSpec]


def make_workload(n_orders: int, n_markets: int, n_accounts: int, cancel_ratio: float, seed: int) -> Workload:
    """Limit orders around a slowly drifting mid price, plus cancels of recent orders.

    Seven in ten orders are passive, a few ticks (half-normal, sd 30) behind the mid on their own
    side, and build a deep book; the rest are aggressive, up to a few ticks through the mid, and
    trade. A fifth are IOC, a tenth post-only, and one in twenty expires within 500 commands.
    """
    rng = random.Random(seed)
    markets = [MarketSpec(market, tick=10, lot=1) for market in range(1, n_markets + 1)]
    mids = {spec.market: 10_000 for spec in markets}
    commands: list[tuple[str, object]] = []
    submitted: list[tuple[int, int]] = []
    next_id = [0] * (n_accounts + 1)
    while len(submitted) < n_orders:
        now = len(commands)
        if submitted and rng.random() < cancel_ratio:
            commands.append(("cancel", rng.choice(submitted[-1_000:])))
            continue
        spec = rng.choice(markets)
        mids[spec.market] += rng.choice((-1, 0, 1))
        side = rng.choice((Side.BUY, Side.SELL))
        if rng.random() < 0.7:
            ticks = mids[spec.market] - side * (1 + round(abs(rng.gauss(0, 30))))
        else:
            ticks = mids[spec.market] + side * rng.randint(0, 5)
        account = rng.randint(1, n_accounts)
        next_id[account] += 1
        flavour = rng.random()
        order = Order(
            market=spec.market,
            account=account,
            order_id=next_id[account],
            side=side,
            price=spec.tick * max(1, ticks),
            size=spec.lot * rng.randint(1, 100),
            expires_at=now + (rng.randint(1, 500) if rng.random() < 0.05 else 10**9),
            time_in_force=TimeInForce.IOC if flavour < 0.2 else TimeInForce.GTC,
            post_only=flavour > 0.9,
        )
        commands.append(("submit", order))
        submitted.append(order.key)
    return Workload(commands, markets)


def percentile(sorted_values: list[int], fraction: float) -> int:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * fraction // 1))
    return sorted_values[int(rank) - 1]


def replay(workload: Workload, record_latency: bool) -> dict[str, object]:
    """Feed every command to a fresh engine; time each submit and cancel call when asked."""
    engine = MatchingEngine(workload.markets, position_of=lambda account, market: 0)
    submit_ns: list[int] = []
    cancel_ns: list[int] = []
    counts = {"accepted": 0, "rejected": 0, "fills": 0, "lots_filled": 0, "cancels": 0, "unknown_cancels": 0}
    clock = time.perf_counter_ns
    for now, (kind, payload) in enumerate(workload.commands):
        start = clock()
        try:
            if kind == "submit":
                result = engine.submit(payload, now)
            else:
                engine.cancel(*payload)
        except OrderRejected:
            elapsed = clock() - start
            counts["rejected" if kind == "submit" else "unknown_cancels"] += 1
        else:
            elapsed = clock() - start
            if kind == "submit":
                counts["accepted"] += 1
                counts["fills"] += len(result.fills)
                counts["lots_filled"] += result.filled
            else:
                counts["cancels"] += 1
        if record_latency:
            (submit_ns if kind == "submit" else cancel_ns).append(elapsed)
    counts["resting_at_end"] = sum(len(engine.book(market)) for market in engine.markets)
    return {"counts": counts, "submit_ns": submit_ns, "cancel_ns": cancel_ns}


def measure(args: argparse.Namespace) -> dict[str, object]:
    workload = make_workload(args.orders, args.markets, args.accounts, args.cancel_ratio, args.seed)
    gc.collect()
    gc.freeze()  # the pre-built orders stand for clients: keep them out of the collector's full passes
    timed = replay(workload, record_latency=True)
    gc.unfreeze()
    submit_ns = sorted(timed["submit_ns"])
    cancel_ns = sorted(timed["cancel_ns"])
    counts = timed["counts"]
    submit_seconds = sum(submit_ns) / 1e9
    tracemalloc.start()
    replay(workload, record_latency=False)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss is KiB on Linux, bytes on macOS
    return {
        "benchmark": "operator",
        "stage": "matching",
        "note": NOTE,
        "signature_checks": False,
        "orders": args.orders,
        "markets": args.markets,
        "accounts": args.accounts,
        "seed": args.seed,
        **counts,
        "orders_per_second": counts["accepted"] / submit_seconds,
        "submits_per_second": len(submit_ns) / submit_seconds,
        "mean_ms": submit_seconds * 1e3 / len(submit_ns),
        "p50_ms": percentile(submit_ns, 0.50) / 1e6,
        "p99_ms": percentile(submit_ns, 0.99) / 1e6,
        "p999_ms": percentile(submit_ns, 0.999) / 1e6,
        "max_ms": submit_ns[-1] / 1e6,
        "cancel_p50_ms": percentile(cancel_ns, 0.50) / 1e6 if cancel_ns else None,
        "cancel_p99_ms": percentile(cancel_ns, 0.99) / 1e6 if cancel_ns else None,
        "engine_peak_traced_mib": peak_traced / 2**20,
        "process_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale,
        "targets": {"orders_per_second": TARGET_ORDERS_PER_SECOND, "p99_ms": TARGET_P99_MS},
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()} ({platform.processor() or 'unknown cpu'})",
    }


def print_table(report: dict[str, object]) -> None:
    def ms(*keys: str) -> str:
        return " / ".join(f"{report[key]:.4f}" if report[key] is not None else "-" for key in keys) + " ms"

    rows = [
        ("orders submitted", f"{report['orders']:,}"),
        ("accepted / refused", f"{report['accepted']:,} / {report['rejected']:,}"),
        ("fills (lots)", f"{report['fills']:,} ({report['lots_filled']:,})"),
        ("cancels (unknown)", f"{report['cancels']:,} ({report['unknown_cancels']:,})"),
        ("resting at end", f"{report['resting_at_end']:,}"),
        ("orders accepted/s", f"{report['orders_per_second']:,.0f}"),
        ("submit p50 / p99 / p99.9 / max", ms("p50_ms", "p99_ms", "p999_ms", "max_ms")),
        ("cancel p50 / p99", ms("cancel_p50_ms", "cancel_p99_ms")),
        ("engine peak (tracemalloc)", f"{report['engine_peak_traced_mib']:.1f} MiB"),
        ("process peak RSS", f"{report['process_peak_rss_mib']:.1f} MiB"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"operator benchmark: {NOTE}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    print(f"  target with signatures: {TARGET_ORDERS_PER_SECOND:,} orders/s, p99 < {TARGET_P99_MS} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000, help="limit orders to submit")
    parser.add_argument("--markets", type=int, default=1)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--cancel-ratio", type=float, default=0.2, help="share of commands that are cancels")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.orders < 1 or args.markets < 1 or args.accounts < 1 or not 0 <= args.cancel_ratio < 1:
        parser.error("orders, markets and accounts must be positive and cancel-ratio in [0, 1)")
    report = measure(args)
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
