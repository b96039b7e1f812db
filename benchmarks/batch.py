"""Exchange batch circuit: constraints per op type, per trade, pubdata bytes per trade, prove times.

    python benchmarks/batch.py [--depth 10] [--prove BACKEND] [--sizes 1 4 16]

Constraint counts are exact and need no values: a slot's count is what the slot adds to the
circuit (its Merkle updates, signatures, rules and record bits); a trade's full cost adds its share
of the SHA-256 commitment (its record's bits at the measured cost per 512-bit block). With
``--prove``, batches of 1/4/16 trades (after deposits) get development keys (prover.dev_setup),
are solved and proved with the named prover backend; otherwise prove times are left null. Writes
benchmarks/results/batch.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from circuits.cs import ConstraintSystem  # noqa: E402
from circuits.exchange.batch import SLOT_TYPES, BatchShape, SlotDone, batch_steps  # noqa: E402
from circuits.exchange.config import ExchangeConfig  # noqa: E402
from circuits.gadgets.sha256 import sha256_var  # noqa: E402
from verifier.pubdata_layout import BY_NAME  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "batch.json"
KEYS = ROOT / "benchmarks" / ".cache" / "keys"


def slot_costs(config: ExchangeConfig, op: str) -> int:
    """Constraints the second of two slots of type ``op`` adds (the first carries the root checks)."""
    cs = ConstraintSystem()
    counts = [len(cs.constraints) for event in batch_steps(cs, config, BatchShape((op, op)))
              if isinstance(event, SlotDone)]  # fmt: skip
    return counts[1] - counts[0]


def sha_block_cost() -> int:
    """Constraints of one more SHA-256 compression (message of 2 blocks minus 1 block)."""

    def count(n_bits: int) -> int:
        cs = ConstraintSystem()
        sha256_var(cs, cs.private_input("m", n_bits))
        return len(cs.constraints)

    return count(512 + 440) - count(440)


def total_constraints(config: ExchangeConfig, shape: BatchShape) -> int:
    cs = ConstraintSystem()
    for _ in batch_steps(cs, config, shape):
        pass
    return len(cs.constraints)


def prove_times(config: ExchangeConfig, sizes: list[int], backend: str) -> dict[str, dict[str, float]]:
    """Per batch of n trades (after deposits): constraints, and seconds to set up (development
    keys, cached under benchmarks/.cache/keys after the first run), solve and prove."""
    import random

    from circuits.gadgets import eddsa
    from rollup.exchange.proving import BatchProver
    from rollup.exchange.state import ExchangeState
    from rollup.exchange.transition import apply_batch
    from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, ORACLE_KEY, deposit, market, trade

    genesis = ExchangeState(config, [market(1_000)] * config.n_markets, eddsa.public_key(ORACLE_KEY))
    funded = apply_batch(
        genesis, BatchShape(("deposit", "deposit")),
        [deposit(ALICE, ALICE_KEY, 10**9), deposit(BOB, BOB_KEY, 10**9)],
    ).state  # fmt: skip
    rows = {}
    for n in sizes:
        shape = BatchShape(("trade",) * n)
        ops = [trade(size=1, taker_id=4 * i + 1, maker_id=4 * i + 1, amount=1) for i in range(n)]
        started = time.perf_counter()
        prover = BatchProver(config, shape, KEYS, backend, random.Random(n))
        ready = time.perf_counter()
        result = apply_batch(funded, shape, ops)
        solved = time.perf_counter()
        prover.prove(result)
        proved = time.perf_counter()
        rows[str(n)] = {
            "constraints": prover.r1cs.n_constraints,
            "domain_log": prover.proving_key.log_domain_size,
            "compile_and_key_s": round(ready - started, 2),
            "solve_s": round(solved - ready, 2),
            "prove_s": round(proved - solved, 2),
        }
        size = f"{prover.r1cs.n_constraints:,} constraints (2^{prover.proving_key.log_domain_size})"
        times = f"key {ready - started:.1f} s, solve {solved - ready:.1f} s, prove {proved - solved:.1f} s"
        print(f"{n:>3} trades: {size}, {times}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--depth", type=int, default=10, help="accounts tree depth (4-ary levels)")
    parser.add_argument("--prove", metavar="BACKEND", help="also prove batches with this prover backend")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 16])
    args = parser.parse_args()
    config = ExchangeConfig(account_depth=args.depth)

    per_op = {op: slot_costs(config, op) for op in SLOT_TYPES}
    block = sha_block_cost()
    trade_bytes = BY_NAME["trade"].width
    per_trade = per_op["trade"] + round(trade_bytes * 8 * block / 512)
    overhead = total_constraints(config, BatchShape(("trade",))) - per_op["trade"]
    print(f"accounts tree: 4-ary, depth {args.depth} ({4**args.depth} accounts), {config.n_markets} markets")
    print(f"{'op':<10}{'slot constraints':>18}{'record bytes':>14}")
    for op, n in per_op.items():
        print(f"{op:<10}{n:>18,}{BY_NAME[op].width:>14}")
    print(f"per trade with its share of SHA-256 ({block:,} per block): {per_trade:,}")
    print(f"fixed per batch (roots, global state, commitment of a 1-trade batch): {overhead:,}")

    proved = prove_times(config, args.sizes, args.prove) if args.prove else {}
    prove_seconds = {str(n): proved[str(n)]["prove_s"] if proved else None for n in args.sizes}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "account_depth": args.depth,
        "n_markets": config.n_markets,
        "constraints_per_op": per_op,
        "constraints_per_trade": per_trade,
        "sha256_constraints_per_block": block,
        "batch_overhead_constraints": overhead,
        "pubdata_bytes_per_trade": trade_bytes,
        "pubdata_bytes_per_op": {op: BY_NAME[op].width for op in SLOT_TYPES},
        "prove_backend": args.prove,
        "prove_seconds": prove_seconds,
        "batches": proved,
    }, indent=2) + "\n")  # fmt: skip
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
