"""Settlement on the ZkClearRollup contract (verifier/settlement.py): the pipeline's Settlement."""

from __future__ import annotations

from web3 import Web3
from web3.contract import Contract

from rollup.operator.store import BatchRow
from verifier.chain import Chain
from verifier.settlement import submit_batch
from verifier.snarkjs_json import proof_from_json


class ChainSettlement:
    """``submit`` sends a proved batch's new root, pubdata and proof (and waits for its receipt;
    a refusal raises ContractRevert); ``settled`` reads the receipt of that transaction."""

    def __init__(self, chain: Chain, rollup: Contract) -> None:
        self.chain, self.rollup = chain, rollup

    def submit(self, batch: BatchRow) -> str:
        proof = proof_from_json(batch.proof, f"batch {batch.id}'s proof")
        receipt = submit_batch(self.chain, self.rollup, batch.new_root, batch.pubdata, proof)
        return Web3.to_hex(receipt["transactionHash"])

    def settled(self, tx: str) -> bool:
        return self.chain.w3.eth.get_transaction_receipt(tx)["status"] == 1
