"""Engine properties over random commands: priority, never crossed, size conserved, fair prices, replay."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from rollup.matching import MatchingEngine, SelfTradePolicy, SubmitResult
from rollup.orders import Cancel, Fill, Order, OrderKey, Side, TimeInForce
from rollup.rejections import OrderRejected
from tests.rollup.matching_support import MARKET, SPEC, PositionLedger


@dataclass(frozen=True)
class Submit:
    order: Order
    wait: int


@dataclass(frozen=True)
class CancelOne:
    account: int
    order_id: int


@dataclass(frozen=True)
class CancelAll:
    account: int


accounts = st.integers(1, 4)
mostly_not = st.sampled_from([False, False, False, False, True])
submits = st.builds(
    lambda account, order_id, side, ticks, lots, expires_at, ioc, post_only, reduce_only, wait: Submit(
        Order(
            MARKET,
            account,
            order_id,
            side,
            SPEC.tick * ticks,
            SPEC.lot * lots,
            expires_at,
            TimeInForce.IOC if ioc else TimeInForce.GTC,
            post_only,
            reduce_only,
        ),
        wait,
    ),
    accounts,
    st.integers(0, 60),
    st.sampled_from(Side),
    st.integers(18, 22),
    st.integers(1, 4),
    st.integers(1, 120),
    mostly_not,
    mostly_not,
    mostly_not,
    st.integers(0, 2),
)
cancels = st.one_of(st.builds(CancelOne, accounts, st.integers(0, 60)), st.builds(CancelAll, accounts))
one_in_ten_cancels = st.tuples(st.integers(0, 9), submits, cancels).map(lambda t: t[2] if t[0] == 0 else t[1])
commands = st.lists(one_in_ten_cancels, min_size=10, max_size=60)
policies = st.sampled_from(SelfTradePolicy)


class Run:
    """Feeds commands to a fresh engine, keeps a transcript, and accounts for every lot of every order."""

    def __init__(self, policy: SelfTradePolicy, opening: dict[int, int]) -> None:
        self.ledger = PositionLedger()
        for account, position in opening.items():
            self.ledger.set(account, position)
        self.engine = MatchingEngine([SPEC], self.ledger, self_trade=policy)
        self.book = self.engine.book(MARKET)
        self.now = 0
        self.transcript: list[object] = []
        self.accepted: dict[OrderKey, Order] = {}
        self.filled: dict[OrderKey, int] = {}
        self.cancelled: dict[OrderKey, int] = {}
        self.queue: dict[OrderKey, Order] = {}  # what should rest, in arrival order

    def execute(self, command: Submit | CancelOne | CancelAll) -> None:
        try:
            if isinstance(command, Submit):
                self.now += command.wait
                ahead = self.priority_for(command.order)
                outcome = self.engine.submit(command.order, self.now)
                self.check_priority(outcome, ahead)
                self.check_submit(outcome)
            elif isinstance(command, CancelOne):
                outcome = self.engine.cancel(command.account, command.order_id)
                self.count_cancels([outcome])
            else:
                outcome = self.engine.cancel_all(command.account)
                self.count_cancels(outcome)
        except OrderRejected as refused:
            outcome = (refused.reason, refused.removed)
            self.count_cancels(refused.removed)
        self.transcript.append(outcome)
        self.check_book()

    def priority_for(self, taker: Order) -> list[OrderKey]:
        """Resting orders the taker crosses, in the order price-time priority says it must meet them."""
        arrival = {key: i for i, key in enumerate(self.queue)}
        crossed = [
            maker
            for maker in self.queue.values()
            if maker.side is taker.side.opposite and taker.side * (taker.price - maker.price) >= 0
        ]
        crossed.sort(key=lambda maker: (taker.side * maker.price, arrival[maker.key]))
        return [maker.key for maker in crossed]

    def check_priority(self, result: SubmitResult, ahead: list[OrderKey]) -> None:
        """The makers traded or removed are the first in line, and fills follow the line."""
        met = {fill.maker.key for fill in result.fills} | {c.order.key for c in result.removed_makers}
        assert met == set(ahead[: len(met)])
        traded = [fill.maker.key for fill in result.fills]
        assert traded == sorted(traded, key=ahead.index)
        if result.resting:
            self.queue[result.order.key] = result.order

    def count_cancels(self, cancels: list[Cancel] | tuple[Cancel, ...]) -> None:
        for cancel in cancels:
            assert cancel.size > 0
            self.cancelled[cancel.order.key] = self.cancelled.get(cancel.order.key, 0) + cancel.size

    def check_submit(self, result: SubmitResult) -> None:
        taker = result.order
        self.accepted[taker.key] = taker
        assert self.now < taker.expires_at
        assert result.filled + result.resting + result.cancelled == taker.size
        resting = self.book.get(taker.key)
        assert (0 if resting is None else resting.remaining) == result.resting
        if taker.time_in_force is TimeInForce.IOC:
            assert result.resting == 0
        if taker.post_only:
            assert result.fills == ()
        prices = [fill.price for fill in result.fills]
        assert prices == sorted(prices, key=lambda price: taker.side * price)  # best prices first
        for fill in result.fills:
            self.check_fill(fill)
        self.count_cancels(result.taker_cancels)
        self.count_cancels(result.removed_makers)

    def check_fill(self, fill: Fill) -> None:
        maker, taker = fill.maker, fill.taker
        assert fill.size > 0
        assert fill.price == maker.price
        assert taker.side * (taker.price - fill.price) >= 0  # never worse than the taker's limit
        assert maker.side is taker.side.opposite
        assert maker.account != taker.account
        assert self.now < maker.expires_at
        for party in (maker, taker):
            before = self.ledger(party.account, MARKET)
            after = before + party.side * fill.size
            if party.reduce_only:
                assert abs(after) < abs(before) and before * after >= 0
            self.filled[party.key] = self.filled.get(party.key, 0) + fill.size
        self.ledger.apply([fill])

    def check_book(self) -> None:
        self.queue = {key: order for key, order in self.queue.items() if key in self.book}
        assert len(self.queue) == len(self.book)
        bid, ask = self.book.best_price(Side.BUY), self.book.best_price(Side.SELL)
        assert bid is None or ask is None or bid < ask
        for key, order in self.accepted.items():
            resting = self.book.get(key)
            left = 0 if resting is None else resting.remaining
            assert self.filled.get(key, 0) + self.cancelled.get(key, 0) + left == order.size


openings = st.dictionaries(accounts, st.integers(-6, 6).map(lambda lots: lots * SPEC.lot), max_size=4)


@settings(max_examples=200, deadline=None)
@given(commands, policies, openings)
def test_invariants_hold_after_every_command(script, policy, opening) -> None:
    run = Run(policy, opening)
    for command in script:
        run.execute(command)


@settings(max_examples=100, deadline=None)
@given(commands, policies, openings)
def test_replaying_the_same_commands_gives_the_same_outcomes(script, policy, opening) -> None:
    first, second = Run(policy, opening), Run(policy, opening)
    for command in script:
        first.execute(command)
    for command in script:
        second.execute(command)
    assert first.transcript == second.transcript
    assert first.book.depth(100) == second.book.depth(100)
    assert first.ledger.positions == second.ledger.positions
