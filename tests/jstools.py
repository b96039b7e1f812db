"""Run the pinned npm peers (snarkjs, circom2, ...) installed by ``npm ci`` in the repository root."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_js(tool: str, *args: object, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``node_modules/.bin/<tool>`` with node; returns the completed process (not checked)."""
    command = ["node", str(ROOT / "node_modules" / ".bin" / tool), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def js(tool: str, *args: object) -> str:
    """Run an npm tool and fail the test with its output if it fails."""
    done = run_js(tool, *args)
    assert done.returncode == 0, f"{tool} {args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
