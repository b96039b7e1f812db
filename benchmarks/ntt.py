"""Time the fast backend's NTT (forward and inverse) and Groth16 quotient by domain size.

    python benchmarks/ntt.py --min-log 10 --max-log 20

Prints a table and writes JSON (seconds, best of --repeat runs; twiddle tables built beforehand,
as they are once per domain size in a prover).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import click
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.msm import best_of, fq_mul_ns, random_scalars  # noqa: E402
from prover.backends.fast import FastBackend, warm_up  # noqa: E402
from prover.kernels.threads import thread_count  # noqa: E402


@click.command()
@click.option("--min-log", default=10, show_default=True)
@click.option("--max-log", default=20, show_default=True)
@click.option("--repeat", default=3, show_default=True)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    default=str(ROOT / "benchmarks" / "results" / "ntt.json"),
    show_default=True,
)
def main(min_log: int, max_log: int, repeat: int, json_path: str) -> None:
    """Print NTT and quotient timings (seconds) by size and write them as JSON."""
    warm_up()
    backend = FastBackend()
    rng = np.random.default_rng(99)
    rows = []
    mul_ns = fq_mul_ns()
    print(f"threads {thread_count()}, Fq mul {mul_ns:.1f} ns")
    print(f"{'n':>9} {'NTT s':>8} {'inverse s':>10} {'quotient s':>11}")
    for log_n in range(min_log, max_log + 1):
        n = 1 << log_n
        a, b, c = (random_scalars(rng, n) for _ in range(3))
        backend.quotient_evaluations(a[:1], b[:1], c[:1])
        backend.quotient_evaluations(a, b, c)  # builds this size's tables
        row = {
            "log_n": log_n,
            "n": n,
            "ntt_s": best_of(repeat, backend.ntt, a),
            "intt_s": best_of(repeat, backend.ntt, a, True),
            "quotient_s": best_of(repeat, backend.quotient_evaluations, a, b, c),
        }
        rows.append(row)
        print(f"{n:>9} {row['ntt_s']:8.4f} {row['intt_s']:10.4f} {row['quotient_s']:11.4f}", flush=True)
    result = {
        "machine": {"cpu": platform.processor() or platform.machine(), "threads": thread_count()},
        "repeat": repeat,
        "fq_mul_ns_before": mul_ns,
        "fq_mul_ns_after": fq_mul_ns(),
        "rows": rows,
    }
    Path(json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(json_path).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
