"""The exchange state in plain integers: accounts in a 4-ary Poseidon tree, each with its tree of
fill slots, and the global state (markets, insurance fund, oracle key, deposits consumed).

Only the batch transition and the replay of records write it; the hashes are the circuit's
(``circuits/exchange/state_vars.py``), computed by the compiled hasher (``hashing.py``) when a root
or a path is read. Accounts are values: a state's copy shares them, and a write stores a new one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from circuits.exchange.config import AMOUNT_BITS, PPM, TIME_BITS, ExchangeConfig
from circuits.exchange.rules import ORDER_SLOT_SHIFT
from circuits.exchange.state_vars import MARKET_FIELDS, AccountVar, GlobalVar, state_root
from circuits.field import FR
from circuits.gadgets.babyjub import Point
from circuits.gadgets.merkle import SparseMerkleTree
from rollup.exchange.hashing import poseidon_one, poseidon_rows


def signed(value: int) -> int:
    """A field element read as a signed integer (values above r/2 are negative)."""
    value %= FR
    return value - FR if value > FR // 2 else value


@dataclass(frozen=True)
class Account:
    """An account's leaf fields, its fill-slot tree and the slots' (order id, filled) contents.
    Never changed in place (states share accounts): :meth:`with_fill` and ``replace`` make new ones."""

    values: AccountVar
    orders: SparseMerkleTree
    fills: Mapping[int, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def empty(cls, config: ExchangeConfig) -> Account:
        orders = SparseMerkleTree(config.order_depth, 4, poseidon_rows)
        zeros = (0,) * config.n_markets
        values = AccountVar(0, 0, 0, 0, 0, orders.root, zeros, zeros)
        return cls(values, orders)

    def fill_slot(self, slot: int) -> tuple[int, int]:
        return self.fills.get(slot, (0, 0))

    def with_fill(self, slot: int, order_id: int, filled: int) -> Account:
        """This account with fill slot ``slot`` holding ``(order_id, filled)`` (leaf fields unchanged)."""
        orders = self.orders.copy()
        orders.set(slot, order_id * ORDER_SLOT_SHIFT + filled)
        return Account(self.values, orders, {**self.fills, slot: (order_id, filled)})

    @property
    def position(self) -> tuple[int, ...]:
        return tuple(signed(p) for p in self.values.positions)

    @property
    def collateral(self) -> int:
        return signed(self.values.collateral)


def check_market(market: dict[str, int]) -> None:
    """Genesis parameters must lie in the ranges the circuit assumes of stored values."""
    if set(market) != set(MARKET_FIELDS):
        raise ValueError(f"a market has fields {MARKET_FIELDS}, got {sorted(market)}")
    for name in ("price", "tick", "lot"):
        if not 0 < market[name] < 1 << (AMOUNT_BITS - 1):
            raise ValueError(f"market {name} must be in (0, 2^63), got {market[name]}")
    for name in ("imr", "mmr", "fee", "max_move", "max_funding", "penalty", "liq_fee"):
        if not 0 <= market[name] <= PPM:
            raise ValueError(f"market {name} is in ppm, must be in [0, {PPM}], got {market[name]}")
    if not market["mmr"] <= market["imr"]:
        raise ValueError("maintenance margin must not exceed initial margin")
    if not 0 <= market["price_time"] < 1 << TIME_BITS:
        raise ValueError("market price_time must fit 32 bits")
    if not -(1 << 63) <= market["funding_index"] < 1 << 63:
        raise ValueError("market funding_index must fit a signed 64-bit value")


class ExchangeState:
    """Accounts (index → :class:`Account`, absent = empty) and the global state."""

    def __init__(self, config: ExchangeConfig, markets: list[dict[str, int]], oracle_key: Point,
                 insurance: int = 0) -> None:  # fmt: skip
        if len(markets) != config.n_markets:
            raise ValueError(f"the config has {config.n_markets} markets, got {len(markets)}")
        for market in markets:
            check_market(market)
        if not 0 <= insurance < 1 << AMOUNT_BITS:
            raise ValueError("the insurance fund must fit 64 bits")
        self.config = config
        self.tree = SparseMerkleTree(config.account_depth, 4, poseidon_rows)
        self.accounts: dict[int, Account] = {}
        self.globals = GlobalVar(
            tuple({f: m[f] % FR for f in MARKET_FIELDS} for m in markets), insurance, *oracle_key, 0
        )

    def copy(self) -> ExchangeState:
        """An independent state: the account map is copied; accounts and tree nodes (never changed in
        place) are shared."""
        twin = copy.copy(self)
        twin.accounts = dict(self.accounts)
        twin.tree = self.tree.copy()
        return twin

    @property
    def root(self) -> int:
        return state_root(self.tree.root, self.globals, poseidon_one)

    def account(self, index: int) -> Account:
        return self.accounts.get(index) or Account.empty(self.config)

    def put(self, index: int, account: Account) -> None:
        """Store ``account`` at ``index``; its leaf is hashed when the root or a path is next read."""
        self.accounts[index] = account
        self.tree.set_hashed(index, account.values.flat())

    def write(self, index: int, values: AccountVar, fill: tuple[int, int, int] | None) -> None:
        """Store an account's new leaf (and fill slot ``(slot, order id, filled)``)."""
        account = self.account(index)
        if fill is not None:
            account = account.with_fill(*fill)
        if account.orders.root != values.orders_root:
            raise AssertionError("the circuit's orders root differs from the fill-slot tree")
        self.put(index, replace(account, values=values))

    def market(self, index: int) -> dict[str, int]:
        market = dict(self.globals.markets[index])
        market["funding_index"] = signed(market["funding_index"])
        return market

    @property
    def insurance(self) -> int:
        return signed(self.globals.insurance)
