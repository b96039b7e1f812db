"""The matching engine: routes orders to their market's book and matches them by price-time priority.

Deterministic by construction: no clock is read (each command carries ``now``), no randomness, and
every iteration is over insertion-ordered containers, so replaying the same commands from an empty
engine reproduces the same fills, cancels and books (what crash recovery relies on).

Checks on ``submit``, in this order (the first failing one raises OrderRejected and leaves the book
as it was, but for expired makers the post-only check removed): market known; price and size
positive, in range and on the grid; flags compatible; order key never used before; not expired;
reduce-only would reduce; then the operator's validators in the order given (signature, nonce,
margin: the circuit's rules); last, post-only would not cross (the account's own orders included).

Self-trade prevention (two orders of the same account meeting) follows ``SelfTradePolicy``.
Reduce-only orders are capped by the account's position when they arrive and again each time
they are reached as makers, since the position may have shrunk meanwhile; the position comes from
the ``position_of`` callback, which must reflect every fill the engine has returned before, plus
the fills of the submit in progress, which the engine adds itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from rollup.book import OrderBook, RestingOrder
from rollup.order_checks import MarketSpec, check_order_shape
from rollup.orders import Cancel, CancelReason, Fill, Order, OrderKey, Side, TimeInForce
from rollup.rejections import OrderRejected, RejectReason
from rollup.sharded import ShardedDict

PositionLookup = Callable[[int, int], int]
"""(account, market) -> signed position in lots, long positive."""

Validator = Callable[[Order], None]
"""Returns None to accept an order or raises OrderRejected(reason) to refuse it."""


class FillBlock(Enum):
    """Which side of a proposed fill a fill check refuses: the maker is removed and matching goes
    on; the taker's remainder is cancelled."""

    MAKER = "maker"
    TAKER = "taker"


FillCheck = Callable[[Fill], FillBlock | None]
"""Called before each fill with the fill it would make; None lets it happen (and the checker may
then count it as made), a FillBlock refuses it. Rules that depend on the state at fill time (margin
after oracle moves, fill slots) belong here, since validators only see the taker on arrival."""


class SelfTradePolicy(Enum):
    """What happens when an incoming order would trade with a resting order of its own account.

    CANCEL_MAKER (the default) drops the older resting order and keeps matching: the newest
    instruction wins. CANCEL_TAKER cancels the rest of the incoming order and leaves the book alone.
    CANCEL_BOTH does both.
    """

    CANCEL_MAKER = "cancel maker"
    CANCEL_TAKER = "cancel taker"
    CANCEL_BOTH = "cancel both"


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """What one accepted order did: its fills, what rests, what was cancelled and makers removed.

    ``order.size == sum of fill sizes + resting + cancelled`` always holds.
    """

    order: Order
    fills: tuple[Fill, ...]
    resting: int
    taker_cancels: tuple[Cancel, ...]
    removed_makers: tuple[Cancel, ...]

    @property
    def filled(self) -> int:
        return sum(fill.size for fill in self.fills)

    @property
    def cancelled(self) -> int:
        return sum(cancel.size for cancel in self.taker_cancels)


def reducible(side: Side, position: int) -> int:
    """How many lots an order on ``side`` can trade while only shrinking ``position`` towards zero."""
    return max(0, -side * position)


class MatchingEngine:
    """Order books of several markets behind one submit/cancel interface."""

    def __init__(
        self,
        markets: Iterable[MarketSpec],
        position_of: PositionLookup,
        validators: Sequence[Validator] = (),
        self_trade: SelfTradePolicy = SelfTradePolicy.CANCEL_MAKER,
        fill_check: FillCheck | None = None,
    ) -> None:
        self._specs: dict[int, MarketSpec] = {}
        for spec in markets:
            if spec.market in self._specs:
                raise ValueError(f"market {spec.market} listed twice")
            self._specs[spec.market] = spec
        self._books = {market: OrderBook(market) for market in self._specs}
        self._position_of = position_of
        self._validators = tuple(validators)
        self._self_trade = self_trade
        self._fill_check = fill_check
        self._market_of: ShardedDict[OrderKey, int] = ShardedDict()  # every key ever: split (sharded.py)
        self._now: int | None = None

    @property
    def markets(self) -> tuple[int, ...]:
        return tuple(self._specs)

    def book(self, market: int) -> OrderBook:
        """The book of ``market``, for reading (best prices, depth); change it only through the engine."""
        book = self._books.get(market)
        if book is None:
            raise OrderRejected(RejectReason.UNKNOWN_MARKET, f"market {market}")
        return book

    def submit(self, order: Order, now: int) -> SubmitResult:
        """Check ``order``, match it against the opposite side, rest or cancel the remainder."""
        self._advance_clock(now)
        spec = self._specs.get(order.market)
        if spec is None:
            raise OrderRejected(RejectReason.UNKNOWN_MARKET, f"market {order.market}")
        check_order_shape(order, spec)
        if order.key in self._market_of:
            raise OrderRejected(RejectReason.DUPLICATE_ORDER_ID, f"order {order.key} was submitted before")
        if now >= order.expires_at:
            raise OrderRejected(RejectReason.EXPIRED, f"expires at {order.expires_at}, now {now}")
        size = order.size
        if order.reduce_only:
            size = min(size, reducible(order.side, self._position_of(order.account, order.market)))
            if size == 0:
                raise OrderRejected(RejectReason.REDUCE_ONLY_WOULD_INCREASE)
        for validate in self._validators:
            validate(order)
        book = self._books[order.market]
        removed_makers: list[Cancel] = []
        if order.post_only and self._would_cross(book, order, now, removed_makers):
            raise OrderRejected(RejectReason.POST_ONLY_WOULD_CROSS, removed=tuple(removed_makers))

        self._market_of[order.key] = order.market
        taker_cancels: list[Cancel] = []
        if size < order.size:
            taker_cancels.append(Cancel(order, order.size - size, CancelReason.REDUCE_ONLY))
        fills: list[Fill] = []
        remaining, stop_reason = self._match(book, order, size, now, fills, removed_makers)
        resting = 0
        if remaining:
            if stop_reason is None and order.time_in_force is TimeInForce.IOC:
                stop_reason = CancelReason.IMMEDIATE_OR_CANCEL
            if stop_reason is None:
                book.rest(order, remaining)
                resting = remaining
            else:
                taker_cancels.append(Cancel(order, remaining, stop_reason))
        return SubmitResult(order, tuple(fills), resting, tuple(taker_cancels), tuple(removed_makers))

    def restore(self, order: Order, remaining: int) -> None:
        """Put back an order accepted before (crash recovery): its key counts as used and, when
        ``remaining`` > 0, it rests without matching. Restore in arrival order to keep time priority."""
        if order.market not in self._specs:
            raise OrderRejected(RejectReason.UNKNOWN_MARKET, f"market {order.market}")
        if order.key in self._market_of:
            raise ValueError(f"order {order.key} was restored or submitted before")
        self._market_of[order.key] = order.market
        if remaining:
            self._books[order.market].rest(order, remaining)

    def cancel(self, account: int, order_id: int) -> Cancel:
        """Take one resting order of ``account`` off its book."""
        key = (account, order_id)
        market = self._market_of.get(key)
        resting = None if market is None else self._books[market].get(key)
        if resting is None:
            raise OrderRejected(RejectReason.UNKNOWN_ORDER, f"account {account}, id {order_id}")
        self._books[market].remove(key)
        return Cancel(resting.order, resting.remaining, CancelReason.USER)

    def cancel_all(self, account: int, market: int | None = None) -> list[Cancel]:
        """Cancel all resting orders of ``account`` (only in ``market`` if given), oldest first per market."""
        markets = self._specs if market is None else (self.book(market).market,)
        cancels = []
        for each in markets:
            book = self._books[each]
            for key in book.keys_of(account):
                resting = book.remove(key)
                cancels.append(Cancel(resting.order, resting.remaining, CancelReason.USER))
        return cancels

    def _advance_clock(self, now: int) -> None:
        if not isinstance(now, int) or isinstance(now, bool):
            raise TypeError(f"now must be an int, got {type(now).__name__}")
        if self._now is not None and now < self._now:
            raise ValueError(f"time went backwards: {now} after {self._now}")
        self._now = now

    @staticmethod
    def _crosses(taker: Order, maker_price: int) -> bool:
        if taker.side is Side.BUY:
            return maker_price <= taker.price
        return maker_price >= taker.price

    def _would_cross(self, book: OrderBook, order: Order, now: int, removed: list[Cancel]) -> bool:
        """Whether ``order`` would trade now; expired makers met at the top are removed first."""
        opposite = order.side.opposite
        while (maker := book.best(opposite)) is not None and self._crosses(order, maker.order.price):
            if now < maker.order.expires_at:
                return True
            removed.append(self._remove(book, maker, CancelReason.EXPIRED))
        return False

    def _match(
        self, book: OrderBook, taker: Order, size: int, now: int, fills: list[Fill], removed: list[Cancel]
    ) -> tuple[int, CancelReason | None]:
        """Trade up to ``size`` lots of ``taker``; return what is left and why matching had to stop early."""
        opposite = taker.side.opposite
        position_changes: dict[int, int] = {}
        while size and (maker := book.best(opposite)) is not None:
            made = maker.order
            if not self._crosses(taker, made.price):
                break
            if now >= made.expires_at:
                removed.append(self._remove(book, maker, CancelReason.EXPIRED))
                continue
            if made.account == taker.account:
                policy = self._self_trade
                if policy is not SelfTradePolicy.CANCEL_TAKER:
                    removed.append(self._remove(book, maker, CancelReason.SELF_TRADE))
                if policy is not SelfTradePolicy.CANCEL_MAKER:
                    return size, CancelReason.SELF_TRADE
                continue
            traded = min(size, maker.remaining)
            if made.reduce_only:
                position = self._position_of(made.account, made.market)
                position += position_changes.get(made.account, 0)
                traded = min(traded, reducible(made.side, position))
                if traded == 0:
                    removed.append(self._remove(book, maker, CancelReason.REDUCE_ONLY))
                    continue
            fill = Fill(made, taker, made.price, traded)
            if self._fill_check is not None and (block := self._fill_check(fill)) is not None:
                if block is FillBlock.TAKER:
                    return size, CancelReason.REFUSED_AT_FILL
                removed.append(self._remove(book, maker, CancelReason.REFUSED_AT_FILL))
                continue
            fills.append(fill)
            book.fill(maker, traded)
            size -= traded
            position_changes[made.account] = position_changes.get(made.account, 0) + made.side * traded
        return size, None

    @staticmethod
    def _remove(book: OrderBook, maker: RestingOrder, reason: CancelReason) -> Cancel:
        book.remove(maker.order.key)
        return Cancel(maker.order, maker.remaining, reason)
