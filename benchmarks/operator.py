"""Operator intake: signed limit orders through batched signature checks and the matching engine.

Run from the repository root: ``python -m benchmarks.operator [--orders 100000]``. Prints a table
and writes ``benchmarks/results/operator.json``.

Every limit order is a ``rollup.exchange.operations.Order`` signed with EdDSA-Poseidon by its
account's key (signed beforehand and cached under ``benchmarks/.cache/operator``; signing is the
client's work, not the operator's), and a share of them carry a broken signature. The operator
loop takes every command that has arrived (at most ``--max-batch``), checks the signatures of the
batch's orders in one compiled pass on the kernel threads (``rollup.sigcheck.check_signatures``),
then feeds the batch to the engine in arrival order; an order's latency runs from its arrival to
the return of its ``submit`` (or its refusal), so waiting for the batch is counted.

Runs: saturated (every command queued at the start: the intake's capacity in orders/s) and
paced (commands arriving at fixed intervals so that orders arrive at each ``--rates`` value:
latency percentiles at that load). The bare engine (no signatures) is measured as before, for
comparison. Not included yet: nonce and margin checks, HTTP, persistence; cancels are unsigned.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from circuits.gadgets.babyjub import SUBORDER, Point
from circuits.gadgets.eddsa import Signature
from prover.bn254 import ints_to_limbs, limbs_to_ints
from prover.kernels.threads import thread_count
from rollup.exchange import operations
from rollup.exchange.operations import SignedOrder
from rollup.matching import MatchingEngine
from rollup.order_checks import MarketSpec
from rollup.orders import Order, Side, TimeInForce
from rollup.rejections import OrderRejected
from rollup.sigcheck.orders import check_signatures, order_messages
from rollup.sigcheck.sign import public_keys, sign_many

RESULTS = Path(__file__).resolve().parent / "results" / "operator.json"
CACHE = Path(__file__).resolve().parent / ".cache" / "operator"
CACHE_FORMAT = 1  # bump when the workload or the signed message changes
TARGET_ORDERS_PER_SECOND = 2_000
STRETCH_ORDERS_PER_SECOND = 10_000
TARGET_P99_MS = 5.0
NOTE = (
    "signed orders: batched EdDSA-Poseidon checks, then the matching engine (no nonce/margin/HTTP/store yet)"
)


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


@dataclass(frozen=True)
class SignedWorkload:
    """The workload with, per command, the signed form of its order (None for a cancel), and each
    account's public key (index = account)."""

    workload: Workload
    signed: list[SignedOrder | None]
    keys: list[Point | None]


def as_signed_order(order: Order) -> operations.Order:
    """The exchange's signed-order fields of an engine order (flags are not part of the message)."""
    return operations.Order(
        account=order.account,
        market=order.market,
        is_buy=order.side is Side.BUY,
        price=order.price,
        amount=order.size,
        order_id=order.order_id,
        expiry=order.expires_at,
    )


def private_keys(n_accounts: int, seed: int) -> list[bytes]:
    """Account i's key at index i - 1, drawn from the seed."""
    rng = random.Random(f"operator-keys-{seed}")
    return [rng.randbytes(32) for _ in range(n_accounts)]


def sign_workload(workload: Workload, args: argparse.Namespace) -> SignedWorkload:
    """Sign every order of the workload (cached by workload parameters), then break the signature
    (S + 1) of a ``--bad-signatures`` share of them, chosen by the seed."""
    orders = [payload for kind, payload in workload.commands if kind == "submit"]
    name = f"v{CACHE_FORMAT}-{args.orders}-{args.markets}-{args.accounts}-{args.cancel_ratio}-{args.seed}.npz"
    path = args.cache_dir / name
    if path.exists():
        stored = np.load(path)
        sig_values, key_values = limbs_to_ints(stored["signatures"]), limbs_to_ints(stored["keys"])
    else:
        keys = private_keys(args.accounts, args.seed)
        exchange_orders = [as_signed_order(order) for order in orders]
        messages = limbs_to_ints(order_messages(exchange_orders))
        signatures = sign_many([keys[order.account - 1] for order in orders], messages)
        sig_values = [v for sig in signatures for v in (*sig.R8, sig.S)]
        key_values = [c for key in public_keys(keys) for c in key]
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, signatures=ints_to_limbs(sig_values), keys=ints_to_limbs(key_values))
    rng = random.Random(f"operator-bad-{args.seed}")
    signed_orders = []
    for i, order in enumerate(orders):
        r8x, r8y, s = sig_values[3 * i : 3 * i + 3]
        if rng.random() < args.bad_signatures:
            s = (s + 1) % SUBORDER
        signed_orders.append(SignedOrder(as_signed_order(order), Signature((r8x, r8y), s)))
    per_command: list[SignedOrder | None] = []
    taken = iter(signed_orders)
    for kind, _ in workload.commands:
        per_command.append(next(taken) if kind == "submit" else None)
    keys: list[Point | None] = [None, *zip(key_values[0::2], key_values[1::2], strict=True)]
    return SignedWorkload(workload, per_command, keys)


def intake(signed: SignedWorkload, rate: float | None, max_batch: int) -> dict[str, object]:
    """One run of the operator loop; ``rate`` orders/s arriving evenly, or all at once when None."""
    commands = signed.workload.commands
    engine = MatchingEngine(signed.workload.markets, position_of=lambda account, market: 0)
    n_submits = sum(kind == "submit" for kind, _ in commands)
    interval = n_submits / len(commands) / rate if rate else 0.0  # seconds between commands
    counts = {
        "accepted": 0,
        "rejected": 0,
        "bad_signatures": 0,
        "fills": 0,
        "cancels": 0,
        "unknown_cancels": 0,
    }
    latencies: list[float] = []
    batch_sizes: list[int] = []
    check_seconds = 0.0
    clock = time.perf_counter
    start, cpu_start = clock(), time.process_time()
    i = 0
    while i < len(commands):
        if rate:
            now = clock() - start
            arrived = min(len(commands), int(now / interval) + 1)
            if arrived <= i:
                gap = i * interval - now
                if gap > 1e-3:
                    time.sleep(gap - 5e-4)
                continue
        else:
            arrived = len(commands)
        end = min(arrived, i + max_batch)
        batch_sizes.append(end - i)
        submits = [signed.signed[k] for k in range(i, end) if signed.signed[k] is not None]
        checked = clock()
        verdicts = iter(check_signatures(submits, [signed.keys[o.order.account] for o in submits]))
        check_seconds += clock() - checked
        for k in range(i, end):
            kind, payload = commands[k]
            if kind == "cancel":
                try:
                    engine.cancel(*payload)
                    counts["cancels"] += 1
                except OrderRejected:
                    counts["unknown_cancels"] += 1
                continue
            if not next(verdicts):
                counts["bad_signatures"] += 1
            else:
                try:
                    result = engine.submit(payload, k)
                    counts["accepted"] += 1
                    counts["fills"] += len(result.fills)
                except OrderRejected:
                    counts["rejected"] += 1
            latencies.append(clock() - start - k * interval)
        i = end
    elapsed, cpu_seconds = clock() - start, time.process_time() - cpu_start
    latencies.sort()
    report: dict[str, object] = {
        "offered_orders_per_second": rate,
        **counts,
        "elapsed_s": elapsed,
        "orders_per_second": counts["accepted"] / elapsed,
        "submits_per_second": n_submits / elapsed,
        "signature_check_us_per_order": check_seconds / n_submits * 1e6,
        "cpu_us_per_order": cpu_seconds / n_submits * 1e6,  # all threads (paced runs: polling included)
        "batches": len(batch_sizes),
        "mean_batch": sum(batch_sizes) / len(batch_sizes),
        "largest_batch": max(batch_sizes),
    }
    if rate:
        report |= {f"{name}_ms": percentile(latencies, q) * 1e3 for name, q in LATENCY_POINTS}
        report["max_ms"] = latencies[-1] * 1e3
    return report


LATENCY_POINTS = (("p50", 0.50), ("p99", 0.99), ("p999", 0.999))


def bare_engine(workload: Workload) -> dict[str, object]:
    """The engine alone, each call timed (the figures this benchmark reported before signatures)."""
    timed = replay(workload, record_latency=True)
    submit_ns = sorted(timed["submit_ns"])
    cancel_ns = sorted(timed["cancel_ns"])
    counts = timed["counts"]
    submit_seconds = sum(submit_ns) / 1e9
    tracemalloc.start()
    replay(workload, record_latency=False)
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        **counts,
        "orders_per_second": counts["accepted"] / submit_seconds,
        "submits_per_second": len(submit_ns) / submit_seconds,
        "mean_ms": submit_seconds * 1e3 / len(submit_ns),
        **{f"{name}_ms": percentile(submit_ns, q) / 1e6 for name, q in LATENCY_POINTS},
        "max_ms": submit_ns[-1] / 1e6,
        "cancel_p50_ms": percentile(cancel_ns, 0.50) / 1e6 if cancel_ns else None,
        "cancel_p99_ms": percentile(cancel_ns, 0.99) / 1e6 if cancel_ns else None,
        "engine_peak_traced_mib": peak_traced / 2**20,
    }


def measure(args: argparse.Namespace) -> dict[str, object]:
    load_before = os.getloadavg()
    workload = make_workload(args.orders, args.markets, args.accounts, args.cancel_ratio, args.seed)
    began = time.perf_counter()
    signed = sign_workload(workload, args)
    prepare_s = time.perf_counter() - began
    began = time.perf_counter()
    first = next(order for order in signed.signed if order is not None)
    check_signatures([first], [signed.keys[first.order.account]])
    warm_up_s = time.perf_counter() - began  # kernels compiled or loaded from the cache, tables built
    gc.collect()
    gc.freeze()  # the pre-built orders stand for clients: keep them out of the collector's full passes
    saturated = intake(signed, None, args.max_batch)
    paced = [intake(signed, rate, args.max_batch) for rate in args.rates]
    bare = bare_engine(workload)
    gc.unfreeze()
    headline = paced[0] if paced else {}
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # ru_maxrss is KiB on Linux, bytes on macOS
    return {
        "benchmark": "operator",
        "stage": "intake",
        "note": NOTE,
        "signature_checks": True,
        "orders": args.orders,
        "markets": args.markets,
        "accounts": args.accounts,
        "seed": args.seed,
        "bad_signature_share": args.bad_signatures,
        "max_batch": args.max_batch,
        "kernel_threads": thread_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "orders_per_second": saturated["orders_per_second"],
        "latency_at_orders_per_second": headline.get("offered_orders_per_second"),
        **{key: headline.get(key) for key in ("p50_ms", "p99_ms", "p999_ms", "max_ms")},
        "saturated": saturated,
        "paced": paced,
        "bare_engine": bare,
        "prepare_signed_orders_s": prepare_s,
        "warm_up_s": warm_up_s,
        "process_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale,
        "targets": {
            "orders_per_second": TARGET_ORDERS_PER_SECOND,
            "stretch_orders_per_second": STRETCH_ORDERS_PER_SECOND,
            "p99_ms": TARGET_P99_MS,
        },
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()} ({platform.processor() or 'unknown cpu'})",
    }


def print_table(report: dict[str, object]) -> None:
    def ms(row: dict[str, object]) -> str:
        if row.get("p50_ms") is None:
            return "(all queued at once)"
        return " / ".join(f"{row[k]:.3f}" for k in ("p50_ms", "p99_ms", "p999_ms", "max_ms")) + " ms"

    saturated, bare = report["saturated"], report["bare_engine"]
    header = (
        "run",
        "orders accepted/s",
        "latency p50 / p99 / p99.9 / max",
        "mean batch",
        "sig check µs/order",
        "CPU µs/order",
    )
    rows = [
        ("saturated", saturated),
        *((f"paced {r['offered_orders_per_second']:,.0f}/s", r) for r in report["paced"]),
    ]
    table = [header]
    for name, row in rows:
        cpu = f"{row['cpu_us_per_order']:.1f}" if row is saturated else "(polls while idle)"
        table.append(
            (name, f"{row['orders_per_second']:,.0f}", ms(row), f"{row['mean_batch']:.1f}",
             f"{row['signature_check_us_per_order']:.1f}", cpu)
        )  # fmt: skip
    table.append(
        ("bare engine (no signatures)", f"{bare['orders_per_second']:,.0f}", ms(bare), "1", "-", "-")
    )
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    print(f"operator benchmark: {NOTE}")
    s = saturated
    print(
        f"  {report['orders']:,} signed orders: {s['accepted']:,} accepted, {s['rejected']:,} refused by the"
        f" engine, {s['bad_signatures']:,} for a bad signature; {s['fills']:,} fills;"
        f" {report['kernel_threads']} kernel threads, batches of at most {report['max_batch']};"
        f" load average {report['load_average_before'][0]:.1f} before,"
        f" {report['load_average_after'][0]:.1f} after"
    )
    for row in table:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(
        f"  process peak RSS {report['process_peak_rss_mib']:.0f} MiB, engine alone"
        f" {bare['engine_peak_traced_mib']:.1f} MiB (tracemalloc); signed orders ready in"
        f" {report['prepare_signed_orders_s']:.1f} s, kernels warm in {report['warm_up_s']:.1f} s"
    )
    print(
        f"  target: {TARGET_ORDERS_PER_SECOND:,} orders/s (stretch {STRETCH_ORDERS_PER_SECOND:,}) with"
        f" signatures, p99 < {TARGET_P99_MS} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="signed limit orders to submit")
    parser.add_argument("--markets", type=int, default=1)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--cancel-ratio", type=float, default=0.2, help="share of commands that are cancels")
    parser.add_argument(
        "--bad-signatures", type=float, default=0.01, help="share of orders with a broken signature"
    )
    parser.add_argument(
        "--max-batch", type=int, default=512, help="most commands checked and matched per batch"
    )
    parser.add_argument(
        "--rates",
        type=lambda text: [float(r) for r in text.split(",") if r],
        default=[2_000.0, 5_000.0, 10_000.0],
        help="comma-separated order arrival rates (orders/s) of the paced runs; the first is the headline",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache-dir", type=Path, default=CACHE, help="where signed orders are kept between runs"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.orders < 1 or args.markets < 1 or args.accounts < 1 or not 0 <= args.cancel_ratio < 1:
        parser.error("orders, markets and accounts must be positive and cancel-ratio in [0, 1)")
    if args.max_batch < 1 or not 0 <= args.bad_signatures <= 1 or any(rate <= 0 for rate in args.rates):
        parser.error("max-batch and rates must be positive and bad-signatures in [0, 1]")
    report = measure(args)
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
