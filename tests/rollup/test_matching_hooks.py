"""The engine's hooks for the operator: a fill check that can refuse either side of a fill, and
restoring accepted orders after a restart (time priority kept, keys still used)."""

from __future__ import annotations

import pytest

from rollup.matching import FillBlock, MatchingEngine
from rollup.orders import CancelReason, Side
from rollup.rejections import OrderRejected, RejectReason
from tests.rollup.matching_support import SPEC, PositionLedger, buy, sell


def engine_refusing(block: FillBlock, account: int) -> MatchingEngine:
    """An engine whose fill check refuses ``block``'s side of every fill with ``account`` as maker."""
    return MatchingEngine(
        [SPEC], PositionLedger(), fill_check=lambda f: block if f.maker.account == account else None
    )


def test_a_refused_maker_is_removed_and_matching_goes_on():
    engine = engine_refusing(FillBlock.MAKER, account=1)
    engine.submit(sell(1, 1, 100, 4), now=0)
    engine.submit(sell(2, 1, 100, 4), now=0)
    result = engine.submit(buy(3, 1, 100, 6), now=0)
    assert [(f.maker.account, f.size) for f in result.fills] == [(2, 4)] and result.resting == 2
    (removed,) = result.removed_makers
    assert removed.order.account == 1 and removed.reason is CancelReason.REFUSED_AT_FILL
    assert (1, 1) not in engine.book(SPEC.market)


def test_a_refused_taker_stops_and_its_remainder_is_cancelled():
    engine = engine_refusing(FillBlock.TAKER, account=2)
    engine.submit(sell(1, 1, 100, 4), now=0)
    engine.submit(sell(2, 1, 100, 4), now=0)
    result = engine.submit(buy(3, 1, 100, 6), now=0)
    assert [f.size for f in result.fills] == [4] and result.resting == 0
    assert [(c.size, c.reason) for c in result.taker_cancels] == [(2, CancelReason.REFUSED_AT_FILL)]
    assert (2, 1) in engine.book(SPEC.market)  # the maker stays


def test_restored_orders_keep_their_priority_and_their_keys():
    engine = MatchingEngine([SPEC], PositionLedger())
    engine.restore(sell(1, 1, 100, 4), 2)  # partly filled before the restart
    engine.restore(sell(2, 1, 100, 4), 4)
    engine.restore(sell(3, 1, 100, 4), 0)  # filled before the restart: only its key counts
    assert engine.book(SPEC.market).best(Side.SELL).order.account == 1
    result = engine.submit(buy(4, 1, 100, 4), now=0)
    assert [(f.maker.account, f.size) for f in result.fills] == [(1, 2), (2, 2)]
    with pytest.raises(OrderRejected) as caught:
        engine.submit(sell(3, 1, 110, 2), now=0)
    assert caught.value.reason == RejectReason.DUPLICATE_ORDER_ID
    with pytest.raises(ValueError, match="before"):
        engine.restore(sell(2, 1, 100, 4), 4)
