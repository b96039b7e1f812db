"""Committed artifacts equal a fresh build; revert data decodes; signing keys come from env or keystore."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode as abi_encode
from eth_account import Account
from eth_utils import keccak

from verifier import build_contracts
from verifier.chain_errors import ChainError, decode_revert
from verifier.chain_keys import KEYSTORE_PASSWORD_ENV, PRIVATE_KEY_ENV, load_account
from verifier.contract_artifacts import CONTRACT_NAMES, load_artifact


@pytest.mark.js
def test_committed_artifacts_match_a_fresh_build():
    built = build_contracts.build()
    assert sorted(built) == sorted(f"{name}.json" for name in CONTRACT_NAMES)
    for name, text in built.items():
        assert (build_contracts.ARTIFACTS_DIR / name).read_text() == text, f"{name} is stale: rebuild"


def test_artifacts_record_the_pinned_compiler():
    for name in CONTRACT_NAMES:
        artifact = load_artifact(name)
        assert artifact["compiler"]["version"].startswith(build_contracts.SOLC_VERSION + "+")
        assert artifact["compiler"]["settings"]["optimizer"]["enabled"]


def test_decodes_custom_errors_reason_strings_and_panics():
    unknown_op = keccak(text="UnknownOp(uint256,uint256)")[:4] + abi_encode(["uint256", "uint256"], [26, 7])
    error = decode_revert(unknown_op)
    assert (error.name, error.args_values) == ("UnknownOp", (26, 7))
    assert decode_revert(bytes.fromhex("08c379a0") + abi_encode(["string"], ["nope"])).args_values == (
        "nope",
    )
    assert decode_revert(bytes.fromhex("4e487b71") + abi_encode(["uint256"], [0x11])).args_values == ("0x11",)
    assert decode_revert(b"").name == "UnknownRevert"


def test_private_key_from_environment(monkeypatch):
    account = Account.create()
    monkeypatch.setenv(PRIVATE_KEY_ENV, account.key.hex())
    assert load_account().address == account.address
    monkeypatch.setenv(PRIVATE_KEY_ENV, "0x1234")
    with pytest.raises(ChainError):
        load_account()
    monkeypatch.delenv(PRIVATE_KEY_ENV)
    with pytest.raises(ChainError, match=PRIVATE_KEY_ENV):
        load_account()


def test_private_key_from_keystore(monkeypatch, tmp_path):
    account = Account.create()
    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt(account.key, "secret", iterations=2)))
    monkeypatch.delenv(KEYSTORE_PASSWORD_ENV, raising=False)
    with pytest.raises(ChainError, match=KEYSTORE_PASSWORD_ENV):
        load_account(keystore)
    monkeypatch.setenv(KEYSTORE_PASSWORD_ENV, "wrong")
    with pytest.raises(ChainError):
        load_account(keystore)
    monkeypatch.setenv(KEYSTORE_PASSWORD_ENV, "secret")
    assert load_account(keystore).address == account.address
