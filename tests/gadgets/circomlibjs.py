"""Ask circomlibjs (npm, via node) for reference answers: one node process per batch of requests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORACLE = Path(__file__).with_name("circomlibjs_oracle.mjs")


def available() -> bool:
    return shutil.which("node") is not None and (ROOT / "node_modules" / "circomlibjs").is_dir()


def ask(requests: list[dict[str, Any]]) -> list[Any]:
    """Answers to ``[{"op": ..., ...}, ...]``; ints are sent as decimal strings."""
    if not available():
        pytest.skip("node and node_modules/circomlibjs are needed")
    payload = json.dumps(_stringify(requests))
    done = subprocess.run(
        ["node", str(ORACLE)],
        input=payload,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"circomlibjs oracle failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _stringify(value: Any) -> Any:
    """Ints as decimal strings: JSON numbers would lose precision in JavaScript."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_stringify(v) for v in value]
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    return value
