"""The CLI's start-up: proving imports none of the venue's, demo's or server's command modules, and
those commands still answer and are listed with their help."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from cli import DEFERRED_COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
DEFERRED_MODULES = [spec.split(":")[0] for spec in DEFERRED_COMMANDS]


def deferred_command_names() -> dict[str, str]:
    """Each deferred command's name and one-line help, as its module defines it."""
    group = click.Group()
    for spec in DEFERRED_COMMANDS:
        module, name = spec.split(":")
        found = getattr(importlib.import_module(module), name)
        group.add_command(found) if isinstance(found, click.Command) else found(group)
    return {name: command.get_short_help_str(limit=200) for name, command in group.commands.items()}


def test_proving_imports_no_deferred_module():
    script = (
        "import sys; from click.testing import CliRunner; import cli; "
        "r = CliRunner().invoke(cli.main, ['groth16', 'prove', '--help']); "
        "assert r.exit_code == 0, r.output; "
        f"print(sorted(m for m in {DEFERRED_MODULES!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_proving_modules_leave_out_the_r1cs_reader_and_the_verifier():
    """What ``groth16 prove --no-verify`` imports (numba and the kernels aside) pulls in no R1CS
    reader and no verifier curve or pairing code."""
    script = (
        "import sys; import circuits.wtns, prover.groth16, prover.zkey, verifier.snarkjs_json; "
        "left_out = ('circuits.r1cs', 'verifier.curve', 'verifier.pairing'); "
        "print(sorted(m for m in left_out if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_every_deferred_command_with_its_help():
    listed = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert listed.exit_code == 0
    lines = {line.split()[0]: line for line in listed.output.splitlines()[1:] if line.startswith("  ")}
    for name, short_help in deferred_command_names().items():
        assert name in lines and short_help in lines[name], (name, listed.output)
    for eager in ("groth16", "zkey", "ptau", "chain", "example", "warmup"):
        assert eager in lines


def test_deferred_command_answers_when_asked_for():
    for name in ("deposit", "serve", "submit", "demo"):
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and f"Usage: main {name}" in result.output, result.output
    unknown = CliRunner().invoke(main, ["no-such-command"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_progress_off_a_terminal_is_plain_lines_without_rich():
    script = (
        "import sys; from cli_commands.common import Progress; "
        "print(Progress(False).step('reading', lambda: 5), 'rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["5", "False"]
    assert out.stderr.startswith("reading: 0.0") and out.stderr.endswith(" s\n")
