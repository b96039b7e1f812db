"""Chain fixtures: every chain test runs on the embedded py-evm chain and on anvil (started here)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from tests.chain.snark import CommitmentSnark
from tests.jstools import ROOT
from verifier.build_contracts import compile_sources
from verifier.chain import Chain

# anvil's first development account (public knowledge: derived from its default test mnemonic)
ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
BACKENDS = ("eth-tester", "anvil")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """An anvil node on 127.0.0.1 and a free port, stopped after the session."""
    port = _free_port()
    process = subprocess.Popen(
        ["node", str(ROOT / "node_modules" / ".bin" / "anvil"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so the node wrapper and anvil stop together
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not Web3(HTTPProvider(url)).is_connected():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("anvil did not start")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def chain(request: pytest.FixtureRequest) -> Chain:
    """A chain with a funded signing account: a fresh embedded chain per module, or the session's anvil."""
    if request.param == "eth-tester":
        return Chain.embedded()
    return Chain.connect(request.getfixturevalue("anvil_url"), Account.from_key(ANVIL_KEY))


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
