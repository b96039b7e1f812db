"""The exchange state's hashing and copies: the compiled hasher equals the native Poseidon, roots
taken lazily equal the plain definition (fills hash nothing until a root is read, then every
account's fill slots together), and a copy never sees another's writes."""

from __future__ import annotations

import random
from dataclasses import FrozenInstanceError, replace

import pytest

from circuits.exchange.state_vars import account_leaf, state_root
from circuits.field import FR
from circuits.gadgets.poseidon import poseidon
from rollup.exchange import state as state_module
from rollup.exchange.hashing import poseidon_one, poseidon_rows
from rollup.exchange.state import ExchangeState
from tests.exchange.scenario import ALICE, BOB, CONFIG, DAVE, genesis
from tests.gadgets.test_merkle import full_root


@pytest.mark.parametrize("width", [1, 2, 4, 8, 12, 16])
def test_compiled_hasher_equals_native_poseidon(width):
    rng = random.Random(width)
    rows = [[rng.randrange(FR) for _ in range(width)] for _ in range(3)]
    rows += [[0] * width, [FR - 1] * width, [FR + 5] * width, [-1] * width]  # read mod r, as natively
    assert poseidon_rows(rows) == [poseidon(row) for row in rows]
    assert poseidon_one(rows[0]) == poseidon(rows[0])


def test_compiled_hasher_takes_rows_of_one_length():
    assert poseidon_rows([]) == []
    with pytest.raises(ValueError, match="one length"):
        poseidon_rows([[1, 2], [1, 2, 3]])


def plain_root(state: ExchangeState) -> int:
    """The state root from the accounts' leaf fields alone, natively and in full."""
    leaves = {i: account_leaf(a.values) for i, a in state.accounts.items()}
    return state_root(full_root(leaves, CONFIG.account_depth, 4), state.globals)


def write(state: ExchangeState, index: int, slot: int, order_id: int, filled: int, collateral: int) -> None:
    account = state.account(index).with_fill(slot, order_id, filled)
    values = account.values.replace(collateral=collateral, orders_root=account.orders.root)
    state.put(index, replace(account, fields=values))


def test_lazy_root_equals_the_plain_definition(funded):
    state = funded.copy()
    assert state.root == plain_root(state)
    write(state, ALICE, 1, 3, 2, 9_000)
    write(state, DAVE, 0, 2, 1, 5)  # a new account
    write(state, ALICE, 0, 4, 1, 8_000)  # written twice before the root is read
    assert state.root == plain_root(state)
    orders = state.account(ALICE).orders
    assert orders.root == full_root({1: orders.get(1), 0: orders.get(0)}, CONFIG.order_depth, 4)
    assert state.account(ALICE).fills == {1: (3, 2), 0: (4, 1)}


def test_copies_are_independent(funded):
    """A snapshot keeps its accounts, fill slots and root whatever is written after, either way."""
    snapshot = funded.copy()
    root = snapshot.root
    later = snapshot.copy()
    write(later, ALICE, 1, 3, 2, 1)
    write(later, DAVE, 0, 2, 1, 5)
    assert snapshot.root == root == plain_root(snapshot)
    assert snapshot.account(ALICE).collateral == 10_000 and snapshot.account(ALICE).fill_slot(1) == (0, 0)
    assert DAVE not in snapshot.accounts
    later_root = later.root
    write(snapshot, BOB, 1, 7, 1, 2)  # and the other way round, after both were hashed
    assert later.root == later_root == plain_root(later) and later.account(BOB) == funded.account(BOB)
    assert funded.root == root


def fill_lazily(state: ExchangeState, index: int, slot: int, order_id: int, collateral: int) -> None:
    """A fill as the replay of a trade writes it: the fill-slot root left to be taken."""
    account = state.account(index).with_fill(slot, order_id, 1)
    state.put(index, replace(account, fields=account.fields.replace(collateral=collateral)))


def test_fills_hash_nothing_until_a_root_is_read_then_all_accounts_together(monkeypatch):
    calls = []

    def counting(rows):
        calls.append(len(rows))
        return poseidon_rows(rows)

    monkeypatch.setattr(state_module, "poseidon_rows", counting)  # for the trees made from here on
    state = genesis()
    for step, index in enumerate((ALICE, BOB, DAVE, ALICE)):
        fill_lazily(state, index, step, 10 + step, 1_000 + step)
    assert calls == []
    assert state.account(ALICE).fields.orders_root is None
    root = state.root
    assert calls[: CONFIG.order_depth] == [3] * CONFIG.order_depth  # each level: all three accounts
    assert root == plain_root(state)
    alice = state.account(ALICE)
    assert alice.values.orders_root == full_root({0: alice.orders.get(0), 3: alice.orders.get(3)},
                                                 CONFIG.order_depth, 4)  # fmt: skip
    assert alice.values.collateral == 1_003 and alice.fills == {0: (10, 1), 3: (13, 1)}
    calls.clear()
    assert state.root == root and calls == []


def test_an_account_read_alone_takes_its_own_root_and_the_state_root_agrees(funded):
    state = funded.copy()
    fill_lazily(state, ALICE, 2, 6, 9_999)
    alice = state.account(ALICE)
    assert alice.values.orders_root == alice.orders.root != funded.account(ALICE).values.orders_root
    assert state.root == plain_root(state) != funded.root


def test_accounts_cannot_change_in_place(funded):
    """States share accounts, so an account is a value: writing one means storing a new one."""
    with pytest.raises(FrozenInstanceError):
        funded.account(ALICE).fields = funded.account(BOB).fields
