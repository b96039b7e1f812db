"""`zkclear groth16 prove` against `snarkjs groth16 prove` on the same .zkey and .wtns.

    python benchmarks/prove_vs_snarkjs.py --logs 16 18 --repeat 3

For each size 2^k: a multiplication chain filling the QAP domain of 2^k, keyed (once, cached under
benchmarks/.cache) by snarkjs from a snarkjs ceremony below 2^--dev-setup-from, and from there on by
`zkclear groth16 dev-setup` (snarkjs's own setup takes tens of minutes at 2^18; snarkjs proves with
our .zkey as with its own). It is then proved alternately by snarkjs, by zkclear doing the same work
(--no-verify), and by zkclear's default (which also verifies the proof before writing it). Every
proof is verified by the other tool, with the verification key snarkjs exports from the .zkey.
Wall time includes each tool's start-up, as a user sees it; peak RSS is the child process's own.
Also times a warm `zkclear --help` (the CLI's start-up alone) and records the load average, since
the machine may be shared. Prints a table, writes benchmarks/results/prove_vs_snarkjs.json and a
PNG plot beside it.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from circuits.cs import compile_circuit, solve  # noqa: E402
from circuits.r1cs import write_r1cs  # noqa: E402
from circuits.samples import multiplication_chain  # noqa: E402
from circuits.wtns import write_wtns  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache" / "prove_vs_snarkjs"
RESULTS = ROOT / "benchmarks" / "results"
SNARKJS = ["node", "--max-old-space-size=16384", str(ROOT / "node_modules" / ".bin" / "snarkjs")]
ZKCLEAR = [sys.executable, str(ROOT / "cli.py")]


def snarkjs(*args: object) -> list[str]:
    return [*SNARKJS, *map(str, args)]


def zkclear(*args: object) -> list[str]:
    return [*ZKCLEAR, *map(str, args)]


def run_measured(command: list[str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, the child's peak RSS in MiB). Fails loudly on error."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    output = child.stdout.read().decode(errors="replace") if child.stdout else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {child.returncode}:\n{output[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def check(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def ceremony(power: int) -> Path:
    """A prepared snarkjs powers of tau of at least 2^power with one random contribution (cached)."""
    cached = [p for k in range(power, 29) if (p := CACHE / f"pot{k}.ptau").exists()]
    if cached:
        return cached[0]
    final = CACHE / f"pot{power}.ptau"
    if not final.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        raw, contributed = CACHE / f"pot{power}_0.ptau", CACHE / f"pot{power}_1.ptau"
        click.echo(f"ceremony 2^{power} with snarkjs (once; cached in {CACHE})", err=True)
        check(snarkjs("powersoftau", "new", "bn128", power, raw))
        entropy = f"-e={os.urandom(32).hex()}"
        check(snarkjs("powersoftau", "contribute", raw, contributed, "--name=bench", entropy))
        check(snarkjs("powersoftau", "prepare", "phase2", contributed, final))
        raw.unlink()
        contributed.unlink()
    return final


def circuit_files(log_n: int, dev_setup_from: int) -> tuple[Path, Path, Path, int]:
    """(.r1cs, .wtns, .zkey, constraints) of a chain that fills the domain 2^log_n (cached)."""
    d = CACHE / f"chain{log_n}"
    d.mkdir(parents=True, exist_ok=True)
    length = (1 << log_n) - 3  # chain products + output equality + one public + wire 0 rows
    define = multiplication_chain(length)
    r1cs_path, wtns_path, zkey_path = d / "circuit.r1cs", d / "witness.wtns", d / "circuit.zkey"
    if not zkey_path.exists():
        by_snarkjs = log_n < dev_setup_from
        how = "snarkjs" if by_snarkjs else "dev"
        click.echo(f"circuit 2^{log_n}: r1cs, witness, {how} setup (once)", err=True)
        write_r1cs(compile_circuit(define), r1cs_path)
        write_wtns(solve(define, {"x": 7}), wtns_path)
        if by_snarkjs:
            zkey0 = d / "circuit0.zkey"
            check(snarkjs("groth16", "setup", r1cs_path, ceremony(log_n), zkey0))
            entropy = f"-e={os.urandom(16).hex()}"
            check(snarkjs("zkey", "contribute", zkey0, zkey_path, "--name=bench", entropy))
            zkey0.unlink()
        else:
            check(zkclear("groth16", "dev-setup", "--quiet", r1cs_path, zkey_path))
        check(snarkjs("zkey", "export", "verificationkey", zkey_path, d / "verification_key.json"))
        (d / "setup.txt").write_text(KEY_SOURCES[by_snarkjs] + "\n")
    return r1cs_path, wtns_path, zkey_path, length + 1


def key_source(zkey: Path) -> str:
    marker = zkey.parent / "setup.txt"
    return marker.read_text().strip() if marker.exists() else KEY_SOURCES[True]


KEY_SOURCES = {True: "snarkjs groth16 setup + zkey contribute", False: "zkclear groth16 dev-setup"}
TOOLS = {
    "snarkjs": lambda *files: snarkjs("groth16", "prove", *files),
    "zkclear": lambda *files: zkclear("groth16", "prove", "--backend", "fast", "--no-verify", *files),
    "zkclear_checked": lambda *files: zkclear("groth16", "prove", "--backend", "fast", *files),
}
LABELS = {
    "snarkjs": "snarkjs 0.7.6",
    "zkclear": "zkclear (same work as snarkjs)",
    "zkclear_checked": "zkclear (default: verifies before writing)",
}


def cross_verify(d: Path, proofs: dict[str, list[tuple[Path, Path]]]) -> None:
    """snarkjs verifies every zkclear proof; zkclear verifies every snarkjs proof."""
    vk = str(d / "verification_key.json")
    for tool, pairs in proofs.items():
        verify = zkclear if tool == "snarkjs" else snarkjs
        for proof, public in pairs:
            check(verify("groth16", "verify", vk, public, proof))


def measure(log_n: int, repeat: int, dev_setup_from: int) -> dict[str, object]:
    _, wtns, zkey, constraints = circuit_files(log_n, dev_setup_from)
    d = zkey.parent
    times: dict[str, list[float]] = {tool: [] for tool in TOOLS}
    rss: dict[str, list[float]] = {tool: [] for tool in TOOLS}
    proofs: dict[str, list[tuple[Path, Path]]] = {tool: [] for tool in TOOLS}
    for i in range(repeat):
        for tool, command in TOOLS.items():
            proof, public = d / f"{tool}_{i}.proof.json", d / f"{tool}_{i}.public.json"
            seconds, peak = run_measured(command(zkey, wtns, proof, public))
            times[tool].append(seconds)
            rss[tool].append(peak)
            proofs[tool].append((proof, public))
            click.echo(f"  2^{log_n} {tool:16} run {i + 1}: {seconds:7.2f} s  {peak:7.0f} MiB", err=True)
    cross_verify(d, proofs)
    row: dict[str, object] = {
        "log_n": log_n,
        "constraints": constraints,
        "repeat": repeat,
        "key": key_source(zkey),
    }
    for tool in TOOLS:
        row[f"{tool}_median_s"] = statistics.median(times[tool])
        row[f"{tool}_runs_s"] = times[tool]
        row[f"{tool}_peak_rss_mib"] = max(rss[tool])
    row["ratio"] = row["zkclear_median_s"] / row["snarkjs_median_s"]
    row["ratio_checked"] = row["zkclear_checked_median_s"] / row["snarkjs_median_s"]
    return row


def print_table(rows: list[dict[str, object]]) -> None:
    head = (
        f"{'size':>6} {'snarkjs s':>10} {'zkclear s':>10} {'ratio':>6} {'checked s':>10} {'ratio':>6}"
        f" {'snarkjs MiB':>12} {'zkclear MiB':>12}"
    )
    click.echo(head)
    for r in rows:
        click.echo(
            f"{'2^' + str(r['log_n']):>6} {r['snarkjs_median_s']:>10.2f} {r['zkclear_median_s']:>10.2f}"
            f" {r['ratio']:>6.2f} {r['zkclear_checked_median_s']:>10.2f} {r['ratio_checked']:>6.2f}"
            f" {r['snarkjs_peak_rss_mib']:>12.0f} {r['zkclear_peak_rss_mib']:>12.0f}"
        )


def plot(rows: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [1 << int(r["log_n"]) for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for tool, label in LABELS.items():
        ax.plot(sizes, [r[f"{tool}_median_s"] for r in rows], marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("QAP domain size (constraints)")
    ax.set_ylabel("groth16 prove, median wall seconds")
    ax.set_title(f"Groth16 prove on {os.cpu_count()} cores")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


@click.command()
@click.option("--logs", "-k", multiple=True, type=int, default=(12, 14, 16, 18, 20), show_default=True)
@click.option("--repeat", default=3, show_default=True, help="Runs per tool and size (alternating).")
@click.option(
    "--dev-setup-from",
    default=17,
    show_default=True,
    help="From this log size on, key with zkclear's dev setup instead of snarkjs's (slow) setup.",
)
@click.option("--out", type=click.Path(dir_okay=False), default=str(RESULTS / "prove_vs_snarkjs.json"))
def main(logs: tuple[int, ...], repeat: int, dev_setup_from: int, out: str) -> None:
    """Prove-time and memory of zkclear against snarkjs, same keys and witnesses."""
    warm = run_measured(zkclear("warmup"))[0]
    click.echo(f"zkclear warmup (kernel cache): {warm:.1f} s", err=True)
    load_before = os.getloadavg()
    help_s = statistics.median(run_measured(zkclear("--help"))[0] for _ in range(repeat))
    click.echo(f"zkclear --help (warm start): {help_s:.2f} s", err=True)
    rows = [measure(log_n, repeat, dev_setup_from) for log_n in sorted(logs)]
    print_table(rows)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "note": "wall time per CLI run, start-up included; ratio = zkclear median / snarkjs median; "
        "all rows from one run, tools alternating",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "zkclear_help_median_s": help_s,
        "rows": rows,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=1) + "\n")
    plot(rows, Path(out).with_suffix(".png"))
    click.echo(f"wrote {out} and {Path(out).with_suffix('.png')}")


if __name__ == "__main__":
    main()
