"""A local anvil node (npm ``@foundry-rs/anvil``) on 127.0.0.1 and a free port, for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from web3 import HTTPProvider, Web3

from verifier.chain_errors import ChainError

ROOT = Path(__file__).resolve().parents[1]
# anvil's first development account (public knowledge: derived from its default test mnemonic)
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_anvil(hardfork: str | None = None, startup_timeout: float = 60) -> Iterator[str]:
    """Start anvil (at ``hardfork``, else its latest), yield its RPC URL, stop it on exit."""
    port = _free_port()
    command = [
        "node",
        str(ROOT / "node_modules" / ".bin" / "anvil"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(
        command + (["--hardfork", hardfork] if hardfork else []),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the node wrapper and anvil stop together
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while not Web3(HTTPProvider(url)).is_connected():
            if process.poll() is not None or time.monotonic() > deadline:
                raise ChainError("anvil did not start (is `npm ci` done?)")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
