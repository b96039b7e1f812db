"""The demo end to end on one chain: deploy, deposit, seal the story's batch, prove, submit, claim.

``run_demo`` returns what happened (roots, gas, times) for the command line to print; each long step
goes through ``step(name, fn)`` so the caller can show progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from eth_account import Account
from web3.contract import Contract

from rollup.demo.scenario import ALICE, SHAPE, USERS, Story, genesis, story
from rollup.exchange.replay import replay
from rollup.exchange.transition import BatchResult, apply_batch
from verifier.chain import Chain
from verifier.proven_batch import ProvenBatch
from verifier.settlement import (
    claim_withdrawal,
    deploy_settlement,
    deposit_eth,
    rollup_status,
    settled_batches,
    submit_batch,
)
from verifier.types import Proof, VerifyingKey

T = TypeVar("T")
Step = Callable[[str, Callable[[], Any]], Any]
QUANTUM = 10**12  # wei per L2 unit: Alice's 20,000 units are 0.02 ETH
USER_FUNDS = 10**18  # wei each demo user gets on L1 to deposit from


class Prover(Protocol):
    """What the demo needs of a batch prover (rollup.exchange.proving.BatchProver)."""

    @property
    def verifying_key(self) -> VerifyingKey: ...

    def prove(self, result: BatchResult) -> tuple[Proof, list[int]]: ...


@dataclass(frozen=True)
class DemoReport:
    story: Story
    batch: ProvenBatch
    deposit_gas: list[int]
    submit_gas: int
    claim_gas: int
    claimed_wei: int
    seal_seconds: float
    prove_seconds: float
    rebuilt_root: int  # the state root rebuilt from the settled calldata alone

    @property
    def gas_per_trade(self) -> float:
        return self.submit_gas / self.story.trades


def _timed(step: Step, name: str, fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = step(name, fn)
    return result, time.perf_counter() - started


def run_demo(prover: Prover, step: Step = lambda name, fn: fn()) -> DemoReport:
    """The story on a fresh embedded chain; raises if any stage disagrees with the one before."""
    chain = Chain.embedded()
    state = genesis()
    deployment = step(
        "deploying the verifier and the rollup",
        lambda: deploy_settlement(chain, prover.verifying_key, state.root, quantum=QUANTUM),
    )
    rollup = chain.contract("ZkClearRollup", deployment.rollup)
    the_story = story()
    deposit_gas = step(
        "depositing ETH for alice, bob and carol", lambda: _deposit_all(chain, rollup, the_story)
    )
    result, seal_seconds = _timed(
        step,
        f"sealing the batch ({len(SHAPE.slots)} slots)",
        lambda: apply_batch(state, SHAPE, the_story.ops),
    )
    (proof, public), prove_seconds = _timed(step, "proving the batch", lambda: prover.prove(result))
    batch = ProvenBatch(
        0, result.old_root, result.new_root, result.pubdata, 0, proof, tuple(public), SHAPE.slots
    )
    receipt = step(
        "submitting the batch", lambda: submit_batch(chain, rollup, batch.new_root, batch.pubdata, proof)
    )
    if rollup_status(chain, rollup).state_root != result.new_root:
        raise RuntimeError("the rollup's state root did not move to the batch's new root")
    (settled,) = settled_batches(chain, rollup)
    rebuilt = replay(state, settled.pubdata).root
    before = chain.w3.eth.get_balance(ALICE.l1_address)
    claim = step("claiming alice's withdrawal", lambda: claim_withdrawal(chain, rollup, ALICE.l1_address))
    return DemoReport(
        story=the_story,
        batch=batch,
        deposit_gas=deposit_gas,
        submit_gas=receipt["gasUsed"],
        claim_gas=claim["gasUsed"],
        claimed_wei=chain.w3.eth.get_balance(ALICE.l1_address) - before,
        seal_seconds=seal_seconds,
        prove_seconds=prove_seconds,
        rebuilt_root=rebuilt,
    )


def _deposit_all(chain: Chain, rollup: Contract, the_story: Story) -> list[int]:
    """Each user funds an L1 account and deposits through the queue, in the order the batch consumes;
    returns the gas of each deposit (the embedded chain mines each transaction in a block of its own)."""
    gas = []
    for user, deposit in zip(USERS, the_story.deposits, strict=True):
        sender = Account.from_key(user.l1_secret)
        chain.send_eth(sender.address, USER_FUNDS)
        deposit_eth(chain, rollup, deposit.l2_key, deposit.amount * QUANTUM, sender=sender)
        gas.append(chain.w3.eth.get_block("latest")["gasUsed"])
    return gas
