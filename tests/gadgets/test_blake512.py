"""BLAKE-512 (the hash circomlibjs's EdDSA derives keys and nonces with) against the specification's
example and npm blake-hash."""

import subprocess

import pytest

from circuits.gadgets.blake512 import blake512
from tests.gadgets.circomlibjs import ROOT, available


def test_blake512_known_answers():
    # the BLAKE specification's example (one zero byte), and the empty message as blake-hash gives it
    assert blake512(b"\x00").hex() == (
        "97961587f6d970faba6d2478045de6d1fabd09b61ae50932054d52bc29d31be4"
        "ff9102b9f69e2bbdb83be13d4b9c06091e5fa0b48bd081b634058be0ec49beb3"
    )
    assert blake512(b"").hex() == (
        "a8cfbbd73726062df0c6864dda65defe58ef0cc52a5625090fa17601e1eecd1b"
        "628e94f396ae402a00acc9eab77b4d4c2e852aaaa25a636d80af3fc7913ef5b8"
    )


@pytest.mark.js
def test_blake512_matches_blake_hash_npm():
    """circomlibjs's EdDSA hashes with npm blake-hash; agree at every padding boundary."""
    if not available():
        pytest.skip("node and node_modules are needed")

    lengths = [0, 1, 32, 64, 110, 111, 112, 127, 128, 129, 239, 240, 256]
    script = (
        'import createBlakeHash from "blake-hash";'
        f"for (const n of {lengths}) console.log(createBlakeHash('blake512')"
        ".update(Buffer.alloc(n, 0xa5)).digest('hex'));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [blake512(b"\xa5" * n).hex() for n in lengths]
