"""Time the fast backend's G1 and G2 multi-scalar multiplications by size.

    python benchmarks/msm.py --min-log 10 --max-log 20 --g2-max-log 18

Points are an arithmetic progression of random multiples of the generator, built by the kernels;
scalars are random 253-bit values (every window busy). A "witness-like" G1 column uses scalars
that are one third 0, one third 1 and one third random, as in a circuit witness. Prints a table
and writes JSON (seconds, best of --repeat runs). On a shared machine the wall time of the G1
and G2 columns also records the process's CPU seconds in that run (all threads): on idle cores
the wall time would be about that divided by the thread count, and their ratio is steadier.
"""

from __future__ import annotations

import json
import os
import platform
import random
import sys
import time
from pathlib import Path

import click
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from numba import njit  # noqa: E402

from prover.backends.fast import FastBackend, warm_up  # noqa: E402
from prover.kernels.fields import FQ_R2, f_mul  # noqa: E402
from prover.kernels.threads import thread_count  # noqa: E402
from tests.prover.fast_points import progression  # noqa: E402


def random_scalars(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random scalars below 2^253 < r, as (n, 4) limbs."""
    scalars = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64)
    scalars[:, 3] &= np.uint64((1 << 61) - 1)
    return scalars


def witness_like(rng: np.random.Generator, n: int) -> np.ndarray:
    scalars = random_scalars(rng, n)
    kind = rng.integers(0, 3, size=n)
    scalars[kind == 0] = 0
    scalars[kind == 1] = (1, 0, 0, 0)
    return scalars


@njit(cache=True)
def _chained_muls(count):
    x = FQ_R2
    for _ in range(count):
        x = f_mul(x, FQ_R2)
    return x


def fq_mul_ns() -> float:
    """One core's Fq multiplication latency now: a yardstick for how loaded the machine is."""
    _chained_muls(10)
    return best_of(3, _chained_muls, 2_000_000) / 2_000_000 * 1e9


def best_of(repeat: int, fn, *args) -> float:
    """The shortest of ``repeat`` timed calls fn(*args), in seconds."""
    return best_with_cpu(repeat, fn, *args)[0]


def best_with_cpu(repeat: int, fn, *args) -> tuple[float, float]:
    """(wall seconds, process CPU seconds) of the fastest of ``repeat`` calls fn(*args)."""
    runs = []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        fn(*args)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


@click.command()
@click.option("--min-log", default=10, show_default=True)
@click.option("--max-log", default=20, show_default=True, help="Largest G1 size 2^N.")
@click.option("--g2-max-log", default=18, show_default=True, help="Largest G2 size 2^N.")
@click.option("--repeat", default=2, show_default=True)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    default=str(ROOT / "benchmarks" / "results" / "msm.json"),
    show_default=True,
)
def main(min_log: int, max_log: int, g2_max_log: int, repeat: int, json_path: str) -> None:
    """Print MSM timings (seconds) by size and write them as JSON."""
    started = time.perf_counter()
    warm_up()
    warm_up_s = time.perf_counter() - started
    backend = FastBackend()
    rng = np.random.default_rng(2024)
    seed = random.Random(7)
    g1_points = progression("g1", seed.randrange(1, 2**250), seed.randrange(1, 2**250), 1 << max_log)
    g2_points = progression("g2", seed.randrange(1, 2**250), seed.randrange(1, 2**250), 1 << g2_max_log)
    rows = []
    mul_ns = fq_mul_ns()
    print(f"threads {thread_count()}, warm-up {warm_up_s:.2f}s, Fq mul {mul_ns:.1f} ns")
    head = ("n", "G1 s", "G1 cpu s", "G1 witness-like s", "G2 s", "G2/G1", "cpu")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (9, 8, 9, 18, 8, 6, 5), strict=True)))
    for log_n in range(min_log, max_log + 1):
        n = 1 << log_n
        scalars = random_scalars(rng, n)
        row = {"log_n": log_n, "n": n}
        row["g1_s"], row["g1_cpu_s"] = best_with_cpu(repeat, backend.msm_g1, g1_points[:n], scalars)
        mixed = witness_like(rng, n)
        row["g1_witness_like_s"] = best_of(repeat, backend.msm_g1, g1_points[:n], mixed)
        if log_n <= g2_max_log:
            row["g2_s"], row["g2_cpu_s"] = best_with_cpu(repeat, backend.msm_g2, g2_points[:n], scalars)
        rows.append(row)
        g2 = "       -      -     -"
        if "g2_s" in row:
            ratios = f"{row['g2_s'] / row['g1_s']:6.2f} {row['g2_cpu_s'] / row['g1_cpu_s']:5.2f}"
            g2 = f"{row['g2_s']:8.3f} {ratios}"
        g1 = f"{row['g1_s']:8.3f} {row['g1_cpu_s']:9.3f} {row['g1_witness_like_s']:18.3f}"
        print(f"{n:>9} {g1} {g2}", flush=True)
    result = {
        "machine": {"cpu": platform.processor() or platform.machine(), "threads": thread_count()},
        "warm_up_s": warm_up_s,
        "fq_mul_ns_before": mul_ns,
        "fq_mul_ns_after": fq_mul_ns(),
        "load_average_after": os.getloadavg(),
        "repeat": repeat,
        "rows": rows,
    }
    Path(json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(json_path).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
