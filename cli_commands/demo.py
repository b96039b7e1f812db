"""``zkclear demo``: the whole exchange on an embedded chain in one process, then a table of what happened."""

from __future__ import annotations

from pathlib import Path

import click

from cli_commands.common import (
    BadInput,
    Progress,
    backend_option,
    bad_input_is_exit_2,
    quiet_option,
    ready_backend,
)


@click.command("demo")
@click.option(
    "--key-dir",
    type=click.Path(),
    help="Where the batch circuit's proving key is cached, so a second run skips the setup "
    "(default: $ZKCLEAR_KEY_DIR or ~/.cache/zkclear/keys).",
)
@click.option("--out", type=click.Path(), help="Also write the proven batch and its key here.")
@backend_option
@quiet_option
@bad_input_is_exit_2
def demo(key_dir: str | None, out: str | None, backend: str, quiet: bool) -> None:
    """Deposit, match, liquidate, withdraw; seal, prove, settle on chain and claim, on an embedded chain."""
    from rollup.demo.run import run_demo
    from rollup.demo.scenario import CONFIG, SHAPE
    from rollup.exchange.proving import BatchProver, default_key_dir

    keys = Path(key_dir).expanduser() if key_dir else default_key_dir()
    for folder in (keys, Path(out) if out else None):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise BadInput(f"{folder}: not a directory")
    progress = Progress(quiet)
    ready_backend(backend, progress)
    prover = progress.step(
        f"compiling the batch circuit, loading or making its key (cached in {keys})",
        lambda: BatchProver(CONFIG, SHAPE, key_dir=keys, backend=backend),
    )
    report = run_demo(prover, progress.step)
    if out:
        _save(report, prover, Path(out))
    _print_table(report, prover)


def _save(report, prover, out: Path) -> None:
    from verifier.proven_batch import save_batch
    from verifier.snarkjs_json import save_verifying_key

    out.mkdir(parents=True, exist_ok=True)
    save_batch(report.batch, out / "batch.json")
    save_verifying_key(prover.verifying_key, out / "verification_key.json")


def _print_table(report, prover) -> None:
    from rich.console import Console
    from rich.table import Table

    from rollup.demo.run import QUANTUM
    from rollup.demo.scenario import ALICE, BOB, CAROL, CRASH_PRICE, LIQUIDATION_PRICE, OPEN_PRICE, WITHDRAWAL

    def eth(units: int) -> str:
        return f"{units * QUANTUM / 10**18:g} ETH"

    batch = report.batch
    table = Table(title="zkclear demo: one proven batch settled on an embedded chain", title_justify="left")
    table.add_column("step")
    table.add_column("what happened")
    table.add_column("gas", justify="right")
    for user, gas in zip((ALICE, BOB, CAROL), report.deposit_gas, strict=True):
        table.add_row(
            "deposit", f"{user.name} deposits {eth(user.deposit)} into the on-chain queue", f"{gas:,}"
        )
    for taker, maker, size, price in report.story.fills:
        table.add_row("match", f"{taker} buys {size} lots at {price:,} from {maker} (signed orders)", "")
    table.add_row("oracle", f"signed price {OPEN_PRICE:,} -> {CRASH_PRICE:,}: bob below maintenance", "")
    table.add_row("liquidate", f"carol takes bob's 45 lots at {LIQUIDATION_PRICE:,}", "")
    table.add_row("withdraw", f"alice signs a withdrawal of {eth(WITHDRAWAL)}", "")
    table.add_row(
        "seal",
        f"{len(batch.shape)} slots, {len(batch.pubdata)} bytes of pubdata, "
        f"{prover.r1cs.n_constraints:,} constraints, {report.seal_seconds:.1f} s",
        "",
    )
    table.add_row("prove", f"Groth16 over BN254 in {report.prove_seconds:.1f} s", "")
    table.add_row(
        "settle",
        f"root {_short(batch.old_root)} -> {_short(batch.new_root)}, "
        f"{len(batch.withdrawals)} withdrawal claimable",
        f"{report.submit_gas:,}",
    )
    table.add_row("per trade", f"{report.story.trades} trades in the batch", f"{report.gas_per_trade:,.0f}")
    table.add_row(
        "claim", f"alice receives {report.claimed_wei / 10**18:g} ETH on L1", f"{report.claim_gas:,}"
    )
    rebuilt = "matches" if report.rebuilt_root == batch.new_root else "DIFFERS"
    table.add_row("replay", f"state rebuilt from calldata alone: root {rebuilt}", "")
    Console().print(table)


def _short(root: int) -> str:
    text = f"{root:064x}"
    return f"0x{text[:8]}…{text[-4:]}"


def register(main: click.Group) -> None:
    main.add_command(demo)
