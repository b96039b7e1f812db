"""The ``zkclear`` command line: snarkjs-compatible Groth16 verbs and the exchange's commands.

Exit codes: 0 success (a proof verifies), 1 a proof does not verify, 2 bad input (a one-line message
naming the file and what is wrong).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli_commands.common import (
    RPC_URL_HELP,
    BadInput,
    ChainOptions,
    Progress,
    backend_option,
    bad_input_is_exit_2,
    chain_errors_as_bad_input,
    load_any_verifying_key,
    pass_chain_options,
    quiet_option,
    ready_backend,
)

EXAMPLE_INPUTS: dict[str, dict[str, int]] = {
    "mulchain": {"x": 3},
    "public": {"a": 3, "b": 21, "c": 5, "w": 7},
    "range64": {"value": 2**64 - 1},
}


existing_file = click.Path(exists=True, dir_okay=False)

# Command modules imported only when one of their commands is asked for (or listed): proving
# imports none of the venue's, the demo's or the server's modules (sqlite3, logging, rollup...).
# Each names a click command to add, or a ``register(group)`` function that adds its commands.
DEFERRED_COMMANDS = (
    "cli_commands.settle:register",
    "cli_commands.demo:register",
    "cli_commands.venue:register",
    "rollup.operator.serve_command:serve",
)


class DeferredGroup(click.Group):
    """A click group whose :data:`DEFERRED_COMMANDS` are added the first time a command it does not
    hold yet is looked up or the commands are listed (``--help``)."""

    deferred_added = False

    def _add_deferred(self) -> None:
        if self.deferred_added:
            return
        self.deferred_added = True
        for spec in DEFERRED_COMMANDS:
            module, name = spec.split(":")
            found = getattr(importlib.import_module(module), name)
            if isinstance(found, click.Command):
                self.add_command(found)
            else:
                found(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._add_deferred()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_deferred()
        return super().list_commands(ctx)


@click.group(cls=DeferredGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zkclear")
def main() -> None:
    """zkclear: a zero-knowledge proven clearinghouse for perpetual futures."""


@main.group()
def groth16() -> None:
    """Groth16 over BN254, file-compatible with snarkjs."""


@groth16.command("setup")
@click.argument("r1cs_file", type=existing_file)
@click.argument("ptau_file", type=existing_file)
@click.argument("zkey_file", type=click.Path(dir_okay=False))
@bad_input_is_exit_2
def groth16_setup(r1cs_file: str, ptau_file: str, zkey_file: str) -> None:
    """Make a proving key from a circuit and a prepared powers of tau (random local δ: development only)."""
    from circuits.r1cs import read_r1cs
    from prover.ptau import read_ptau
    from prover.setup import setup
    from prover.zkey import write_zkey

    r1cs = read_r1cs(r1cs_file)
    pk = setup(r1cs, read_ptau(ptau_file))
    write_zkey(pk, zkey_file)
    click.echo(f"{zkey_file}: {r1cs.n_constraints} constraints, domain 2^{pk.log_domain_size}")


@groth16.command("dev-setup")
@click.argument("r1cs_file", type=existing_file)
@click.argument("zkey_file", type=click.Path(dir_okay=False))
@quiet_option
@bad_input_is_exit_2
def groth16_dev_setup(r1cs_file: str, zkey_file: str, quiet: bool) -> None:
    """Make a proving key from a circuit and toxic waste drawn here and forgotten: seconds at any size
    (no ptau), but whoever could read this process's memory can forge proofs. Development only."""
    from circuits.r1cs import read_r1cs
    from prover.dev_setup import dev_setup
    from prover.zkey import write_zkey

    progress = Progress(quiet)
    ready_backend("fast", progress)
    r1cs = read_r1cs(r1cs_file)
    pk = progress.step("setup", lambda: dev_setup(r1cs))
    write_zkey(pk, zkey_file)
    click.echo(f"{zkey_file}: {r1cs.n_constraints} constraints, domain 2^{pk.log_domain_size}")


@groth16.command("prove")
@click.argument("zkey_file", type=existing_file)
@click.argument("wtns_file", type=existing_file)
@click.argument("proof_file", type=click.Path(dir_okay=False))
@click.argument("public_file", type=click.Path(dir_okay=False))
@backend_option
@click.option(
    "--r1cs", "r1cs_file", type=existing_file, help="Check the witness first, naming a broken constraint."
)
@click.option("--no-verify", is_flag=True, help="Skip the check that the new proof verifies.")
@quiet_option
@bad_input_is_exit_2
def groth16_prove(
    zkey_file: str,
    wtns_file: str,
    proof_file: str,
    public_file: str,
    backend: str,
    r1cs_file: str | None,
    no_verify: bool,
    quiet: bool,
) -> None:
    """Prove with a .zkey and a .wtns; writes snarkjs's proof.json and public.json."""
    from circuits.wtns import read_wtns_bytes
    from prover.groth16 import UnsatisfiedWitness, prove
    from prover.zkey import read_zkey
    from verifier.snarkjs_json import save_proof, save_public

    progress = Progress(quiet)
    pk = progress.step("reading proving key", lambda: read_zkey(zkey_file))
    witness = read_wtns_bytes(wtns_file)
    r1cs = None
    if r1cs_file:
        from circuits.r1cs import read_r1cs

        r1cs = read_r1cs(r1cs_file)
    ready_backend(backend, progress)
    action = "proving" if no_verify else "proving and checking the proof"
    try:
        proof, public = progress.step(
            action, lambda: prove(pk, witness, backend=backend, r1cs=r1cs, verify_proof=not no_verify)
        )
    except (UnsatisfiedWitness, ValueError) as exc:
        raise BadInput(f"{wtns_file}: {exc}") from exc
    save_proof(proof, proof_file)
    save_public(public, public_file)


@groth16.command("verify")
@click.argument("vk_file", type=existing_file)
@click.argument("public_file", type=existing_file)
@click.argument("proof_file", type=existing_file)
@bad_input_is_exit_2
def groth16_verify(vk_file: str, public_file: str, proof_file: str) -> None:
    """Verify snarkjs JSON files; exit 0 if the proof is valid, 1 if not."""
    from verifier.groth16 import VerificationInputError, verify
    from verifier.snarkjs_json import load_proof, load_public, load_verifying_key

    vk = load_verifying_key(vk_file)
    public = load_public(public_file)
    proof = load_proof(proof_file)
    try:
        valid = verify(vk, public, proof)
    except VerificationInputError as exc:
        raise BadInput(f"{proof_file} / {public_file}: {exc}") from exc
    if not valid:
        click.echo("Invalid proof", err=True)
        raise SystemExit(1)
    click.echo("OK!")


@main.group()
def zkey() -> None:
    """Proving-key (.zkey) utilities."""


@zkey.group("export")
def zkey_export() -> None:
    """Export parts of a .zkey."""


@zkey_export.command("verificationkey")
@click.argument("zkey_file", type=existing_file)
@click.argument("vk_file", type=click.Path(dir_okay=False))
@bad_input_is_exit_2
def zkey_export_verificationkey(zkey_file: str, vk_file: str) -> None:
    """Write snarkjs's verification_key.json for a .zkey."""
    from prover.zkey import read_zkey
    from verifier.snarkjs_json import save_verifying_key

    save_verifying_key(read_zkey(zkey_file).verifying_key(), vk_file)


@main.group()
def ptau() -> None:
    """Powers-of-tau (.ptau) files."""


@ptau.command("new")
@click.argument("power", type=click.IntRange(1, 27))
@click.argument("ptau_file", type=click.Path(dir_okay=False))
@bad_input_is_exit_2
def ptau_new(power: int, ptau_file: str) -> None:
    """A prepared 2^POWER ceremony from local randomness: for development only."""
    from prover.ptau import new_ptau

    started = time.perf_counter()
    new_ptau(power, ptau_file)
    click.echo(f"{ptau_file}: 2^{power} powers in {time.perf_counter() - started:.1f} s")


@main.command()
@click.option("--circuit", type=click.Choice(sorted(EXAMPLE_INPUTS)), default="mulchain", show_default=True)
@click.option(
    "--dir", "out_dir", type=click.Path(file_okay=False), help="Keep the files here (default: temporary)."
)
@backend_option
@quiet_option
@bad_input_is_exit_2
def example(circuit: str, out_dir: str | None, backend: str, quiet: bool) -> None:
    """End to end on a sample circuit: .r1cs, .wtns, dev ptau, setup, prove, verify."""
    progress = Progress(quiet)
    if out_dir:
        _run_example(circuit, Path(out_dir), backend, progress)
        click.echo(f"  files in {out_dir}")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _run_example(circuit, Path(tmp), backend, progress)


@main.command()
def warmup() -> None:
    """Compile the fast prover's kernels into the on-disk cache (or load them), so proving starts at once."""
    from prover.backends.fast import kernels_cold, warm_up

    cold = kernels_cold()
    started = time.perf_counter()
    if cold:
        click.echo("compiling prover kernels (first run only, about a minute)...", err=True)
    warm_up()
    state = "compiled" if cold else "loaded from the cache"
    click.echo(f"prover kernels {state} in {time.perf_counter() - started:.1f} s")


def _run_example(circuit: str, out: Path, backend: str, progress: Progress) -> None:
    from circuits.cs import compile_circuit, solve
    from circuits.r1cs import read_r1cs, write_r1cs
    from circuits.samples import SAMPLES
    from circuits.wtns import read_wtns_bytes, write_wtns
    from prover.groth16 import prove
    from prover.ptau import new_ptau, read_ptau
    from prover.setup import domain_log_size, setup
    from prover.zkey import read_zkey, write_zkey
    from verifier.groth16 import verify
    from verifier.snarkjs_json import load_proof, load_public, save_proof, save_public

    out.mkdir(parents=True, exist_ok=True)
    timings: list[tuple[str, float]] = []

    def step(name: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = progress.step(name, fn)
        timings.append((name, time.perf_counter() - started))
        return result

    ready_backend(backend, progress)

    define = SAMPLES[circuit]()
    r1cs = step("compile", lambda: compile_circuit(define))
    witness = step("witness", lambda: solve(define, EXAMPLE_INPUTS[circuit]))
    write_r1cs(r1cs, out / "circuit.r1cs")
    write_wtns(witness, out / "witness.wtns")
    power = domain_log_size(r1cs)
    step("ptau new", lambda: new_ptau(power, out / "pot.ptau"))
    pk = step("setup", lambda: setup(read_r1cs(out / "circuit.r1cs"), read_ptau(out / "pot.ptau")))
    write_zkey(pk, out / "circuit.zkey")
    pk = read_zkey(out / "circuit.zkey")
    proof, public = step(
        "prove", lambda: prove(pk, read_wtns_bytes(out / "witness.wtns"), backend=backend, verify_proof=False)
    )
    save_proof(proof, out / "proof.json")
    save_public(public, out / "public.json")
    valid = step(
        "verify",
        lambda: verify(pk.verifying_key(), load_public(out / "public.json"), load_proof(out / "proof.json")),
    )
    click.echo(
        f"circuit {circuit}: {r1cs.n_constraints} constraints, {r1cs.n_wires} wires, "
        f"{r1cs.n_public} public, domain 2^{power}, backend {backend}"
    )
    click.echo("  " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings))
    click.echo(f"  public signals: {', '.join(map(str, public))}")
    click.echo(f"  proof {'verifies' if valid else 'DOES NOT VERIFY'}")
    if not valid:
        raise SystemExit(1)


# ---------------------------------------------------------------------------------------------------
# zkclear chain: settlement contracts (verifier/).
# Exit codes: 0 ok or valid, 1 invalid proof, 2 bad input (one-line message, no traceback).
# Without --rpc-url every command runs on a fresh embedded py-evm chain that lives only for that one
# process: useful to try deploy or an on-chain verification, not to keep state between commands.
# ---------------------------------------------------------------------------------------------------


@main.group("chain")
@click.option("--rpc-url", envvar="ZKCLEAR_RPC_URL", help=RPC_URL_HELP)
@click.option("--keystore", type=click.Path(dir_okay=False), help="Encrypted JSON keystore of the signer.")
@click.pass_context
def chain_group(ctx: click.Context, rpc_url: str | None, keystore: str | None) -> None:
    """Deploy and inspect the settlement contracts; verify proofs on chain."""
    ctx.obj = ChainOptions(rpc_url, keystore)


@chain_group.command("deploy")
@click.argument("verification_key", type=click.Path(dir_okay=False))
@click.option("--genesis-root", default="0", help="Initial state root (decimal or 0x-hex, below r).")
@click.option("--operator", help="Operator address (default: the deployer).")
@click.option(
    "--quantum", type=click.IntRange(min=1), help="Base units per L2 unit (default: 1 gwei, or 1 token unit)."
)
@click.option("--test-token", is_flag=True, help="Collateral: a new mintable TestToken instead of ETH.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the addresses to this JSON file.")
@pass_chain_options
def chain_deploy(options, verification_key, genesis_root, operator, quantum, test_token, out) -> None:
    """Deploy Groth16Verifier (holding VERIFICATION_KEY: snarkjs JSON or a .zkey) and ZkClearRollup."""
    from verifier.settlement import deploy_settlement

    def deploy() -> dict[str, object]:
        vk = load_any_verifying_key(verification_key)
        chain = options.connect()
        deployment = deploy_settlement(
            chain,
            vk,
            int(genesis_root, 0),
            operator=operator,
            quantum=quantum,
            test_token=test_token,
        )
        return {"chain_id": chain.w3.eth.chain_id, **dataclasses.asdict(deployment)}

    result = chain_errors_as_bad_input(deploy)
    text = json.dumps(result, indent=1)
    if out:
        Path(out).write_text(text + "\n")
    click.echo(text)


@chain_group.command("status")
@click.argument("rollup_address")
@pass_chain_options
def chain_status(options, rollup_address) -> None:
    """Print the rollup's state root, batch number, deposit queue and roles."""
    from verifier.settlement import rollup_status

    def status() -> dict[str, object]:
        chain = options.connect()
        found = rollup_status(chain, chain.contract("ZkClearRollup", rollup_address))
        return {**dataclasses.asdict(found), "state_root": hex(found.state_root)}

    click.echo(json.dumps(chain_errors_as_bad_input(status), indent=1))


@chain_group.command("verify")
@click.argument("verification_key", type=click.Path(dir_okay=False))
@click.argument("public", type=click.Path(dir_okay=False))
@click.argument("proof", type=click.Path(dir_okay=False))
@click.option("--verifier", "verifier_address", help="A deployed verifier (default: deploy one for the key).")
@pass_chain_options
def chain_verify(options, verification_key, public, proof, verifier_address) -> None:
    """Check PROOF for PUBLIC with verifyProof on chain (snarkjs JSON files). Exit 0 valid, 1 invalid."""
    from verifier.settlement import verify_onchain_accepts
    from verifier.snarkjs_json import load_proof, load_public

    def check() -> bool:
        vk, values, loaded = load_any_verifying_key(verification_key), load_public(public), load_proof(proof)
        return verify_onchain_accepts(options.connect(), vk, values, loaded, verifier_address)

    valid = chain_errors_as_bad_input(check)
    click.echo("OK: valid proof (on chain)" if valid else "INVALID: proof rejected on chain")
    if not valid:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
