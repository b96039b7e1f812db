"""Restart cost: replaying a venue's operations from genesis against restoring a state snapshot.

Run from the repository root: ``python -m benchmarks.restart [--trades 300]``. Builds a venue
through ``Operator.place`` (production tree depths, every order filled by the next), then times
the work a restart does to rebuild the state: ``records.advance`` over every operation since
genesis, or ``snapshots.decode`` of the state after them (trees rebuilt from account values), and
the ``snapshots.encode`` a seal pays every ``Operator.snapshot_every`` batches. Prints a table and
writes ``benchmarks/results/restart.json``.
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
from rollup.operator import snapshots
from rollup.operator.genesis import Genesis
from rollup.operator.operator import Operator
from rollup.operator.records import advance

RESULTS = Path(__file__).resolve().parent / "results" / "restart.json"
MARKET = dict(price=10_000, price_time=0, funding_index=0, imr=100_000, mmr=50_000, tick=10, lot=1, fee=1_000,
              max_move=200_000, max_funding=10_000, penalty=30_000, liq_fee=10_000)  # fmt: skip


def timed(work) -> tuple[object, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def run(n_trades: int, n_accounts: int, seed: int) -> dict:
    rng = random.Random(seed)
    keys = {a: rng.randbytes(32) for a in range(1, n_accounts + 1)}
    shape = BatchShape(("oracle", "liquidate") + ("deposit",) * 4 + ("trade",) * 16)
    config = ExchangeConfig(n_markets=1)  # production depths: 4^10 accounts, 16 fill slots each
    genesis = Genesis(config, (MARKET,), eddsa.public_key(rng.randbytes(32)), shape, 0, deadline=1e9)
    next_id = dict.fromkeys(keys, 1)
    pairs = []  # a resting sell and the buy that fills it, signed ahead of time
    for _ in range(n_trades):
        seller, buyer = rng.sample(list(keys), 2)
        size = rng.randint(1, 10)
        orders = []
        for account, is_buy in ((seller, False), (buyer, True)):
            order = Order(account, 0, is_buy, MARKET["price"], size, next_id[account], (1 << 32) - 1)
            orders.append(order.sign(keys[account]))
            next_id[account] += 1
        pairs.append(orders)
    with tempfile.TemporaryDirectory() as scratch:
        op = Operator.create(Path(scratch) / "venue.db", genesis)
        for queue_index, (account, key) in enumerate(keys.items()):
            op.deposit(queue_index, account, eddsa.public_key(key), 10**12)
        for sell, buy in pairs:
            op.place(sell)
            op.place(buy)
        op.seal()
        ops = [row.op for row in op.store.ops()]
        batches = len(op.store.batches())
    replayed, replay_s = timed(lambda: advance(genesis.state(), ops))
    text, encode_s = timed(lambda: snapshots.encode(replayed))
    restored, decode_s = timed(lambda: snapshots.decode(genesis, text, replayed.root))
    assert restored.root == replayed.root == op.root
    return {
        "trades": n_trades, "accounts": n_accounts, "operations": len(ops), "batches": batches,
        "replay_from_genesis_s": round(replay_s, 3), "replay_ms_per_op": round(replay_s / len(ops) * 1e3, 2),
        "snapshot_decode_s": round(decode_s, 3), "snapshot_encode_s": round(encode_s, 3),
        "snapshot_bytes": len(text), "python": platform.python_version(),
        "note": "decode is linear in accounts and fill slots, replay in operations",
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=300)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run(args.trades, args.accounts, args.seed)
    for name, value in result.items():
        print(f"{name:>22}  {value}")
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
