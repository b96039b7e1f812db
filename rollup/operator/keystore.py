"""Operator and oracle signing keys at rest: one Ethereum keystore file (scrypt + AES-128-CTR, via
eth_account) per 32-byte key, readable only by its owner. Keys never go into the database or logs."""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_account import Account


class KeystoreError(ValueError):
    """The file is not a keystore, or the password is wrong."""


def save_key(path: str | Path, private_key: bytes, password: str, scrypt_n: int | None = None) -> None:
    """Encrypt ``private_key`` under ``password`` into a new file at ``path`` (mode 0600).
    ``scrypt_n`` (a power of two) lowers the key-derivation cost from eth_account's 2^18, for tests."""
    if len(private_key) != 32:
        raise ValueError(f"a private key has 32 bytes, got {len(private_key)}")
    data = json.dumps(Account.encrypt(private_key, password, kdf="scrypt", iterations=scrypt_n))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(data)


def load_key(path: str | Path, password: str) -> bytes:
    """The key in the keystore file at ``path``."""
    try:
        return bytes(Account.decrypt(Path(path).read_text(), password))
    except (ValueError, KeyError, json.JSONDecodeError) as error:
        raise KeystoreError(f"{path}: cannot decrypt the key (wrong password or not a keystore)") from error
