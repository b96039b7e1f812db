"""``zkclear serve``: the HTTP API over a venue (the directory ``zkclear init`` made), until interrupted."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli_commands.common import BadInput
from cli_commands.venue import sqlite_message, venue_option

if TYPE_CHECKING:
    from rollup.operator.operator import Operator

ADMIN_TOKEN_ENV = "ZKCLEAR_ADMIN_TOKEN"
MIN_ADMIN_TOKEN = 16


def admin_token() -> str | None:
    """The operator-admin's bearer token, from the environment only (a command line is visible to
    every user of the machine); None leaves the admin endpoints disabled."""
    token = os.environ.get(ADMIN_TOKEN_ENV)
    if not token:
        return None
    if len(token) < MIN_ADMIN_TOKEN or not token.isascii() or not token.isprintable() or " " in token:
        raise BadInput(f"${ADMIN_TOKEN_ENV} must be at least {MIN_ADMIN_TOKEN} printable ASCII characters"
                       " without spaces")  # fmt: skip
    return token


@click.command("serve")
@venue_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0 picks a free one).")  # fmt: skip
@click.option("--tick", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Seconds between checks that seal a batch whose deadline passed.")  # fmt: skip
@click.option("--quiet", "-q", is_flag=True, help="No access log.")
def serve(venue_dir: Path, host: str, port: int, tick: float, quiet: bool) -> None:
    """Serve the venue's JSON API (docs/http_api.md). The server is the venue's one writer until it
    stops: venue commands that write are refused meanwhile, those that read still work. Admin
    endpoints (deposits, funding ticks) need $ZKCLEAR_ADMIN_TOKEN set."""
    from rollup.operator.collector import freeze_survivors, settle_collector
    from rollup.operator.handoffs import prompt_handoffs
    from rollup.operator.http_api import ApiServer, ListenError

    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO, format="%(asctime)s %(message)s")
    token = admin_token()
    try:
        venue = venue_dir / "venue.db"
        server = ApiServer(lambda: open_served(venue), host, port, tick, token, after_each=freeze_survivors)
    except ListenError as error:
        raise BadInput(str(error)) from error
    except sqlite3.Error as error:
        raise BadInput(sqlite_message(venue_dir / "venue.db", error)) from error
    except (OSError, ValueError) as error:
        raise BadInput(" ".join(str(error).split())) from error
    settle_collector()
    prompt_handoffs()
    admin = "admin endpoints on" if token else f"admin endpoints off: ${ADMIN_TOKEN_ENV} unset"
    click.echo(f"serving {venue_dir} on {server.url} ({admin}; Ctrl-C or SIGTERM stops)", err=True)
    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def open_served(venue: Path) -> Operator:
    """The venue's operator, its log checkpointed off the commits, as a long-running writer's should
    be, and its accounts' key tables built before the first order comes."""
    from rollup.operator.operator import Operator

    operator = Operator.open(venue)
    operator.store.checkpoint_in_background()
    operator.prepare_intake()
    return operator


def stop(signum: int, frame: object) -> None:
    """SIGTERM ends the server as Ctrl-C does: the socket and the database are closed, the lock released."""
    raise KeyboardInterrupt
