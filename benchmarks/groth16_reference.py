"""Time the Groth16 pipeline on a multiplication chain: dev ptau, setup, prove (per backend), snarkjs.

    python benchmarks/groth16_reference.py --log-domain 12

The chain gets as many constraints as fit the domain of 2^log-domain (constraints + public + 1 rows).
With --snarkjs, ``snarkjs groth16 prove`` runs on the same .zkey and .wtns for comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from circuits.cs import compile_circuit, solve  # noqa: E402
from circuits.samples import multiplication_chain  # noqa: E402
from circuits.wtns import read_wtns_bytes, write_wtns  # noqa: E402
from prover.backends import BACKENDS  # noqa: E402
from prover.groth16 import prove  # noqa: E402
from prover.ptau import new_ptau, read_ptau  # noqa: E402
from prover.setup import setup  # noqa: E402
from prover.zkey import read_zkey, write_zkey  # noqa: E402


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


@click.command()
@click.option("--log-domain", default=12, show_default=True, help="QAP domain 2^N.")
@click.option(
    "--backend", "backends", multiple=True, type=click.Choice(sorted(BACKENDS)), default=["reference"]
)
@click.option("--snarkjs/--no-snarkjs", default=True, show_default=True)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False),
    default=str(ROOT / "benchmarks" / "results" / "groth16_reference.json"),
    show_default=True,
)
def main(log_domain: int, backends: tuple[str, ...], snarkjs: bool, json_path: str) -> None:
    """Print a table of timings (seconds)."""
    n_constraints = (1 << log_domain) - 2  # one public output: constraints + 1 + 1 rows
    define = multiplication_chain(n_constraints - 1)
    rows: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        r1cs, rows["compile"] = timed(lambda: compile_circuit(define))
        witness, rows["witness"] = timed(lambda: solve(define, {"x": 7}))
        write_wtns(witness, d / "w.wtns")
        _, rows["ptau new"] = timed(lambda: new_ptau(log_domain, d / "pot.ptau"))
        pk, rows["setup"] = timed(lambda: setup(r1cs, read_ptau(d / "pot.ptau")))
        write_zkey(pk, d / "c.zkey")
        pk, rows["read zkey"] = timed(lambda: read_zkey(d / "c.zkey"))
        wtns = read_wtns_bytes(d / "w.wtns")
        for name in backends:
            _, rows[f"prove {name} (no check)"] = timed(
                lambda name=name: prove(pk, wtns, name, verify_proof=False)
            )
            _, rows[f"prove {name} + verify"] = timed(lambda name=name: prove(pk, wtns, name))
        if snarkjs:
            command = ["node", str(ROOT / "node_modules/.bin/snarkjs"), "groth16", "prove"]
            command += [str(d / "c.zkey"), str(d / "w.wtns"), str(d / "p.json"), str(d / "q.json")]
            _, rows["snarkjs prove"] = timed(lambda: subprocess.run(command, check=True, capture_output=True))
    click.echo(
        f"multiplication chain: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires, domain 2^{log_domain}"
    )
    for step, seconds in rows.items():
        click.echo(f"  {step:<32} {seconds:8.2f}")
    figures = {"constraints": r1cs.n_constraints, "log_domain": log_domain, "seconds": rows}
    Path(json_path).parent.mkdir(parents=True, exist_ok=True)
    Path(json_path).write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
