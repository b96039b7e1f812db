"""The ``zkclear`` command line: snarkjs-compatible Groth16 verbs and the exchange's commands."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zkclear")
def main() -> None:
    """zkclear: a zero-knowledge proven clearinghouse for perpetual futures."""


if __name__ == "__main__":
    main()
