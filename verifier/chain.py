"""A web3 connection with one signing account: the embedded py-evm chain by default, or any RPC node.

Transactions are signed locally (the node needs no unlocked account); a revert, whether found by gas
estimation or by a call, is raised as ``ContractRevert`` naming the contract's custom error.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from hexbytes import HexBytes
from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError, Web3RPCError
from web3.types import TxReceipt

from verifier.chain_errors import ChainError, ContractRevert, decode_revert
from verifier.contract_artifacts import load_artifact

EMBEDDED_TX_GAS = 15_000_000


@contextmanager
def reverts_decoded() -> Iterator[None]:
    """Turn web3's revert exceptions into ``ContractRevert`` with the decoded error, and other refusals
    by the node into ``ChainError``."""
    try:
        yield
    except (ContractCustomError, ContractLogicError, ContractPanicError) as exc:
        data = exc.data if isinstance(exc.data, str) else None
        if data and data.startswith("0x"):
            raise decode_revert(bytes.fromhex(data[2:])) from exc
        raise ContractRevert("Error", (exc.message or str(exc),)) from exc
    except TransactionFailed as exc:
        raise _embedded_revert(str(exc)) from exc
    except Web3RPCError as exc:  # e.g. insufficient funds, a nonce or fee refused by the node
        raise ChainError(f"the node refused: {exc.message or exc}") from exc


def _embedded_revert(message: str) -> ContractRevert:
    """The embedded chain reports "execution reverted: <repr of the revert bytes, or the reason>"."""
    reason = message.removeprefix("execution reverted: ")
    if reason.startswith(("b'", 'b"')):
        try:
            return decode_revert(ast.literal_eval(reason))
        except (ValueError, SyntaxError):
            pass
    return ContractRevert("Error", (reason,))


class Chain:
    """A chain and the account that signs its transactions."""

    def __init__(self, w3: Web3, account: LocalAccount, fixed_gas: int | None = None) -> None:
        self.w3 = w3
        self.account = account
        # The embedded chain estimates gas by bisection, re-running the transaction ~20 times (and its
        # pairings are pure Python): there, send with a fixed gas limit and explain a failure afterwards.
        self.fixed_gas = fixed_gas

    @classmethod
    def embedded(cls) -> Chain:
        """A fresh in-memory py-evm chain (lives as long as this object); signs with its first funded key."""
        tester = EthereumTester(PyEVMBackend())
        w3 = Web3(EthereumTesterProvider(tester))
        return cls(w3, Account.from_key(tester.backend.account_keys[0]), fixed_gas=EMBEDDED_TX_GAS)

    @classmethod
    def connect(cls, rpc_url: str, account: LocalAccount) -> Chain:
        """A node at ``rpc_url`` (HTTP JSON-RPC)."""
        w3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": 120}))
        if not w3.is_connected():
            raise ChainError(f"no JSON-RPC node answers at {rpc_url}")
        return cls(w3, account)

    def contract(self, name: str, address: str) -> Contract:
        """The deployed contract ``name`` (an artifact name) at ``address``."""
        if not Web3.is_address(address):
            raise ChainError(f"{address!r} is not an address")
        address = Web3.to_checksum_address(address)
        if not self.w3.eth.get_code(address):
            raise ChainError(f"no contract at {address}")
        return self.w3.eth.contract(address=address, abi=load_artifact(name)["abi"])

    def deploy(self, name: str, *args: Any, sender: LocalAccount | None = None) -> Contract:
        """Deploy the committed artifact ``name`` with constructor ``args``."""
        return self.deploy_artifact(load_artifact(name), *args, sender=sender)

    def deploy_artifact(
        self, artifact: dict[str, Any], *args: Any, sender: LocalAccount | None = None
    ) -> Contract:
        """Deploy a compiled contract given as {"abi", "bytecode"}."""
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self.transact(factory.constructor(*args), sender=sender)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])

    def transact(
        self,
        call: ContractFunction | Any,
        *,
        value: int = 0,
        sender: LocalAccount | None = None,
        gas: int | None = None,
    ) -> TxReceipt:
        """Sign, send and wait for a contract call (or constructor), gas estimated unless given (or
        fixed for the chain); raises ContractRevert."""
        sender = sender or self.account
        params: dict[str, Any] = {
            "from": sender.address,
            "value": value,
            "nonce": self._nonce(sender.address),
        }
        if gas or self.fixed_gas:
            params["gas"] = gas or self.fixed_gas
        with reverts_decoded():
            tx = call.build_transaction(params)
        return self._send(tx, sender)

    def send_eth(self, to: str, wei: int, sender: LocalAccount | None = None) -> TxReceipt:
        sender = sender or self.account
        tx = {
            "from": sender.address,
            "to": Web3.to_checksum_address(to),
            "value": wei,
            "nonce": self._nonce(sender.address),
            "gas": 21_000,
            "maxFeePerGas": self._max_fee(),
            "maxPriorityFeePerGas": 1,
            "chainId": self.w3.eth.chain_id,
        }
        return self._send(tx, sender)

    def call(self, call: ContractFunction) -> Any:
        """Run a view function; raises ContractRevert."""
        with reverts_decoded():
            return call.call()

    def _nonce(self, address: str) -> int:
        return self.w3.eth.get_transaction_count(address, "pending")

    def _max_fee(self) -> int:
        return 2 * self.w3.eth.get_block("latest")["baseFeePerGas"] + 1

    def _send(self, tx: dict[str, Any], sender: LocalAccount) -> TxReceipt:
        signed = sender.sign_transaction(tx)
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3RPCError as exc:
            raise ChainError(f"the node refused the transaction: {exc}") from exc
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            # Replay it on the state before its block to learn the revert reason (exact where each
            # transaction is mined alone, as on the embedded chain and anvil's automine).
            with reverts_decoded():
                self.w3.eth.call(tx, block_identifier=receipt["blockNumber"] - 1)
            raise ChainError(f"transaction {HexBytes(tx_hash).hex()} failed (status 0)")
        return receipt
