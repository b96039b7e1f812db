"""Compile ``verifier/contracts/*.sol`` with the pinned solc from npm into ``verifier/artifacts/*.json``.

Run ``python -m verifier.build_contracts`` after editing a contract (``--check`` only compares). The
artifacts are committed so that deploying needs no compiler; a test rebuilds them and compares.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
CONTRACTS_DIR = PACKAGE_DIR / "contracts"
ARTIFACTS_DIR = PACKAGE_DIR / "artifacts"
SOLC_VERSION = "0.8.37"
SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 10_000},
    "evmVersion": "cancun",
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
}


# Standard JSON through the npm solc module, written to a file (piping a large stdout may cut it short).
_SOLC_SCRIPT = """
const fs = require('fs'), solc = require('solc');
const out = JSON.parse(solc.compile(fs.readFileSync(process.argv[1], 'utf8')));
out.solcVersion = solc.version();
fs.writeFileSync(process.argv[2], JSON.stringify(out));
"""


class CompileError(RuntimeError):
    """solc reported errors, or could not be run."""


def compile_sources(sources: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Compile {file name: Solidity source} with the pinned npm solc; returns {contract name: artifact}."""
    request = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": SETTINGS,
    }
    with tempfile.TemporaryDirectory() as tmp:
        request_path, output_path = Path(tmp) / "input.json", Path(tmp) / "output.json"
        request_path.write_text(json.dumps(request))
        try:
            subprocess.run(
                ["node", "-e", _SOLC_SCRIPT, str(request_path), str(output_path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            raise CompileError(f"cannot run solc ({exc}); run `npm ci` in {ROOT}") from exc
        output = json.loads(output_path.read_text())
    errors = [e for e in output.get("errors", []) if e["severity"] == "error"]
    if errors:
        raise CompileError("\n".join(e["formattedMessage"] for e in errors))
    version = output["solcVersion"]
    if not version.startswith(SOLC_VERSION + "+"):
        raise CompileError(f"solc is {version}, the build is pinned to {SOLC_VERSION}")
    artifacts = {}
    for file_name, contracts in output["contracts"].items():
        for contract_name, compiled in contracts.items():
            if not compiled["evm"]["bytecode"]["object"]:
                continue  # an interface: nothing to deploy
            artifacts[contract_name] = {
                "contractName": contract_name,
                "sourceName": file_name,
                "compiler": {"version": version, "settings": SETTINGS},
                "abi": compiled["abi"],
                "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
            }
    return artifacts


def build() -> dict[str, str]:
    """Compile the repository's contracts; returns {artifact file name: JSON text}."""
    sources = {path.name: path.read_text() for path in sorted(CONTRACTS_DIR.glob("*.sol"))}
    artifacts = compile_sources(sources)
    return {f"{name}.json": json.dumps(art, indent=1) + "\n" for name, art in sorted(artifacts.items())}


def main(argv: list[str]) -> int:
    built = build()
    if "--check" in argv:
        stale = [name for name, text in built.items() if _read(ARTIFACTS_DIR / name) != text]
        extra = sorted({p.name for p in ARTIFACTS_DIR.glob("*.json")} - set(built))
        for name in stale + extra:
            print(f"stale artifact: verifier/artifacts/{name}", file=sys.stderr)
        return 1 if stale or extra else 0
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    for name, text in built.items():
        (ARTIFACTS_DIR / name).write_text(text)
        print(f"wrote verifier/artifacts/{name}")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
