"""The committed compiled contracts (``verifier/artifacts/*.json``): ABI and bytecode."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CONTRACT_NAMES = ("Groth16Verifier", "ZkClearRollup", "TestToken")


@cache
def load_artifact(name: str) -> dict[str, Any]:
    """The artifact of a contract by name, e.g. ``load_artifact("ZkClearRollup")``."""
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no compiled contract {name!r}; run `python -m verifier.build_contracts`")
    return json.loads(path.read_text())
