"""``zkclear chain`` commands through click's CliRunner: exit 0 ok/valid, 1 invalid, 2 bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.chain.points import double_g1
from verifier.anvil import ANVIL_DEV_KEY
from verifier.chain_keys import PRIVATE_KEY_ENV
from verifier.snarkjs_json import save_proof, save_public, save_verifying_key
from verifier.types import Proof

pytestmark = [pytest.mark.slow, pytest.mark.js]
VECTORS = Path(__file__).parent.parent / "vectors" / "snarkjs_multiplier"


@pytest.fixture
def files(tmp_path, snark) -> dict[str, str]:
    proof = snark.prove(77)
    paths = {name: str(tmp_path / f"{name}.json") for name in ("vk", "public", "proof", "bad_proof")}
    save_verifying_key(snark.vk, paths["vk"])
    save_public([77], paths["public"])
    save_proof(proof, paths["proof"])
    save_proof(Proof(a=double_g1(proof.a), b=proof.b, c=proof.c), paths["bad_proof"])
    return paths


def test_verify_on_the_embedded_chain(files):
    runner = CliRunner()
    valid = runner.invoke(main, ["chain", "verify", files["vk"], files["public"], files["proof"]])
    assert valid.exit_code == 0, valid.output
    invalid = runner.invoke(main, ["chain", "verify", files["vk"], files["public"], files["bad_proof"]])
    assert invalid.exit_code == 1
    assert "INVALID" in invalid.output


def test_verify_takes_the_key_from_a_zkey(files, snark):
    zkey = str(snark.workdir / "c.zkey")
    runner = CliRunner()
    assert runner.invoke(main, ["chain", "verify", zkey, files["public"], files["proof"]]).exit_code == 0
    assert runner.invoke(main, ["chain", "verify", zkey, files["public"], files["bad_proof"]]).exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        lambda f: [f["vk"], f["public"], f["proof"] + ".missing"],
        lambda f: [f["vk"], f["proof"], f["proof"]],
        lambda f: [str(VECTORS / "verification_key.json"), f["public"], f["proof"]],
    ],
    ids=["missing file", "proof given as public", "key of another circuit"],
)
def test_verify_bad_input_exits_2_with_one_line(files, args):
    result = CliRunner().invoke(main, ["chain", "verify", *args(files)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_remote_chain_needs_a_key_from_the_environment(files, anvil_url, monkeypatch):
    monkeypatch.delenv(PRIVATE_KEY_ENV, raising=False)
    result = CliRunner().invoke(main, ["chain", "--rpc-url", anvil_url, "deploy", files["vk"]])
    assert result.exit_code == 2
    assert PRIVATE_KEY_ENV in result.output


def test_deploy_then_status_on_anvil(files, anvil_url, monkeypatch, tmp_path):
    monkeypatch.setenv(PRIVATE_KEY_ENV, ANVIL_DEV_KEY)
    runner = CliRunner()
    out = tmp_path / "deployment.json"
    deployed = runner.invoke(
        main,
        [
            "chain",
            "--rpc-url",
            anvil_url,
            "deploy",
            files["vk"],
            "--genesis-root",
            "0x1234",
            "--out",
            str(out),
        ],
    )
    assert deployed.exit_code == 0, deployed.output
    addresses = json.loads(out.read_text())
    status = runner.invoke(main, ["chain", "--rpc-url", anvil_url, "status", addresses["rollup"]])
    assert status.exit_code == 0, status.output
    shown = json.loads(status.output)
    assert (shown["state_root"], shown["batch_number"], shown["verifier"]) == (
        "0x1234",
        0,
        addresses["verifier"],
    )
    verified = runner.invoke(
        main,
        [
            "chain",
            "--rpc-url",
            anvil_url,
            "verify",
            files["vk"],
            files["public"],
            files["proof"],
            "--verifier",
            addresses["verifier"],
        ],
    )
    assert verified.exit_code == 0, verified.output
    missing = runner.invoke(main, ["chain", "--rpc-url", anvil_url, "status", "0x" + "12" * 20])
    assert missing.exit_code == 2
    assert "no contract" in missing.output
