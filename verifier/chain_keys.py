"""The signing key for a remote chain: from an environment variable or a keystore file, never argv."""

from __future__ import annotations

import json
import os
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from verifier.chain_errors import ChainError

PRIVATE_KEY_ENV = "ZKCLEAR_PRIVATE_KEY"
KEYSTORE_PASSWORD_ENV = "ZKCLEAR_KEYSTORE_PASSWORD"


def load_account(keystore: str | Path | None = None) -> LocalAccount:
    """The account in ``keystore`` (password from $ZKCLEAR_KEYSTORE_PASSWORD), else the hex key in
    $ZKCLEAR_PRIVATE_KEY."""
    if keystore is not None:
        password = os.environ.get(KEYSTORE_PASSWORD_ENV)
        if password is None:
            raise ChainError(f"set {KEYSTORE_PASSWORD_ENV} to decrypt {keystore}")
        try:
            key = Account.decrypt(json.loads(Path(keystore).read_text()), password)
        except (OSError, ValueError) as exc:
            raise ChainError(f"cannot read keystore {keystore}: {exc}") from exc
        return Account.from_key(key)
    key = os.environ.get(PRIVATE_KEY_ENV)
    if not key:
        raise ChainError(f"set {PRIVATE_KEY_ENV} (hex private key) or give a keystore file")
    try:
        return Account.from_key(key.strip())
    except (ValueError, TypeError) as exc:
        raise ChainError(f"{PRIVATE_KEY_ENV} is not a valid private key") from exc
