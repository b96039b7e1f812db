"""Settlement operations on chain: deploy verifier, rollup and test token; deposit; submit; claim; read."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from verifier.chain import Chain
from verifier.chain_errors import ChainError, ContractRevert
from verifier.solidity_args import proof_args, verifying_key_args
from verifier.types import Proof, VerifyingKey

DEFAULT_ETH_QUANTUM = 10**9  # wei per L2 unit of ETH: 64-bit amounts then reach 18e9 ETH
DEFAULT_TOKEN_QUANTUM = 1


@dataclass(frozen=True)
class Deployment:
    verifier: str
    rollup: str
    token: str | None = None  # the collateral token (a TestToken), or None for ETH collateral


@dataclass(frozen=True)
class RollupStatus:
    state_root: int
    batch_number: int
    deposit_head: int
    deposit_tail: int
    owner: str
    operator: str
    pending_operator: str
    verifier: str
    collateral_token: str  # the zero address for ETH
    quantum: int


def deploy_verifier(chain: Chain, vk: VerifyingKey) -> Contract:
    """Groth16Verifier.sol holding ``vk`` (which must have one public input)."""
    return chain.deploy("Groth16Verifier", *verifying_key_args(vk))


def deploy_rollup(
    chain: Chain,
    verifier: str,
    genesis_root: int,
    *,
    operator: str | None = None,
    collateral_token: str | None = None,
    quantum: int | None = None,
) -> Contract:
    """ZkClearRollup over a deployed verifier, owned by the chain's account; its collateral is ETH, or
    the ERC-20 at ``collateral_token``, at ``quantum`` base units per L2 unit."""
    if quantum is None:
        quantum = DEFAULT_TOKEN_QUANTUM if collateral_token else DEFAULT_ETH_QUANTUM
    return chain.deploy(
        "ZkClearRollup",
        verifier,
        genesis_root.to_bytes(32, "big"),
        operator or chain.account.address,
        collateral_token or "0x" + "00" * 20,
        quantum,
    )


def deploy_settlement(
    chain: Chain,
    vk: VerifyingKey,
    genesis_root: int,
    *,
    operator: str | None = None,
    quantum: int | None = None,
    test_token: bool = False,
) -> Deployment:
    """Verifier and rollup; with ``test_token``, the collateral is a freshly deployed TestToken."""
    verifier = deploy_verifier(chain, vk)
    token = chain.deploy("TestToken", "zkclear test USD", "tUSD").address if test_token else None
    rollup = deploy_rollup(
        chain, verifier.address, genesis_root, operator=operator, collateral_token=token, quantum=quantum
    )
    return Deployment(verifier=verifier.address, rollup=rollup.address, token=token)


def deposit_eth(
    chain: Chain, rollup: Contract, l2_key: int, wei: int, sender: LocalAccount | None = None
) -> int:
    """Queue an ETH deposit (the collateral must be ETH); returns its queue index."""
    receipt = chain.transact(rollup.functions.depositEth(l2_key), value=wei, sender=sender)
    return _queued_index(rollup, receipt)


def deposit_token(
    chain: Chain, rollup: Contract, l2_key: int, amount: int, sender: LocalAccount | None = None
) -> int:
    """Approve the rollup for its collateral token, then queue the deposit; returns its queue index."""
    token = chain.contract("TestToken", chain.call(rollup.functions.collateralToken()))
    quantum = chain.call(rollup.functions.quantum())
    chain.transact(token.functions.approve(rollup.address, amount * quantum), sender=sender)
    receipt = chain.transact(rollup.functions.depositToken(l2_key, amount), sender=sender)
    return _queued_index(rollup, receipt)


def _queued_index(rollup: Contract, receipt: TxReceipt) -> int:
    (event,) = rollup.events.DepositQueued().process_receipt(receipt, errors=DISCARD)
    return int(event["args"]["index"])


def submit_batch(
    chain: Chain,
    rollup: Contract,
    new_root: int,
    pubdata: bytes,
    proof: Proof,
    sender: LocalAccount | None = None,
) -> TxReceipt:
    """Settle a proven batch; raises ContractRevert (e.g. InvalidProof, DepositMismatch) on refusal."""
    a, b, c = proof_args(proof)
    return chain.transact(
        rollup.functions.submitBatch(new_root.to_bytes(32, "big"), pubdata, a, b, c), sender=sender
    )


def claim_withdrawal(
    chain: Chain, rollup: Contract, recipient: str, sender: LocalAccount | None = None
) -> TxReceipt:
    """Pay ``recipient`` its claimable collateral; raises ContractRevert (NothingToClaim) if none."""
    return chain.transact(rollup.functions.claimWithdrawal(recipient), sender=sender)


def rollup_status(chain: Chain, rollup: Contract) -> RollupStatus:
    f = rollup.functions
    return RollupStatus(
        state_root=int.from_bytes(chain.call(f.stateRoot()), "big"),
        batch_number=chain.call(f.batchNumber()),
        deposit_head=chain.call(f.depositHead()),
        deposit_tail=chain.call(f.depositTail()),
        owner=chain.call(f.owner()),
        operator=chain.call(f.operator()),
        pending_operator=chain.call(f.pendingOperator()),
        verifier=chain.call(f.verifier()),
        collateral_token=chain.call(f.collateralToken()),
        quantum=chain.call(f.quantum()),
    )


@dataclass(frozen=True)
class SettledBatch:
    number: int
    old_root: int
    new_root: int
    commitment: int
    pubdata: bytes
    transaction: str


def settled_batches(chain: Chain, rollup: Contract, from_block: int = 0) -> list[SettledBatch]:
    """Every settled batch with its pubdata, read back from the chain alone (BatchSettled events and
    the calldata of their transactions, which must call submitBatch directly)."""
    batches = []
    for event in rollup.events.BatchSettled().get_logs(from_block=from_block):
        tx = chain.w3.eth.get_transaction(event["transactionHash"])
        function, args = rollup.decode_function_input(tx["input"])
        if function.fn_name != "submitBatch":
            raise ChainError(f"batch {event['args']['batchNumber']} was not submitted by a direct call")
        batches.append(
            SettledBatch(
                number=event["args"]["batchNumber"],
                old_root=int.from_bytes(event["args"]["oldRoot"], "big"),
                new_root=int.from_bytes(event["args"]["newRoot"], "big"),
                commitment=event["args"]["commitment"],
                pubdata=bytes(args["pubdata"]),
                transaction=event["transactionHash"].to_0x_hex(),
            )
        )
    return batches


def verify_onchain(chain: Chain, verifier: Contract, public: list[int], proof: Proof) -> bool:
    """verifyProof on a deployed verifier (ours or snarkjs's: same signature)."""
    a, b, c = proof_args(proof)
    return bool(chain.call(verifier.functions.verifyProof(a, b, c, public)))


def verifier_accepts(chain: Chain, verifier: Contract, public: list[int], proof: Proof) -> bool:
    """verifyProof on a deployed verifier, a PrecompileFailed revert (B refused by the pairing
    precompile) counting as rejection."""
    try:
        return verify_onchain(chain, verifier, public, proof)
    except ContractRevert as exc:
        if exc.name == "PrecompileFailed":
            return False
        raise


def verify_onchain_accepts(
    chain: Chain, vk: VerifyingKey, public: list[int], proof: Proof, verifier_address: str | None = None
) -> bool:
    """Whether Groth16Verifier (at ``verifier_address``, else freshly deployed for ``vk``) accepts the
    proof."""
    if len(public) != vk.n_public:
        raise ValueError(f"{len(public)} public inputs given, the key takes {vk.n_public}")
    if verifier_address:
        verifier = chain.contract("Groth16Verifier", verifier_address)
    else:
        verifier = deploy_verifier(chain, vk)
    return verifier_accepts(chain, verifier, public, proof)
