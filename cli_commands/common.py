"""What every ``zkclear`` command shares: exit codes for bad input, progress on stderr, the chain options.

Exit codes: 0 success (a proof verifies), 1 a proof does not verify, 2 bad input (a one-line message
naming the file and what is wrong).
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from circuits.binfile import FormatError
from prover.backends import BACKENDS

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

RPC_URL_HELP = (
    "JSON-RPC node (default: an embedded chain for this process only). The signing key comes from "
    "$ZKCLEAR_PRIVATE_KEY or --keystore (password in $ZKCLEAR_KEYSTORE_PASSWORD), never from arguments."
)


class BadInput(click.ClickException):
    """A file is missing, damaged or inconsistent: exit code 2 with a one-line message."""

    exit_code = 2


def bad_input_is_exit_2(fn: F) -> F:
    """Turn the library's input errors into :class:`BadInput`, never a traceback.

    Malformed JSON and verifier inputs (``JsonFormatError``, ``VerificationInputError``) are
    ValueErrors too; they are not named here so that proving never imports the verifier's modules.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (FormatError, OSError, ValueError) as exc:
            raise BadInput(" ".join(str(exc).split())) from exc

    return wrapper  # type: ignore[return-value]


quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress output.")


backend_option = click.option(
    "--backend",
    type=click.Choice(sorted(BACKENDS)),
    default="fast",
    show_default=True,
    help="Prover backend: fast (numba kernels) or reference (Python ints, the check).",
)


def ready_backend(backend: str, progress: Progress) -> None:
    """Compile the fast kernels ahead of the work (first run only), saying so rather than seeming to hang."""
    if backend != "fast":
        return
    from prover.backends.fast import kernels_cold, warm_up

    if kernels_cold():
        progress.step("compiling prover kernels (first run only, about a minute)", warm_up)


class Progress:
    """Step-by-step progress on stderr: a rich spinner on a terminal, plain lines otherwise (a log,
    a pipe: rich, ~30 ms to import, would print the same lines), or nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.console = None  # rich is imported on the first step shown on a terminal only

    def step(self, name: str, fn: Callable[[], T]) -> T:
        if self.quiet:
            return fn()
        if not sys.stderr.isatty():
            started = time.perf_counter()
            result = fn()
            click.echo(f"{name}: {time.perf_counter() - started:.2f} s", err=True)
            return result
        if self.console is None:
            from rich.console import Console

            self.console = Console(stderr=True)
        started = time.perf_counter()
        with self.console.status(f"{name}..."):
            result = fn()
        self.console.print(f"[dim]{name}: {time.perf_counter() - started:.2f} s[/dim]")
        return result


class ChainOptions:
    """The chain a command talks to, connected on first use."""

    def __init__(self, rpc_url: str | None, keystore: str | None) -> None:
        self.rpc_url = rpc_url
        self.keystore = keystore

    def connect(self):
        from verifier.chain import Chain
        from verifier.chain_errors import ChainError
        from verifier.chain_keys import load_account

        if self.rpc_url is None:
            return Chain.embedded()
        try:
            return Chain.connect(self.rpc_url, load_account(self.keystore))
        except ChainError as exc:
            raise BadInput(str(exc)) from exc


pass_chain_options = click.make_pass_decorator(ChainOptions)


def chain_options(fn: F) -> F:
    """``--rpc-url`` and ``--keystore`` on a command; it receives them as ``options: ChainOptions``."""

    @click.option("--rpc-url", envvar="ZKCLEAR_RPC_URL", help=RPC_URL_HELP)
    @click.option("--keystore", type=click.Path(dir_okay=False), help="Encrypted keystore of the signer.")
    @functools.wraps(fn)
    def wrapper(*args: Any, rpc_url: str | None, keystore: str | None, **kwargs: Any) -> Any:
        return fn(*args, options=ChainOptions(rpc_url, keystore), **kwargs)

    return wrapper  # type: ignore[return-value]


def load_any_verifying_key(path: str):
    """A verifying key from snarkjs's verification_key.json or from a Groth16 .zkey."""
    if path.endswith(".zkey"):
        from prover.zkey import read_zkey

        return read_zkey(path).verifying_key()
    from verifier.snarkjs_json import load_verifying_key

    return load_verifying_key(path)


def chain_errors_as_bad_input(action: Callable[[], T]) -> T:
    """Run ``action``; a chain refusal, a revert or a bad file becomes a one-line exit 2."""
    from verifier.chain_errors import ChainError
    from verifier.snarkjs_json import JsonFormatError

    try:
        return action()
    except (ChainError, JsonFormatError, ValueError, OSError) as exc:
        raise BadInput(" ".join(str(exc).splitlines()[0].split()) if str(exc) else repr(exc)) from exc
