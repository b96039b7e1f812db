"""``zkclear serve``: the HTTP API over a venue's database, until interrupted."""

from __future__ import annotations

import logging
import os
import sqlite3

import click

LIQUIDATOR_PASSWORD_ENV = "ZKCLEAR_LIQUIDATOR_PASSWORD"


@click.command("serve")
@click.argument("venue", type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0 picks a free one).")  # fmt: skip
@click.option("--tick", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Seconds between checks that seal a batch whose deadline passed.")  # fmt: skip
@click.option("--liquidator-keystore", type=click.Path(exists=True, dir_okay=False),
              help=f"Keystore of the liquidator's key (password in ${LIQUIDATOR_PASSWORD_ENV}).")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No access log.")
def serve(
    venue: str, host: str, port: int, tick: float, liquidator_keystore: str | None, quiet: bool
) -> None:
    """Serve the JSON API of docs/http_api.md over the venue database VENUE (one process per venue)."""
    from rollup.operator.http_api import ApiServer, ListenError
    from rollup.operator.keystore import load_key
    from rollup.operator.operator import Operator

    liquidator_key = None
    if liquidator_keystore is not None:
        password = os.environ.get(LIQUIDATOR_PASSWORD_ENV)
        if password is None:
            raise ServeError(f"--liquidator-keystore needs the password in ${LIQUIDATOR_PASSWORD_ENV}")
        try:
            liquidator_key = load_key(liquidator_keystore, password)
        except ValueError as error:
            raise ServeError(str(error)) from error
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(asctime)s %(message)s")
    try:
        server = ApiServer(lambda: Operator.open(venue, liquidator_key=liquidator_key), host, port, tick)
    except ListenError as error:
        raise ServeError(str(error)) from error
    except (OSError, ValueError, sqlite3.Error) as error:
        message = " ".join(str(error).split())
        raise ServeError(message if venue in message else f"{venue}: {message}") from error
    click.echo(f"serving {venue} on {server.url} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


class ServeError(click.ClickException):
    """The venue, its key or the address cannot be used: exit code 2 with a one-line message."""

    exit_code = 2
