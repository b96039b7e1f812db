"""Settlement commands: ``zkclear submit``, ``zkclear verify [--onchain]``, ``zkclear withdraw claim``.

They act on a proven-batch file (docs/batch_file.md) and a deployed rollup. Exit codes: 0 done or
valid, 1 a proof the verifier (or the rollup) rejects, 2 bad input or a refusal by the chain (one line).
"""

from __future__ import annotations

import click

from cli_commands.common import (
    BadInput,
    ChainOptions,
    bad_input_is_exit_2,
    chain_errors_as_bad_input,
    chain_options,
    load_any_verifying_key,
)

REJECTED_PROOF = ("InvalidProof", "PrecompileFailed")
input_file = click.Path(dir_okay=False)
rollup_option = click.option("--rollup", "rollup_address", help="Address of the deployed ZkClearRollup.")


def _remote(options: ChainOptions, command: str):
    """A node is needed: the embedded chain would start empty, without the rollup."""
    if options.rpc_url is None:
        raise BadInput(f"{command} needs a node with the rollup: give --rpc-url (or $ZKCLEAR_RPC_URL)")
    return options.connect()


def _rollup(chain, address: str | None):
    if not address:
        raise BadInput("give the rollup's address with --rollup")
    return chain_errors_as_bad_input(lambda: chain.contract("ZkClearRollup", address))


@click.command("submit")
@click.argument("batch_file", type=input_file)
@rollup_option
@chain_options
@bad_input_is_exit_2
def submit(batch_file: str, rollup_address: str | None, options: ChainOptions) -> None:
    """Settle a proven batch on the rollup (submitBatch): the proof, the roots, the deposit queue."""
    from verifier.chain_errors import ChainError, ContractRevert
    from verifier.proven_batch import load_batch
    from verifier.settlement import rollup_status, submit_batch

    batch = load_batch(batch_file)
    chain = _remote(options, "submit")
    rollup = _rollup(chain, rollup_address)
    status = chain_errors_as_bad_input(lambda: rollup_status(chain, rollup))
    if (batch.batch_number, batch.old_root) != (status.batch_number, status.state_root):
        raise BadInput(
            f"{batch_file}: batch {batch.batch_number} starts from root 0x{batch.old_root:x}, the rollup "
            f"awaits batch {status.batch_number} from root 0x{status.state_root:x}"
        )
    if batch.first_deposit != status.deposit_head:
        raise BadInput(
            f"{batch_file}: consumes deposits from {batch.first_deposit}, "
            f"the queue's head is {status.deposit_head}"
        )
    if batch.first_deposit + batch.deposit_count > status.deposit_tail:
        raise BadInput(
            f"{batch_file}: consumes deposits up to {batch.first_deposit + batch.deposit_count}, "
            f"the queue holds {status.deposit_tail}"
        )
    try:
        receipt = submit_batch(chain, rollup, batch.new_root, batch.pubdata, batch.proof)
    except ContractRevert as exc:
        if exc.name in REJECTED_PROOF:
            click.echo(f"INVALID: the rollup rejected the proof ({exc.name})", err=True)
            raise SystemExit(1) from exc
        raise BadInput(f"{batch_file}: the rollup refused the batch: {exc}") from exc
    except ChainError as exc:
        raise BadInput(f"{batch_file}: {exc}") from exc
    click.echo(
        f"settled batch {batch.batch_number}: root 0x{batch.old_root:x} -> 0x{batch.new_root:x}, "
        f"{batch.deposit_count} deposits, {len(batch.withdrawals)} withdrawals claimable, "
        f"gas {receipt['gasUsed']:,}, tx {receipt['transactionHash'].to_0x_hex()}"
    )


@click.command("verify")
@click.argument("files", nargs=-1, required=True, type=input_file)
@click.option("--onchain", is_flag=True, help="Check with verifyProof on chain rather than in Python.")
@click.option("--key", "key_file", type=input_file, help="verification_key.json or a .zkey.")
@click.option("--verifier", "verifier_address", help="A deployed Groth16Verifier (with --onchain).")
@rollup_option
@chain_options
@bad_input_is_exit_2
def verify(
    files: tuple[str, ...],
    onchain: bool,
    key_file: str | None,
    verifier_address: str | None,
    rollup_address: str | None,
    options: ChainOptions,
) -> None:
    """Verify a proven batch (BATCH_FILE) or a proof (PUBLIC_JSON PROOF_JSON). Exit 0 valid, 1 invalid.

    With --onchain the deployed verifier decides: --verifier, or the one --rollup uses; on the embedded
    chain (no --rpc-url) a verifier for --key is deployed first. Without it, Python checks with --key.
    """
    public, proof = _public_and_proof(files)
    vk = load_any_verifying_key(key_file) if key_file else None
    if onchain:
        valid = chain_errors_as_bad_input(
            lambda: _verify_onchain(options, vk, public, proof, verifier_address, rollup_address)
        )
        where = " (on chain)"
    else:
        from verifier.groth16 import verify as verify_python

        if vk is None:
            raise BadInput("give the verifying key with --key (or check on chain with --onchain)")
        valid = verify_python(vk, public, proof)
        where = ""
    click.echo(f"OK: valid proof{where}" if valid else f"INVALID: proof rejected{where}")
    if not valid:
        raise SystemExit(1)


def _public_and_proof(files: tuple[str, ...]):
    from verifier.proven_batch import load_batch
    from verifier.snarkjs_json import load_proof, load_public

    if len(files) == 1:
        batch = load_batch(files[0])
        return list(batch.public), batch.proof
    if len(files) == 2:
        return load_public(files[0]), load_proof(files[1])
    raise BadInput("give one proven-batch file, or public.json and proof.json")


def _verify_onchain(options, vk, public, proof, verifier_address, rollup_address) -> bool:
    from verifier.settlement import verifier_accepts, verify_onchain_accepts

    chain = options.connect()
    if rollup_address and not verifier_address:
        verifier_address = chain.call(_rollup(chain, rollup_address).functions.verifier())
    if verifier_address:
        if len(public) != 1:
            raise BadInput(f"the rollup's verifier takes one public input, {len(public)} given")
        return verifier_accepts(chain, chain.contract("Groth16Verifier", verifier_address), public, proof)
    if vk is None:
        raise BadInput("give --verifier or --rollup (a deployed verifier) or --key (to deploy one)")
    return verify_onchain_accepts(chain, vk, public, proof)


@click.group("withdraw")
def withdraw() -> None:
    """Withdrawals settled by a batch."""


@withdraw.command("claim")
@click.argument("recipient", required=False)
@rollup_option
@chain_options
@bad_input_is_exit_2
def withdraw_claim(recipient: str | None, rollup_address: str | None, options: ChainOptions) -> None:
    """Pay RECIPIENT (default: the signer) everything a settled batch made claimable."""
    from web3 import Web3

    from verifier.settlement import claim_withdrawal

    chain = _remote(options, "withdraw claim")
    rollup = _rollup(chain, rollup_address)
    recipient = recipient or chain.account.address
    if not Web3.is_address(recipient):
        raise BadInput(f"{recipient!r} is not an address")
    recipient = Web3.to_checksum_address(recipient)
    claimable = chain_errors_as_bad_input(lambda: chain.call(rollup.functions.claimable(recipient)))
    if not claimable:
        raise BadInput(f"nothing is claimable for {recipient}")
    quantum = chain.call(rollup.functions.quantum())
    receipt = chain_errors_as_bad_input(lambda: claim_withdrawal(chain, rollup, recipient))
    click.echo(
        f"claimed {claimable} units ({claimable * quantum} base units) for {recipient}, "
        f"gas {receipt['gasUsed']:,}, tx {receipt['transactionHash'].to_0x_hex()}"
    )


def register(main: click.Group) -> None:
    for command in (submit, verify, withdraw):
        main.add_command(command)
