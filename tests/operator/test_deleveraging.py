"""Deleveraging: a price drop leaves Dave bankrupt beyond the insurance fund, so his liquidation is
refused; the operator closes his long against the shorts in ADL order, in the price's commit, with
operations the batch circuit accepts; an operation the circuit would refuse is never queued."""

from __future__ import annotations

import pytest

from circuits.exchange.batch import BatchShape
from circuits.r1cs import UnsatisfiedConstraint
from rollup.exchange.operations import Deleverage, OraclePrice, Withdraw
from rollup.exchange.transition import apply_batch
from rollup.operator import deleveraging
from rollup.operator.margin import is_unhealthy, margin_slack, ratios
from rollup.operator.records import advance
from rollup.operator.refusals import OpRefused, Refusal
from rollup.operator.validity import step
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, DAVE, ORACLE_KEY
from tests.operator.venue import LIQUIDATOR, fund, open_venue, signed, with_shape

VENUE = with_shape(
    ("oracle", "liquidate", "deleverage", "deleverage", "deposit", "deposit", "trade", "trade")
)
THEN_DELEVERAGE = BatchShape(("oracle", "deleverage"))


def cash(state) -> int:
    return sum(a.collateral for a in state.accounts.values()) + state.insurance


def assert_circuit_accepts_last_batch(op) -> None:
    """Solve the batch circuit on the last sealed batch (the price's, with its deleverages), from
    the state the earlier ones leave."""
    last = op.store.last_batch_id()
    assert [o.op_type for o in op.batch_ops(last) if o] == ["oracle", "deleverage", "deleverage"]
    before = advance(VENUE.state(), [row.op for row in op.store.ops() if row.batch_id < last])
    assert apply_batch(before, VENUE.shape, op.batch_ops(last)).new_root == op.sealed_state.root


def crash_venue(path, bob_deposit: int = 500, bob_short: int = 4):
    """Dave (1,500) buys 10 at 1,000: 6 from Alice (100,000), then 4 from Bob (500); the fund
    holds their fees, 20. Bob's short is the more leveraged."""
    op = open_venue(path, VENUE)
    fund(op, {ALICE: 100_000, BOB: bob_deposit, DAVE: 1_500, LIQUIDATOR: 200_000})
    op.place(signed(ALICE, 1, False, 1_000, 10 - bob_short))
    op.place(signed(BOB, 1, False, 1_000, bob_short))
    op.place(signed(DAVE, 1, True, 1_000, 10))
    assert op.state.account(DAVE).position == (10, 0) and op.state.insurance == 20
    return op


def test_a_bankruptcy_beyond_the_fund_is_deleveraged_in_adl_order(tmp_path):
    op = crash_venue(tmp_path / "db")
    before = op.state
    # at 800 Bob (paid in 500, TV 1,296, notional 3,200) scores 796/500 · 3,200/1,296 ≈ 3.9, Alice
    # (100,000, 101,194, 4,800) 1,194/100,000 · 4,800/101,194 ≈ 0.0006: Bob first, though Alice's
    # position is the larger and the older
    dropped = step(before, OraclePrice.signed(ORACLE_KEY, 0, 800, 200))
    assert deleveraging.adl_ranking(dropped, 0, DAVE, op.store.paid_in()) == [BOB, ALICE]
    # profit counts: had Bob paid in all his TV (no gain), Alice, in profit, would come first
    assert deleveraging.adl_ranking(dropped, 0, DAVE, {ALICE: 50_000, BOB: 1_296}) == [ALICE, BOB]
    seqs = op.oracle(OraclePrice.signed(ORACLE_KEY, 0, 800, 200))  # TV −510, fund 20: liquidation refused
    queued = {row.seq: row.op for row in op.store.ops()}
    ops = [queued[seq] for seq in seqs]
    assert [o.op_type for o in ops] == ["oracle", "deleverage", "deleverage"]
    # Bob first (the higher score), at the deficit's share per unit, 510·800/8,000 = 51, leaving
    # Dave's TV at −306; then Alice takes the rest at the bankruptcy price, ⌈306/6⌉ = 51 over 800
    assert ops[1:] == [Deleverage(DAVE, BOB, 0, 4, 851), Deleverage(DAVE, ALICE, 0, 6, 851)]
    after = op.state
    assert after.account(DAVE).position == (0, 0) and after.account(DAVE).collateral == 0
    assert after.account(ALICE).position == (0, 0) and after.account(BOB).position == (0, 0)
    assert not any(is_unhealthy(after, i) for i in (ALICE, BOB, LIQUIDATOR))
    assert after.insurance == 20  # the fund paid nothing
    assert cash(after) == cash(before)  # value moved between accounts, none created

    op.seal()
    assert_circuit_accepts_last_batch(op)


def test_a_cross_margin_bankruptcy_is_left_whole_by_the_scanner_and_closed_market_by_market(tmp_path):
    """Dave (1,200) is long 10 of market 0 at 1,000 and 20 of market 1 at 50, both from Alice; at
    800 his TV is −811, beyond the fund (22). Liquidating his market-0 position alone would pass
    (the last one would not) and only add its fee to the deficit: the scanner leaves him whole."""
    op = open_venue(tmp_path / "db", VENUE)
    fund(op, {ALICE: 100_000, DAVE: 1_200, LIQUIDATOR: 200_000})
    op.place(signed(ALICE, 1, False, 1_000, 10))
    op.place(signed(DAVE, 1, True, 1_000, 10))
    op.place(signed(ALICE, 2, False, 50, 20, market=1))
    op.place(signed(DAVE, 2, True, 50, 20, market=1))
    before = op.state
    seqs = op.oracle(OraclePrice.signed(ORACLE_KEY, 0, 800, 200))
    queued = {row.seq: row.op for row in op.store.ops()}
    # market 0 first (notional 8,000 of 9,000): its share of the deficit, 811·800/9,000 → 72 a unit,
    # leaves TV −91; market 1 closes it: ⌈91/20⌉ = 5 a unit, TV 9
    assert [queued[seq] for seq in seqs[1:]] == [Deleverage(DAVE, ALICE, 0, 10, 872),
                                                 Deleverage(DAVE, ALICE, 1, 20, 55)]  # fmt: skip
    assert op.state.account(DAVE).position == (0, 0) and op.state.account(DAVE).collateral == 9
    assert op.state.account(ALICE).position == (0, 0) and cash(op.state) == cash(before)
    op.seal()
    assert_circuit_accepts_last_batch(op)


def test_the_driver_queues_nothing_the_circuit_refuses(tmp_path, monkeypatch):
    op = crash_venue(tmp_path / "db")
    state = step(op.state, OraclePrice.signed(ORACLE_KEY, 0, 800, 200))
    dropped = {"oracle": OraclePrice.signed(ORACLE_KEY, 0, 800, 200)}

    def circuit_refuses(ops: list) -> None:
        with pytest.raises(UnsatisfiedConstraint):
            apply_batch(op.state, THEN_DELEVERAGE, [dropped["oracle"], *ops])

    # each broken condition: refused natively and by the circuit
    wrong = [
        (Refusal.BANKRUPTCY_PRICE, Deleverage(DAVE, BOB, 0, 4, 980)),  # leaves Dave 210 in profit
        (Refusal.BANKRUPTCY_PRICE, Deleverage(DAVE, ALICE, 0, 6, 799)),  # below the oracle: his TV falls
        (Refusal.NOT_REDUCING, Deleverage(DAVE, ALICE, 0, 7, 851)),  # Alice is short 6 only
        (Refusal.SAME_ACCOUNT, Deleverage(DAVE, DAVE, 0, 1, 851)),
    ]
    for reason, bad in wrong:
        with pytest.raises(OpRefused) as refused:
            step(state, bad)
        assert refused.value.reason == reason
        circuit_refuses([bad])
    with pytest.raises(OpRefused, match="insurance fund can absorb"):  # at 1,000 Dave is solvent
        step(op.state, Deleverage(DAVE, ALICE, 0, 6, 1_000))

    # proposals past the bankruptcy price (Dave would close in profit) are dropped, not queued
    monkeypatch.setattr(deleveraging, "closing_price", lambda *args: 1_000)
    assert deleveraging.drive(state, op.store.paid_in) == []
    seqs = op.oracle(dropped["oracle"])
    assert [row.op.op_type for row in op.store.ops() if row.seq in seqs] == ["oracle"]
    assert op.state.account(DAVE).position == (10, 0)  # left for a later price


def test_a_counterparty_left_below_maintenance_is_refused_natively_and_by_the_circuit(tmp_path):
    op = crash_venue(tmp_path / "db", bob_deposit=110, bob_short=1)  # at 800 Bob's TV is 309
    price = OraclePrice.signed(ORACLE_KEY, 0, 800, 200)
    bad = Deleverage(DAVE, BOB, 0, 1, 1_200)  # Dave's TV −510 → −110, within his bounds; Bob's → −91
    with pytest.raises(OpRefused) as refused:
        step(step(op.state, price), bad)
    assert refused.value.reason == Refusal.INSUFFICIENT_MARGIN and refused.value.party == "counterparty"
    with pytest.raises(UnsatisfiedConstraint, match="counterparty"):
        apply_batch(op.state, THEN_DELEVERAGE, [price, bad])


def test_a_counterparty_takes_only_what_keeps_it_at_maintenance(tmp_path):
    op = crash_venue(tmp_path / "db")
    state = step(op.state, OraclePrice.signed(ORACLE_KEY, 0, 800, 200))
    # at 400 over the oracle price Bob's TV falls 400 a unit and his risk 40: slack 1,136·10^6 ppm
    # pays for 3 units (360·10^6 each), not 4
    assert deleveraging.affordable_lots(state, BOB, 0, 400) == 3
    for lots, healthy in ((3, True), (4, False)):
        after = advance(state, [Deleverage(DAVE, BOB, 0, lots, 1_200)])
        assert (margin_slack(after, BOB, ratios(after, "mmr")) >= 0) == healthy
    assert deleveraging.affordable_lots(state, BOB, 0, 40) is None  # cheaper than the risk it sheds


def test_paid_in_is_deposits_less_withdrawals(tmp_path):
    op = open_venue(tmp_path / "db", with_shape(("deposit", "withdraw")))
    fund(op, {ALICE: 1_000, BOB: 400})
    op.withdraw(Withdraw.signed(ALICE_KEY, ALICE, 0xAB, 300, 0))
    assert op.store.paid_in() == {ALICE: 700, BOB: 400}
