"""The ``zkclear`` command line: snarkjs-compatible Groth16 verbs and the exchange's commands."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zkclear")
def main() -> None:
    """zkclear: a zero-knowledge proven clearinghouse for perpetual futures."""


# ---------------------------------------------------------------------------------------------------
# zkclear chain: settlement contracts (verifier/).
# Exit codes: 0 ok or valid, 1 invalid proof, 2 bad input (one-line message, no traceback).
# Without --rpc-url every command runs on a fresh embedded py-evm chain that lives only for that one
# process: useful to try deploy or an on-chain verification, not to keep state between commands.
# ---------------------------------------------------------------------------------------------------


class BadInput(click.ClickException):
    """A user error: exit code 2 and a one-line message."""

    exit_code = 2


class ChainOptions:
    """The chain a command talks to, connected on first use."""

    def __init__(self, rpc_url: str | None, keystore: str | None) -> None:
        self.rpc_url = rpc_url
        self.keystore = keystore

    def connect(self):
        from verifier.chain import Chain
        from verifier.chain_errors import ChainError
        from verifier.chain_keys import load_account

        if self.rpc_url is None:
            return Chain.embedded()
        try:
            return Chain.connect(self.rpc_url, load_account(self.keystore))
        except ChainError as exc:
            raise BadInput(str(exc)) from exc


pass_chain_options = click.make_pass_decorator(ChainOptions)


def _chain_errors_as_bad_input(action):
    from verifier.chain_errors import ChainError
    from verifier.snarkjs_json import JsonFormatError

    try:
        return action()
    except (ChainError, JsonFormatError, ValueError) as exc:
        raise BadInput(str(exc).splitlines()[0]) from exc


@main.group("chain")
@click.option(
    "--rpc-url",
    envvar="ZKCLEAR_RPC_URL",
    help="JSON-RPC node (default: an embedded chain for this process only). The signing key comes from "
    "$ZKCLEAR_PRIVATE_KEY or --keystore (password in $ZKCLEAR_KEYSTORE_PASSWORD), never from arguments.",
)
@click.option("--keystore", type=click.Path(dir_okay=False), help="Encrypted JSON keystore of the signer.")
@click.pass_context
def chain_group(ctx: click.Context, rpc_url: str | None, keystore: str | None) -> None:
    """Deploy and inspect the settlement contracts; verify proofs on chain."""
    ctx.obj = ChainOptions(rpc_url, keystore)


@chain_group.command("deploy")
@click.argument("verification_key", type=click.Path(dir_okay=False))
@click.option("--genesis-root", default="0", help="Initial state root (decimal or 0x-hex, below r).")
@click.option("--operator", help="Operator address (default: the deployer).")
@click.option("--eth-quantum", type=int, default=None, help="Wei per L2 unit of ETH (default 1 gwei).")
@click.option("--test-token", is_flag=True, help="Also deploy a mintable TestToken as asset 1.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the addresses to this JSON file.")
@pass_chain_options
def chain_deploy(options, verification_key, genesis_root, operator, eth_quantum, test_token, out) -> None:
    """Deploy Groth16Verifier (holding VERIFICATION_KEY, snarkjs JSON) and ZkClearRollup."""
    from verifier.settlement import DEFAULT_ETH_QUANTUM, deploy_settlement
    from verifier.snarkjs_json import load_verifying_key

    def deploy() -> dict[str, object]:
        vk = load_verifying_key(verification_key)
        chain = options.connect()
        deployment = deploy_settlement(
            chain,
            vk,
            int(genesis_root, 0),
            operator=operator,
            eth_quantum=eth_quantum or DEFAULT_ETH_QUANTUM,
            test_token=test_token,
        )
        return {"chain_id": chain.w3.eth.chain_id, **dataclasses.asdict(deployment)}

    result = _chain_errors_as_bad_input(deploy)
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

    click.echo(json.dumps(_chain_errors_as_bad_input(status), indent=1))


@chain_group.command("verify")
@click.argument("verification_key", type=click.Path(dir_okay=False))
@click.argument("public", type=click.Path(dir_okay=False))
@click.argument("proof", type=click.Path(dir_okay=False))
@click.option("--verifier", "verifier_address", help="A deployed verifier (default: deploy one for the key).")
@pass_chain_options
def chain_verify(options, verification_key, public, proof, verifier_address) -> None:
    """Check PROOF for PUBLIC with verifyProof on chain (snarkjs JSON files). Exit 0 valid, 1 invalid."""
    from verifier.settlement import verify_onchain_accepts
    from verifier.snarkjs_json import load_proof, load_public, load_verifying_key

    def check() -> bool:
        vk, values, loaded = load_verifying_key(verification_key), load_public(public), load_proof(proof)
        return verify_onchain_accepts(options.connect(), vk, values, loaded, verifier_address)

    valid = _chain_errors_as_bad_input(check)
    click.echo("OK: valid proof (on chain)" if valid else "INVALID: proof rejected on chain")
    if not valid:
        raise SystemExit(1)


# --------------------------------------------------------------------------- end of zkclear chain


if __name__ == "__main__":
    main()
