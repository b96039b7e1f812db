"""The exchange state as circuit values: account leaves, markets, global state and the state root,
each with its native hash beside the in-circuit one (both hash the same field order)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from circuits.cs import ConstraintSystem, LinearCombination
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets.poseidon import poseidon, poseidon_var

Var = LinearCombination


@dataclass(frozen=True)
class AccountVar:
    """An account leaf's fields. ``isolated`` is 0 for cross margin, m + 1 for an account bound to
    market m; ``orders_root`` roots the account's tree of fill slots."""

    pk_x: Any
    pk_y: Any
    nonce: Any
    collateral: Any
    isolated: Any
    orders_root: Any
    positions: tuple
    funding: tuple  # the funding index each position was last settled at

    def flat(self) -> list:
        """The leaf's Poseidon inputs, in order."""
        out = [self.pk_x, self.pk_y, self.nonce, self.collateral, self.isolated, self.orders_root]
        for position, index in zip(self.positions, self.funding, strict=True):
            out += [position, index]
        return out

    @classmethod
    def unflat(cls, values: Sequence) -> AccountVar:
        head, tail = list(values[:6]), list(values[6:])
        return cls(*head, positions=tuple(tail[0::2]), funding=tuple(tail[1::2]))

    def replace(self, **changes: Any) -> AccountVar:
        return replace(self, **changes)


MARKET_FIELDS = (
    "price",  # oracle price, quote units per lot
    "price_time",  # timestamp of that price; orders must expire after it
    "funding_index",  # cumulative funding, quote units per lot (signed)
    "imr",  # initial margin ratio, ppm (max leverage = PPM / imr)
    "mmr",  # maintenance margin ratio, ppm
    "tick",  # price grid, quote units per lot
    "lot",  # size grid, lots
    "fee",  # fee each side of a trade pays, ppm of the notional
    "max_move",  # largest oracle move per update, ppm of the old price
    "max_funding",  # largest funding index move per tick, ppm of the oracle price
    "penalty",  # largest distance of a liquidation price from the oracle price, ppm
    "liq_fee",  # liquidation fee the liquidated account pays the insurance fund, ppm of the notional
)


@dataclass(frozen=True)
class GlobalVar:
    """Global state: per market its fields (a dict by MARKET_FIELDS), the insurance fund, the oracle
    key and the number of on-chain deposits consumed so far."""

    markets: tuple  # of dicts
    insurance: Any
    oracle_x: Any
    oracle_y: Any
    deposits: Any

    def replace(self, **changes: Any) -> GlobalVar:
        return replace(self, **changes)


def account_leaf(account: AccountVar) -> int:
    return poseidon(account.flat())


def account_leaf_var(cs: ConstraintSystem, account: AccountVar) -> Var:
    return poseidon_var(cs, account.flat())


def _global_inputs(g: GlobalVar, hash_market: Callable[[list], Any]) -> list:
    return [
        *(hash_market([m[f] for f in MARKET_FIELDS]) for m in g.markets),
        g.insurance,
        g.oracle_x,
        g.oracle_y,
        g.deposits,
    ]


def state_root(accounts_root: int, g: GlobalVar, hasher: Callable[[Sequence[int]], int] = poseidon) -> int:
    """poseidon(accounts root, poseidon(market hashes…, insurance, oracle key, deposits)); ``hasher``
    may be any implementation of :func:`poseidon` (a compiled one, say)."""
    return hasher([accounts_root, hasher(_global_inputs(g, hasher))])


def state_root_var(cs: ConstraintSystem, accounts_root: Var, g: GlobalVar) -> Var:
    inner = poseidon_var(cs, _global_inputs(g, lambda xs: poseidon_var(cs, xs)))
    return poseidon_var(cs, [accounts_root, inner])


def declare_account(cs: ConstraintSystem, name: str, config: ExchangeConfig) -> AccountVar:
    """Private inputs ``name`` (a list: the leaf's fields in hash order)."""
    n = 6 + 2 * config.n_markets
    return AccountVar.unflat(cs.private_input(name, n))


def declare_global(cs: ConstraintSystem, name: str, config: ExchangeConfig) -> GlobalVar:
    """Private inputs ``name``: per market its fields, then insurance, oracle key, deposits."""
    k = len(MARKET_FIELDS)
    flat = cs.private_input(name, k * config.n_markets + 4)
    markets = tuple(
        dict(zip(MARKET_FIELDS, flat[i * k : (i + 1) * k], strict=True)) for i in range(config.n_markets)
    )
    return GlobalVar(markets, *flat[k * config.n_markets :])


def global_flat(g: GlobalVar) -> list:
    return [m[f] for m in g.markets for f in MARKET_FIELDS] + [
        g.insurance,
        g.oracle_x,
        g.oracle_y,
        g.deposits,
    ]


def values_of(x: Any) -> Any:
    """Evaluate the LinearCombinations in a state structure (solving mode)."""
    if isinstance(x, LinearCombination):
        return x.value
    if isinstance(x, dict):
        return {k: values_of(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(values_of(v) for v in x)
    if isinstance(x, (AccountVar, GlobalVar)):
        return replace(x, **{f.name: values_of(getattr(x, f.name)) for f in fields(x)})
    return x
