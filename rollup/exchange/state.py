"""The exchange state in plain integers: accounts in a 4-ary Poseidon tree, each with its tree of
fill slots, and the global state (markets, insurance fund, oracle key, deposits consumed).

Only the batch transition and the replay of records write it; the hashes are the circuit's
(``circuits/exchange/state_vars.py``), computed by the compiled hasher (``hashing.py``) when a root
or a path is read: the fill-slot trees of every account written since, then its leaf, then the
accounts tree, each level of all of them in one call. Accounts are values: a state's copy shares
them, and a write stores a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from circuits.exchange.config import AMOUNT_BITS, PPM, TIME_BITS, ExchangeConfig
from circuits.exchange.rules import ORDER_SLOT_SHIFT
from circuits.exchange.state_vars import MARKET_FIELDS, AccountVar, GlobalVar, state_root
from circuits.field import FR
from circuits.gadgets.babyjub import Point
from circuits.gadgets.merkle import SparseMerkleTree, rehash_trees
from rollup.exchange.hashing import poseidon_one, poseidon_rows


def signed(value: int) -> int:
    """A field element read as a signed integer (values above r/2 are negative)."""
    value %= FR
    return value - FR if value > FR // 2 else value


@dataclass(frozen=True, eq=False)
class Account:
    """An account's leaf fields, its fill-slot tree and the slots' (order id, filled) contents.
    Never changed in place (states share accounts): :meth:`with_fill` and ``replace`` make new ones.

    ``fields`` are the leaf's fields as written, with ``orders_root`` None where the fill-slot
    tree changed since: a fill then costs no hashing. :attr:`values` are the leaf's exact fields
    (taking the fill-slot root); read ``fields`` for everything but the root.
    """

    fields: AccountVar
    orders: SparseMerkleTree
    fills: Mapping[int, tuple[int, int]] = field(default_factory=dict)

    @cached_property
    def values(self) -> AccountVar:
        """The leaf's fields, the fill-slot tree's root included."""
        if self.fields.orders_root is None:
            return self.fields.replace(orders_root=self.orders.root)
        return self.fields

    @classmethod
    def empty(cls, config: ExchangeConfig) -> Account:
        orders = SparseMerkleTree(config.order_depth, 4, poseidon_rows)
        zeros = (0,) * config.n_markets
        values = AccountVar(0, 0, 0, 0, 0, orders.root, zeros, zeros)
        return cls(values, orders)

    def fill_slot(self, slot: int) -> tuple[int, int]:
        return self.fills.get(slot, (0, 0))

    def with_fill(self, slot: int, order_id: int, filled: int) -> Account:
        """This account with fill slot ``slot`` holding ``(order_id, filled)`` (other fields unchanged)."""
        orders = self.orders.copy()
        orders.set(slot, order_id * ORDER_SLOT_SHIFT + filled)
        f = self.fields
        fields = AccountVar(f.pk_x, f.pk_y, f.nonce, f.collateral, f.isolated, None, f.positions, f.funding)
        return Account(fields, orders, {**self.fills, slot: (order_id, filled)})

    @cached_property
    def position(self) -> tuple[int, ...]:
        """Each market's position, signed (kept: the margin checks read it many times a trade)."""
        return tuple(signed(p) for p in self.fields.positions)

    @cached_property
    def collateral(self) -> int:
        return signed(self.fields.collateral)


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
        self._tree = SparseMerkleTree(config.account_depth, 4, poseidon_rows)
        self._unhashed: dict[int, Account] = {}  # accounts written since the tree's leaves were
        self.accounts: dict[int, Account] = {}
        self.globals = GlobalVar(
            tuple({f: m[f] % FR for f in MARKET_FIELDS} for m in markets), insurance, *oracle_key, 0
        )

    def copy(self) -> ExchangeState:
        """An independent state: the account map is copied; accounts and tree nodes (never changed in
        place) are shared."""
        twin = object.__new__(ExchangeState)  # one per checked trade: skip copy.copy's protocol
        twin.__dict__.update(self.__dict__)
        twin.accounts = dict(self.accounts)
        twin._tree = self._tree.copy()
        twin._unhashed = dict(self._unhashed)
        return twin

    @property
    def tree(self) -> SparseMerkleTree:
        """The accounts tree, every account written so far in its leaf: the fill-slot trees of those
        written since the last read are hashed together first, one call a level for all."""
        if self._unhashed:
            pending, self._unhashed = self._unhashed, {}
            rehash_trees([account.orders for account in pending.values()])
            for index, account in pending.items():
                self._tree.set_hashed(index, account.values.flat())
        return self._tree

    @property
    def root(self) -> int:
        return state_root(self.tree.root, self.globals, poseidon_one)

    def account(self, index: int) -> Account:
        return self.accounts.get(index) or Account.empty(self.config)

    def put(self, index: int, account: Account) -> None:
        """Store ``account`` at ``index``; its leaf is hashed when the root or a path is next read."""
        self.accounts[index] = account
        self._unhashed[index] = account

    def write(self, index: int, values: AccountVar, fill: tuple[int, int, int] | None) -> None:
        """Store an account's new leaf (and fill slot ``(slot, order id, filled)``)."""
        account = self.account(index)
        if fill is not None:
            account = account.with_fill(*fill)
        if account.orders.root != values.orders_root:
            raise AssertionError("the circuit's orders root differs from the fill-slot tree")
        self.put(index, replace(account, fields=values))

    def market(self, index: int) -> dict[str, int]:
        market = dict(self.globals.markets[index])
        market["funding_index"] = signed(market["funding_index"])
        return market

    @property
    def insurance(self) -> int:
        return signed(self.globals.insurance)
