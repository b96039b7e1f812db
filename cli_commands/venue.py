"""The exchange's ``zkclear`` commands: a local venue in a directory (``--venue``, default ./venue):
``init``, ``account new``, ``deposit``, ``order place|cancel|list``, ``book``, ``batch
seal|list|show``, ``status``. Each prints text, or JSON with ``--json``; bad input, refused
requests and database errors exit with code 2 and one line. Commands that write hold the venue's
writer lock (refused while ``zkclear serve`` runs); those that read open a read-only snapshot.

The venue directory holds ``venue.db`` and ``keys/``: keystore files (operator, oracle, accounts),
encrypted with the password from ``$ZKCLEAR_PASSWORD`` or a prompt, and each account's public key.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli_commands.common import BadInput

DEFAULT_SHAPE = "oracle,liquidate,deposit,deposit,trade,trade"
MAX_EXPIRY = (1 << 32) - 1


def venue_errors(fn: Callable) -> Callable:
    """Refused requests, the library's input errors and SQLite's as BadInput (exit 2, one line)."""
    from rollup.rejections import OrderRejected

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except OrderRejected as refused:
            raise BadInput(f"refused: {refused}") from refused
        except (OSError, ValueError, KeyError) as error:
            raise BadInput(" ".join(str(error).split())) from error
        except sqlite3.Error as error:
            raise BadInput(sqlite_message(kwargs["venue_dir"] / "venue.db", error)) from error

    return wrapper


def sqlite_message(database: Path, error: sqlite3.Error) -> str:
    """One line naming the database, with the likely cause of a lock."""
    message = f"{database}: {' '.join(str(error).split())}"
    if isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error)):
        message += ": is `zkclear serve` running?"
    return message


venue_option = click.option(
    "--venue", "venue_dir", envvar="ZKCLEAR_VENUE", default="venue", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="The venue's directory ($ZKCLEAR_VENUE).",
)  # fmt: skip
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def emit(as_json: bool, data: Any, text: str) -> None:
    click.echo(json.dumps(data, indent=1) if as_json else text)


def password() -> str:
    return os.environ.get("ZKCLEAR_PASSWORD") or click.prompt("keystore password", hide_input=True)


def key_path(venue: Path, name: str) -> Path:
    return venue / "keys" / f"{name}.json"


def open_operator(venue: Path, read_only: bool = False):
    """The venue's operator, closed (its writer lock released) when the command ends. Writing
    takes the venue's writer lock; ``read_only`` reads a snapshot, beside a writer (``zkclear serve``)."""
    from rollup.operator.operator import Operator

    operator = Operator.open(venue / "venue.db", read_only=read_only)
    click.get_current_context().call_on_close(operator.close)
    return operator


def account_pk(venue: Path, account: int) -> tuple[int, int]:
    path = venue / "keys" / f"account-{account}.pub"
    if not path.exists():
        raise ValueError(
            f"account {account} has no key in {venue / 'keys'} (run 'zkclear account new {account}')"
        )
    return tuple(json.loads(path.read_text()))


def account_key(venue: Path, account: int) -> bytes:
    from rollup.operator.keystore import load_key

    path = key_path(venue, f"account-{account}")
    if not path.exists():
        raise ValueError(
            f"account {account} has no key in {venue / 'keys'} (run 'zkclear account new {account}')"
        )
    return load_key(path, password())


def new_key(venue: Path, name: str, work: int | None) -> bytes:
    from rollup.operator.keystore import save_key

    key = os.urandom(32)
    save_key(key_path(venue, name), key, password(), work)
    return key


@click.command("init")
@venue_option
@click.option(
    "--price",
    "prices",
    type=click.IntRange(1),
    multiple=True,
    help="A market's opening price (repeat per market).",
)
@click.option(
    "--tick", type=click.IntRange(1), default=1, show_default=True, help="Price grid of every market."
)
@click.option(
    "--lot", type=click.IntRange(1), default=1, show_default=True, help="Size grid of every market."
)
@click.option(
    "--account-depth",
    type=click.IntRange(1, 12),
    default=10,
    show_default=True,
    help="4-ary levels of the accounts tree.",
)
@click.option(
    "--order-depth",
    type=click.IntRange(1, 12),
    default=2,
    show_default=True,
    help="4-ary levels of each account's fill slots.",
)
@click.option(
    "--shape", default=DEFAULT_SHAPE, show_default=True, help="The batch's slot types, comma-separated."
)
@click.option(
    "--deadline",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    help="Seconds before a partial batch is sealed.",
)
@click.option(
    "--liquidator",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="The operator's liquidator account.",
)
@click.option("--kdf-work", type=click.IntRange(2), default=None, hidden=True)
@json_option
@venue_errors
def init(venue_dir, prices, tick, lot, account_depth, order_depth, shape, deadline, liquidator, kdf_work,
         as_json) -> None:  # fmt: skip
    """Create a venue: markets, batch shape, and new operator (liquidator) and oracle keys."""
    from circuits.exchange.batch import BatchShape
    from circuits.exchange.config import ExchangeConfig
    from circuits.gadgets import eddsa
    from rollup.operator.genesis import Genesis
    from rollup.operator.operator import Operator

    if (venue_dir / "venue.db").exists():
        raise ValueError(f"{venue_dir} already holds a venue")
    prices = prices or (1_000,)
    markets = tuple(
        dict(price=p, price_time=0, funding_index=0, imr=100_000, mmr=50_000, tick=tick, lot=lot, fee=1_000,
             max_move=200_000, max_funding=10_000, penalty=30_000, liq_fee=10_000)
        for p in prices
    )  # fmt: skip
    config = ExchangeConfig(len(markets), account_depth, order_depth)
    batch_shape = BatchShape(tuple(s.strip() for s in shape.split(",")))  # checked before any key is made
    (venue_dir / "keys").mkdir(parents=True, exist_ok=True)
    new_key(venue_dir, "operator", kdf_work)
    oracle = new_key(venue_dir, "oracle", kdf_work)
    genesis = Genesis(config, markets, eddsa.public_key(oracle), batch_shape, liquidator, deadline)
    Operator.create(venue_dir / "venue.db", genesis).close()
    emit(
        as_json,
        genesis.to_json(),
        f"venue at {venue_dir}: {len(markets)} markets, batches of {len(batch_shape.slots)} slots",
    )


@click.group("account")
def account() -> None:
    """Accounts and their keys."""


@account.command("new")
@click.argument("index", type=click.IntRange(0))
@venue_option
@click.option("--kdf-work", type=click.IntRange(2), default=None, hidden=True)
@json_option
@venue_errors
def account_new(index, venue_dir, kdf_work, as_json) -> None:
    """Make a key for account INDEX (stored encrypted; its public key beside it)."""
    from circuits.gadgets import eddsa

    genesis = open_operator(venue_dir, read_only=True).genesis
    if not 0 <= index < 4**genesis.config.account_depth:
        raise ValueError(
            f"account {index} is outside the accounts tree (0..{4**genesis.config.account_depth - 1})"
        )
    if key_path(venue_dir, f"account-{index}").exists():
        raise ValueError(f"account {index} already has a key")
    pk = eddsa.public_key(new_key(venue_dir, f"account-{index}", kdf_work))
    (venue_dir / "keys" / f"account-{index}.pub").write_text(json.dumps(list(pk)))
    emit(as_json, {"account": index, "pk": [str(v) for v in pk]}, f"account {index}: key {hex(pk[0])[:18]}…")


@click.command("deposit")
@click.argument("account_index", metavar="ACCOUNT", type=click.IntRange(0))
@click.argument("amount", type=click.IntRange(1))
@venue_option
@json_option
@venue_errors
def deposit(account_index, amount, venue_dir, as_json) -> None:
    """Credit AMOUNT of collateral to ACCOUNT (the next entry of the deposit queue)."""
    op = open_operator(venue_dir)
    queue_index = op.store.deposit_count()
    seq = op.deposit(queue_index, account_index, account_pk(venue_dir, account_index), amount)
    emit(as_json, {"queue_index": queue_index, "account": account_index, "amount": amount, "op": seq},
         f"deposit {queue_index}: {amount} to account {account_index}")  # fmt: skip


@click.group("order")
def order() -> None:
    """Place, cancel and list orders."""


def order_json(row) -> dict[str, Any]:
    o = row.signed.order
    return {
        "account": o.account, "order_id": o.order_id, "market": o.market,
        "side": "buy" if o.is_buy else "sell", "price": o.price, "amount": o.amount, "expiry": o.expiry,
        "time_in_force": row.time_in_force, "status": row.status, "remaining": row.remaining,
    }  # fmt: skip


@order.command("place")
@click.argument("account_index", metavar="ACCOUNT", type=click.IntRange(0))
@click.argument("market", type=click.IntRange(0))
@click.argument("side", type=click.Choice(["buy", "sell"]))
@click.argument("price", type=click.IntRange(1))
@click.argument("amount", type=click.IntRange(1))
@click.option("--id", "order_id", type=click.IntRange(0), help="Order id (default: the account's next).")
@click.option(
    "--expiry", type=click.IntRange(1, MAX_EXPIRY), default=MAX_EXPIRY, help="Oracle time it expires at."
)
@click.option("--ioc", is_flag=True, help="Immediate or cancel: nothing rests.")
@click.option("--post-only", is_flag=True, help="Refused if it would trade at once.")
@click.option("--reduce-only", is_flag=True, help="May only shrink the position.")
@venue_option
@json_option
@venue_errors
def order_place(account_index, market, side, price, amount, order_id, expiry, ioc, post_only, reduce_only,
                venue_dir, as_json) -> None:  # fmt: skip
    """Sign an order with ACCOUNT's key and submit it: SIDE AMOUNT at PRICE in MARKET."""
    from rollup.exchange.operations import Order

    op = open_operator(venue_dir)
    if order_id is None:
        used = op.store.conn.execute("SELECT MAX(order_id) FROM orders WHERE account = ?", (account_index,))
        order_id = (used.fetchone()[0] or 0) + 1
    signed = Order(account_index, market, side == "buy", price, amount, order_id, expiry).sign(
        account_key(venue_dir, account_index)
    )
    placed = op.place(signed, "IOC" if ioc else "GTC", post_only, reduce_only)
    result = placed.result
    fills = [{"maker": list(f.maker.key), "price": f.price, "size": f.size} for f in result.fills]
    data = {
        "account": account_index, "order_id": order_id, "filled": result.filled, "resting": result.resting,
        "cancelled": result.cancelled, "fills": fills, "sealed_batches": list(placed.sealed),
    }  # fmt: skip
    emit(as_json, data, f"order {order_id}: filled {result.filled}, resting {result.resting}, "
                        f"cancelled {result.cancelled}")  # fmt: skip


@order.command("cancel")
@click.argument("account_index", metavar="ACCOUNT", type=click.IntRange(0))
@click.argument("order_id", type=click.IntRange(0))
@venue_option
@json_option
@venue_errors
def order_cancel(account_index, order_id, venue_dir, as_json) -> None:
    """Cancel ACCOUNT's resting order ORDER_ID (signed with the account's key)."""
    from circuits.gadgets import eddsa
    from rollup.operator.operator import cancel_message

    op = open_operator(venue_dir)
    signature = eddsa.sign(account_key(venue_dir, account_index), cancel_message(account_index, order_id))
    cancel = op.cancel(account_index, order_id, signature)
    emit(as_json, {"account": account_index, "order_id": order_id, "cancelled": cancel.size},
         f"order {order_id}: cancelled {cancel.size}")  # fmt: skip


@order.command("list")
@click.option("--account", "account_index", type=click.IntRange(0), help="Only this account's orders.")
@click.option(
    "--status", type=click.Choice(["resting", "filled", "cancelled"]), help="Only orders in this state."
)
@venue_option
@json_option
@venue_errors
def order_list(account_index, status, venue_dir, as_json) -> None:
    """Orders in the order they were accepted."""
    rows = [order_json(row) for row in open_operator(venue_dir, read_only=True).store.orders(status)
            if account_index is None or row.signed.order.account == account_index]  # fmt: skip
    emit(as_json, rows, "\n".join(
        f"{r['account']:>6} {r['order_id']:>6}  m{r['market']} {r['side']:<4} {r['amount']} @ {r['price']}"
        f"  {r['status']} ({r['remaining']} left)" for r in rows) or "no orders")  # fmt: skip


@click.command("book")
@click.argument("market", type=click.IntRange(0))
@click.option("--depth", type=click.IntRange(1), default=10, show_default=True, help="Price levels per side.")
@venue_option
@json_option
@venue_errors
def book(market, depth, venue_dir, as_json) -> None:
    """The best price levels of MARKET's book."""
    levels = open_operator(venue_dir, read_only=True).engine.book(market).depth(depth)
    data = {side: [{"price": lv.price, "size": lv.size, "orders": lv.orders} for lv in getattr(levels, side)]
            for side in ("bids", "asks")}  # fmt: skip
    lines = [f"ask {lv['price']:>10} {lv['size']:>8}" for lv in reversed(data["asks"])]
    lines += [f"bid {lv['price']:>10} {lv['size']:>8}" for lv in data["bids"]]
    emit(as_json, data, "\n".join(lines) or "empty book")


@click.group("batch")
def batch() -> None:
    """Seal and inspect batches."""


def batch_json(row, ops: list | None = None) -> dict[str, Any]:
    data = {"id": row.id, "status": row.status, "shape": list(row.shape), "sealed_at": row.sealed_at,
            "old_root": None if row.old_root is None else hex(row.old_root),
            "new_root": None if row.new_root is None else hex(row.new_root),
            "commitment": None if row.commitment is None else hex(row.commitment),
            "pubdata_bytes": None if row.pubdata is None else len(row.pubdata), "tx": row.tx}  # fmt: skip
    if ops is not None:
        data["ops"] = [None if op is None else op.op_type for op in ops]
    return data


@batch.command("seal")
@venue_option
@json_option
@venue_errors
def batch_seal(venue_dir, as_json) -> None:
    """Seal the open batch now; its unused slots become no-ops."""
    batch_id = open_operator(venue_dir).seal()
    emit(as_json, {"sealed": batch_id}, "nothing to seal" if batch_id is None else f"sealed batch {batch_id}")


@batch.command("list")
@venue_option
@json_option
@venue_errors
def batch_list(venue_dir, as_json) -> None:
    """Every sealed batch and its status."""
    rows = [batch_json(row) for row in open_operator(venue_dir, read_only=True).store.batches()]
    emit(as_json, rows, "\n".join(f"{r['id']:>6}  {r['status']}" for r in rows) or "no batches")


@batch.command("show")
@click.argument("batch_id", type=click.IntRange(1))
@venue_option
@json_option
@venue_errors
def batch_show(batch_id, venue_dir, as_json) -> None:
    """One batch: status, slots, roots, commitment."""
    op = open_operator(venue_dir, read_only=True)
    row = op.store.batch(batch_id)
    if row is None:
        raise ValueError(f"no batch {batch_id}")
    data = batch_json(row, op.batch_ops(batch_id))
    emit(as_json, data, "\n".join(f"{k}: {v}" for k, v in data.items()))


keys_option = click.option(
    "--keys", "key_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Where batch proving keys are cached (default: VENUE/circuit-keys).",
)  # fmt: skip


def batch_prover(venue: Path, key_dir: Path | None, config):
    from rollup.operator.proving import Groth16Prover

    return Groth16Prover(config, key_dir or venue / "circuit-keys")


@batch.command("prove")
@venue_option
@keys_option
@json_option
@venue_errors
def batch_prove(venue_dir, key_dir, as_json) -> None:
    """Apply and prove every sealed batch, oldest first (a development key is made once per shape)."""
    op = open_operator(venue_dir)
    op.prover = batch_prover(venue_dir, key_dir, op.genesis.config)
    pending = [row.id for row in op.store.batches("sealed")]
    if pending and not as_json:
        click.echo(f"proving batches {pending}...", err=True)
    statuses = op.run_pipeline()
    emit(as_json, {str(k): v for k, v in statuses.items()},
         "\n".join(f"batch {k}: {v}" for k, v in statuses.items()) or "nothing to prove")  # fmt: skip


@batch.command("verify")
@click.argument("batch_id", type=click.IntRange(1))
@venue_option
@keys_option
@json_option
@venue_errors
def batch_verify(batch_id, venue_dir, key_dir, as_json) -> None:
    """Check BATCH's proof against its commitment, sha256(old root ‖ new root ‖ pubdata). Exit 0
    valid, 1 invalid."""
    from circuits.exchange.batch import BatchShape
    from verifier.commitment import batch_commitment
    from verifier.groth16 import verify
    from verifier.snarkjs_json import proof_from_json

    op = open_operator(venue_dir, read_only=True)
    row = op.store.batch(batch_id)
    if row is None or row.proof is None:
        raise ValueError(f"batch {batch_id} has no proof (run 'zkclear batch prove')")
    commitment = batch_commitment(row.old_root, row.new_root, row.pubdata)
    vk = batch_prover(venue_dir, key_dir, op.genesis.config).verifying_key(BatchShape(row.shape))
    proof = proof_from_json(row.proof, f"batch {batch_id}'s proof")
    valid = [int(v) for v in row.public] == [commitment] and verify(vk, [commitment], proof)
    emit(
        as_json,
        {"batch": batch_id, "valid": valid},
        f"batch {batch_id}: {'valid' if valid else 'INVALID'} proof",
    )
    if not valid:
        raise SystemExit(1)


@click.command("status")
@venue_option
@json_option
@venue_errors
def status(venue_dir, as_json) -> None:
    """The venue at a glance: state root, accounts, orders, batches by status, the open batch."""
    op = open_operator(venue_dir, read_only=True)
    open_batch = {"id": op.batch.batch_id, "ops": sum(s is not None for s in op.batch.slots)}
    resting = sum(len(op.engine.book(market)) for market in op.engine.markets)  # restored from the store
    data = {
        "state_root": hex(op.root), "accounts": len(op.state.accounts), "deposits": op.store.deposit_count(),
        "resting_orders": resting, "fills": len(op.store.fills()),
        "batches": op.store.batch_counts(), "open_batch": open_batch,
    }  # fmt: skip
    emit(as_json, data, "\n".join(f"{k}: {v}" for k, v in data.items()))


COMMANDS = (init, account, deposit, order, book, batch, status)


def register(group: click.Group) -> None:
    """Add the venue commands to the ``zkclear`` group."""
    for command in COMMANDS:
        group.add_command(command)
