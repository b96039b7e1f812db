"""``zkclear submit``, ``zkclear verify [--onchain]`` and ``zkclear withdraw claim`` on anvil (the
embedded chain lives for one command only) and, where one command suffices, on the embedded chain.

Proofs come from the commitment circuit (tests/chain/snark.py): real Groth16 proofs of a batch's
commitment, so the contracts check them exactly as they would a proof of the exchange circuit."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account

from cli import main
from tests.chain.points import double_g1
from verifier.anvil import ANVIL_DEV_KEY
from verifier.chain import Chain
from verifier.chain_keys import PRIVATE_KEY_ENV
from verifier.commitment import batch_commitment
from verifier.proven_batch import ProvenBatch, save_batch
from verifier.pubdata_layout import encode_record
from verifier.settlement import DEFAULT_ETH_QUANTUM, deposit_eth, rollup_status
from verifier.snarkjs_json import save_proof, save_public, save_verifying_key

pytestmark = [pytest.mark.slow, pytest.mark.js]

GENESIS = 0x5EED
NEW_ROOT = 0xC0FFEE
L2_KEY = 0xABCD << 200  # a packed key (y small)
PAID = 3  # quanta of ETH withdrawn


def _batch(snark, recipient: str, old_root: int = GENESIS, number: int = 0) -> ProvenBatch:
    pubdata = encode_record("deposit", l2_key=L2_KEY, asset=0, amount=5, account=1) + encode_record(
        "withdraw", account=1, recipient=int(recipient, 16), asset=0, amount=PAID
    )
    commitment = batch_commitment(old_root, NEW_ROOT, pubdata)
    return ProvenBatch(number, old_root, NEW_ROOT, pubdata, 0, snark.prove(commitment), (commitment,))


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _one_line_exit_2(code: int, output: str, needle: str) -> None:
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1, output
    assert needle in output
    assert "Traceback" not in output


@pytest.fixture
def files(tmp_path, snark) -> dict[str, str]:
    recipient = Account.create().address
    batch = _batch(snark, recipient)
    paths = {name: str(tmp_path / f"{name}.json") for name in ("vk", "batch", "tampered", "public", "proof")}
    save_verifying_key(snark.vk, paths["vk"])
    save_batch(batch, paths["batch"])
    save_batch(dataclasses.replace(batch, proof=dataclasses.replace(batch.proof, a=double_g1(batch.proof.a))),
               paths["tampered"])  # fmt: skip
    save_public(list(batch.public), paths["public"])
    save_proof(batch.proof, paths["proof"])
    return {**paths, "recipient": recipient}


def test_verify_a_batch_in_python_and_on_the_embedded_chain(files):
    for where in ([], ["--onchain"]):
        assert _run("verify", files["batch"], "--key", files["vk"], *where)[0] == 0
        code, output = _run("verify", files["tampered"], "--key", files["vk"], *where)
        assert code == 1 and "INVALID" in output
        assert _run("verify", files["public"], files["proof"], "--key", files["vk"], *where)[0] == 0


def test_submit_verify_and_claim_on_anvil(files, anvil_url, monkeypatch, tmp_path):
    monkeypatch.setenv(PRIVATE_KEY_ENV, ANVIL_DEV_KEY)
    node = ["--rpc-url", anvil_url]
    out = tmp_path / "deployment.json"
    code, output = _run(
        "chain", *node, "deploy", files["vk"], "--genesis-root", hex(GENESIS), "--out", str(out)
    )
    assert code == 0, output
    rollup = json.loads(out.read_text())["rollup"]
    chain = Chain.connect(anvil_url, Account.from_key(ANVIL_DEV_KEY))
    contract = chain.contract("ZkClearRollup", rollup)

    code, output = _run("submit", files["batch"], "--rollup", rollup, *node)
    _one_line_exit_2(code, output, "queue holds 0")  # the batch's deposit is not queued yet
    deposit_eth(chain, contract, L2_KEY, 5 * DEFAULT_ETH_QUANTUM)

    assert _run("verify", files["batch"], "--onchain", "--rollup", rollup, *node)[0] == 0
    assert _run("verify", files["tampered"], "--onchain", "--rollup", rollup, *node)[0] == 1
    code, output = _run("submit", files["tampered"], "--rollup", rollup, *node)
    assert code == 1 and "InvalidProof" in output
    assert rollup_status(chain, contract).state_root == GENESIS

    code, output = _run("submit", files["batch"], "--rollup", rollup, *node)
    assert code == 0, output
    assert "settled batch 0" in output
    status = rollup_status(chain, contract)
    assert (status.state_root, status.batch_number, status.deposit_head) == (NEW_ROOT, 1, 1)
    _one_line_exit_2(*_run("submit", files["batch"], "--rollup", rollup, *node), "awaits batch 1")

    before = chain.w3.eth.get_balance(files["recipient"])
    code, output = _run("withdraw", "claim", files["recipient"], "--rollup", rollup, *node)
    assert code == 0, output
    assert chain.w3.eth.get_balance(files["recipient"]) - before == PAID * DEFAULT_ETH_QUANTUM
    _one_line_exit_2(
        *_run("withdraw", "claim", files["recipient"], "--rollup", rollup, *node), "nothing is claimable"
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (lambda f: ["submit", f["batch"], "--rollup", "0x" + "11" * 20], "needs a node"),
        (lambda f: ["submit", f["batch"] + ".missing", "--rollup", "0x" + "11" * 20], "cannot read"),
        (lambda f: ["submit", f["vk"], "--rollup", "0x" + "11" * 20], "not a proven batch"),
        (lambda f: ["verify", f["batch"]], "--key"),
        (lambda f: ["verify", f["public"], f["public"], "--key", f["vk"]], "expected a JSON object"),
        (lambda f: ["withdraw", "claim"], "needs a node"),
    ],
    ids=[
        "submit without a node",
        "missing file",
        "not a batch",
        "verify without a key",
        "public as proof",
        "claim without a node",
    ],
)
def test_bad_input_exits_2_with_one_line(files, args, needle):
    _one_line_exit_2(*_run(*args(files)), needle)


def test_a_batch_whose_parts_disagree_is_refused(files, tmp_path):
    obj = json.loads(Path(files["batch"]).read_text())
    damaged = {
        "public": {**obj, "public": [str(int(obj["public"][0]) ^ 1)]},
        "deposits": {**obj, "deposits": {"first": 0, "count": 2}},
        "pubdata": {**obj, "pubdata": obj["pubdata"][:-2]},
        "root": {**obj, "new_root": "0x" + "ff" * 32},
    }
    needles = {
        "public": "public input",
        "deposits": "deposits.count",
        "pubdata": "pubdata",
        "root": "new_root",
    }
    for name, value in damaged.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(value))
        _one_line_exit_2(*_run("verify", str(path), "--key", files["vk"]), needles[name])
