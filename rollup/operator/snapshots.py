"""State snapshots: the exchange state after a sealed batch as JSON (each account's leaf values and
fill slots, the globals), so a restart replays only the operations after it.

The trees are not stored: restoring writes each account through ``ExchangeState`` and so rebuilds
them, and the result must reach the snapshot's recorded root, or it is refused (SnapshotError) and
the operator replays from an older snapshot or from genesis (the operations are the record; a
snapshot is only a shortcut through them).
"""

from __future__ import annotations

import json

from circuits.exchange.rules import ORDER_SLOT_SHIFT
from circuits.exchange.state_vars import AccountVar, GlobalVar
from rollup.exchange.state import Account, ExchangeState
from rollup.operator.genesis import Genesis


class SnapshotError(ValueError):
    """A snapshot that does not parse or does not rebuild to its root."""


def encode(state: ExchangeState) -> str:
    g = state.globals
    return json.dumps({
        "accounts": [
            [index, account.values.flat(), sorted([slot, *held] for slot, held in account.fills.items())]
            for index, account in sorted(state.accounts.items())
        ],
        "globals": {"markets": [dict(m) for m in g.markets], "insurance": g.insurance,
                    "oracle": [g.oracle_x, g.oracle_y], "deposits": g.deposits},
    })  # fmt: skip


def restore_account(state: ExchangeState, index: int, values: AccountVar, fills: list[list[int]]) -> None:
    """Write an account with these leaf values and fill slots (slot, order id, filled); its leaf
    and fill-slot tree are rebuilt, and the slots must give the leaf's orders root."""
    account = Account.empty(state.config)
    for slot, order_id, filled in fills:
        account.fills[slot] = (order_id, filled)
        account.orders.set(slot, order_id * ORDER_SLOT_SHIFT + filled)
    state.accounts[index] = account
    state.write(index, values, None)


def decode(genesis: Genesis, text: str, root: int) -> ExchangeState:
    """The state a snapshot holds, its trees rebuilt; SnapshotError unless it reaches ``root``."""
    state = genesis.state()
    try:
        data = json.loads(text)
        g = data["globals"]
        state.globals = GlobalVar(tuple(g["markets"]), g["insurance"], *g["oracle"], g["deposits"])
        for index, flat, fills in data["accounts"]:
            restore_account(state, index, AccountVar.unflat(flat), fills)
        rebuilt = state.root
    except (ValueError, KeyError, IndexError, TypeError, AssertionError) as error:
        raise SnapshotError(f"the snapshot does not parse: {error!r}") from error
    if rebuilt != root:
        raise SnapshotError("the snapshot does not rebuild to its recorded root")
    return state
