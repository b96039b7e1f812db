"""``zkclear serve``: the HTTP API over a venue (the directory ``zkclear init`` made), until interrupted."""

from __future__ import annotations

import logging
import signal
import sqlite3
from pathlib import Path

import click

from cli_commands.common import BadInput
from cli_commands.venue import open_operator, venue_option


def hold_exclusively(operator) -> None:
    """Keep the venue database locked while serving: the server's books and open batch live in
    memory, so another process writing the database (a venue command) must fail, not write behind it."""
    operator.store.conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    with operator.store.transaction():  # the first write takes the lock; exclusive mode keeps it
        pass


def open_exclusively(venue: Path):
    operator = open_operator(venue)
    try:
        hold_exclusively(operator)
    except BaseException:
        operator.store.close()
        raise
    return operator


@click.command("serve")
@venue_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0 picks a free one).")  # fmt: skip
@click.option("--tick", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Seconds between checks that seal a batch whose deadline passed.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No access log.")
def serve(venue_dir: Path, host: str, port: int, tick: float, quiet: bool) -> None:
    """Serve the venue's JSON API (docs/http_api.md); other venue commands are locked out meanwhile."""
    from rollup.operator.http_api import ApiServer, ListenError

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(asctime)s %(message)s")
    try:
        server = ApiServer(lambda: open_exclusively(venue_dir), host, port, tick)
    except ListenError as error:
        raise BadInput(str(error)) from error
    except (OSError, ValueError, sqlite3.Error) as error:
        message = " ".join(str(error).split())
        raise BadInput(message if str(venue_dir) in message else f"{venue_dir}: {message}") from error
    click.echo(f"serving {venue_dir} on {server.url} (Ctrl-C or SIGTERM stops)", err=True)
    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def stop(signum: int, frame: object) -> None:
    """SIGTERM ends the server as Ctrl-C does: the socket and the database are closed, the lock released."""
    raise KeyboardInterrupt
