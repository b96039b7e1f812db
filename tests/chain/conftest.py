"""Chain fixtures: every chain test runs on the embedded py-evm chain and on anvil (started here)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account

from tests.chain.snark import CommitmentSnark
from verifier.anvil import ANVIL_DEV_KEY, running_anvil
from verifier.build_contracts import compile_sources
from verifier.chain import Chain

BACKENDS = ("eth-tester", "anvil")


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """An anvil node for the whole session."""
    with running_anvil() as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def chain(request: pytest.FixtureRequest) -> Chain:
    """A chain with a funded signing account: a fresh embedded chain per module, or the session's anvil."""
    if request.param == "eth-tester":
        return Chain.embedded()
    return Chain.connect(request.getfixturevalue("anvil_url"), Account.from_key(ANVIL_DEV_KEY))


@pytest.fixture(scope="session")
def snark(tmp_path_factory: pytest.TempPathFactory) -> CommitmentSnark:
    """The commitment circuit set up with snarkjs (proofs are made on demand and cached)."""
    return CommitmentSnark.setup(Path(tmp_path_factory.mktemp("commitment_snark")))


@pytest.fixture(scope="session")
def snarkjs_verifier_artifact(snark: CommitmentSnark) -> dict:
    """snarkjs's own exported Solidity verifier for the same key, compiled with the pinned solc."""
    return compile_sources({"SnarkjsVerifier.sol": snark.snarkjs_verifier_source})["Groth16Verifier"]


def new_account(chain: Chain, wei: int = 10**20):
    """A fresh account funded from the chain's account."""
    account = Account.create()
    chain.send_eth(account.address, wei)
    return account
