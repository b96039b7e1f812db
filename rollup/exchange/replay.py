"""Rebuild the state from the chain alone: apply a batch's pubdata records to the state before it.

This replays effects only (validity was proven), so it is a second statement of what each
operation does; tests hold it to the circuit: replaying a batch's pubdata must give the state root
the proof committed to, for every record type.
"""

from __future__ import annotations

from circuits.exchange.config import PPM
from circuits.exchange.state_vars import AccountVar
from circuits.field import FR
from circuits.gadgets import babyjub
from rollup.exchange.state import Account, ExchangeState, signed
from verifier.pubdata_layout import decode_records


class ReplayError(ValueError):
    """The records cannot apply to this state (e.g. a deposit key that does not unpack)."""


class _Replay:
    def __init__(self, state: ExchangeState) -> None:
        self.state = state.copy()
        self.config = state.config

    # --- state access -----------------------------------------------------------------------

    def market(self, m: int) -> dict[str, int]:
        return self.state.market(m)

    def account(self, index: int) -> tuple[Account, dict]:
        """The account and its fields as signed ints, funding settled."""
        account = self.state.account(index)
        v = account.fields
        fields = {
            "pk_x": v.pk_x, "pk_y": v.pk_y, "nonce": v.nonce, "collateral": signed(v.collateral),
            "isolated": v.isolated, "positions": [signed(p) for p in v.positions],
        }  # fmt: skip
        indices = [self.market(m)["funding_index"] for m in range(self.config.n_markets)]
        paid = sum(
            p * (i - signed(f)) for p, i, f in zip(fields["positions"], indices, v.funding, strict=True)
        )
        fields["collateral"] -= paid
        fields["funding"] = indices
        return account, fields

    def store(self, index: int, account: Account, fields: dict) -> None:
        positions = tuple(p % FR for p in fields["positions"])
        funding = tuple(i % FR for i in fields["funding"])
        values = AccountVar(fields["pk_x"], fields["pk_y"], fields["nonce"], fields["collateral"] % FR,
                            fields["isolated"], account.fields.orders_root, positions, funding)  # fmt: skip
        self.state.put(index, Account(values, account.orders, account.fills))

    def fill(self, account: Account, order_id: int, size: int) -> Account:
        slot = order_id % 4**self.config.order_depth
        held, filled = account.fill_slot(slot)
        return account.with_fill(slot, order_id, filled + size if held == order_id else size)

    def credit_fund(self, amount: int) -> None:
        self.state.globals = self.state.globals.replace(insurance=(self.state.insurance + amount) % FR)

    def set_market(self, m: int, **changes: int) -> None:
        markets = list(self.state.globals.markets)
        markets[m] = {**markets[m], **{k: v % FR for k, v in changes.items()}}
        self.state.globals = self.state.globals.replace(markets=tuple(markets))

    # --- records ------------------------------------------------------------------------------

    def deposit(self, l2_key: int, asset: int, amount: int, account: int) -> None:
        key = babyjub.unpack(l2_key.to_bytes(32, "big"))
        if key is None or asset != 0:
            raise ReplayError(f"deposit to account {account}: the key does not unpack or the asset is not 0")
        acc, f = self.account(account)
        f.update(pk_x=key[0], pk_y=key[1], collateral=f["collateral"] + amount)
        self.store(account, acc, f)
        self.state.globals = self.state.globals.replace(deposits=self.state.globals.deposits + 1)

    def withdraw(self, account: int, recipient: int, asset: int, amount: int) -> None:
        acc, f = self.account(account)
        f.update(collateral=f["collateral"] - amount, nonce=f["nonce"] + 1)
        self.store(account, acc, f)

    def transfer(self, source: int, target: int, amount: int, isolated: int) -> None:
        acc, f = self.account(source)
        f.update(collateral=f["collateral"] - amount, nonce=f["nonce"] + 1)
        self.store(source, acc, f)
        dst, g = self.account(target)
        g.update(pk_x=f["pk_x"], pk_y=f["pk_y"], isolated=isolated, collateral=g["collateral"] + amount)
        self.store(target, dst, g)

    def _move(self, index: int, m: int, change: int, cash: int, fee: int, order_id: int | None) -> int:
        """Position += change, collateral −= cash + fee; returns any shortfall absorbed (≤ 0)."""
        acc, f = self.account(index)
        if order_id is not None:
            acc = self.fill(acc, order_id, abs(change))
        f["positions"][m] += change
        f["collateral"] -= cash + fee
        absorbed = 0
        if order_id is None and not any(f["positions"]) and f["collateral"] < 0:
            absorbed, f["collateral"] = f["collateral"], 0
        self.store(index, acc, f)
        return absorbed

    def trade(self, taker, maker, market_side, size_lots, price_ticks, taker_order, maker_order) -> None:
        m, sign = market_side & 0x7F, 1 if market_side >> 7 else -1
        market = self.market(m)
        size, price = size_lots * market["lot"], price_ticks * market["tick"]
        fee = size * price * market["fee"] // PPM
        self._move(taker, m, sign * size, sign * size * price, fee, taker_order)
        self._move(maker, m, -sign * size, -sign * size * price, fee, maker_order)
        self.credit_fund(2 * fee)

    def liquidate(self, liquidator, account, market_side, size_lots, price_ticks, liquidator_order) -> None:
        m, sign = market_side & 0x7F, 1 if market_side >> 7 else -1
        market = self.market(m)
        size, price = size_lots * market["lot"], price_ticks * market["tick"]
        fee = size * price * market["liq_fee"] // PPM
        self._move(liquidator, m, sign * size, sign * size * price, 0, liquidator_order)
        absorbed = self._move(account, m, -sign * size, -sign * size * price, fee, None)
        self.credit_fund(fee + absorbed)

    def deleverage(self, account, counterparty, market_side, size_lots, price) -> None:
        m, sign = market_side & 0x7F, 1 if market_side >> 7 else -1
        size = size_lots * self.market(m)["lot"]
        absorbed = self._move(account, m, sign * size, sign * size * price, 0, None)
        acc, f = self.account(counterparty)
        f["positions"][m] -= sign * size
        f["collateral"] += sign * size * price
        self.store(counterparty, acc, f)
        self.credit_fund(absorbed)

    def funding(self, market: int, index: int) -> None:
        self.set_market(market, funding_index=index)

    def oracle(self, market: int, price: int, timestamp: int) -> None:
        self.set_market(market, price=price, price_time=timestamp)


def replay(state: ExchangeState, pubdata: bytes) -> ExchangeState:
    """The state after the batch whose pubdata this is (no-op records are skipped)."""
    run = _Replay(state)
    for name, values in decode_records(pubdata):
        if name != "noop":
            getattr(run, name)(**values)
    return run.state
