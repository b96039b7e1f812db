"""The operator: takes signed orders, cancels, deposits, withdrawals, oracle prices and funding
ticks; checks each by the circuit's rules against the state all queued operations leave; matches
orders; queues the resulting operations into batches; and drives sealed batches through the
pipeline. Every acknowledgement (a method returning) comes after the store committed its effect.

Orders and cancels come in micro-batches (``submit_many``): their signatures are checked in one
compiled pass, then each is handled in arrival order, and the effects of all commit together
(group commit), before any result is returned. The commit runs on the store's own thread
(``submit_many_later``), so the next micro-batch is matched meanwhile.

What lives in memory (books, the projected state, the open batch) is a cache of the store: it is
rebuilt from the store on open, and after any failed commit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from circuits.exchange.config import PPM
from circuits.gadgets.babyjub import Point
from circuits.gadgets.eddsa import Signature
from circuits.gadgets.poseidon import poseidon
from rollup.exchange.operations import (
    Deposit,
    FundingTick,
    Operation,
    OraclePrice,
    SignedOrder,
    Trade,
    Withdraw,
)
from rollup.exchange.state import ExchangeState
from rollup.matching import FillBlock, MatchingEngine, SubmitResult
from rollup.operator import deleveraging, liquidations, snapshots
from rollup.operator.batcher import OpenBatch
from rollup.operator.genesis import Genesis
from rollup.operator.margin import is_reducing, margin_slack, ratios, settled_collateral
from rollup.operator.pipeline import Prover, Settlement, advance_batch
from rollup.operator.records import advance
from rollup.operator.refusals import OpRefused, Refusal
from rollup.operator.signatures import (
    BatchSignatures,
    cancel_message_inputs,
    known_cancel_verdict,
    known_verdict,
    prepare_keys,
)
from rollup.operator.store import OrderRow, Store, order_status
from rollup.operator.validity import account_key, check_order, signature_valid, step
from rollup.orders import Cancel, Fill, Order, OrderKey, Side, TimeInForce
from rollup.rejections import OrderRejected, without_frames

log = logging.getLogger(__name__)

def cancel_message(account: int, order_id: int) -> int:
    return poseidon(cancel_message_inputs(account, order_id))


@dataclass(frozen=True)
class PlaceRequest:
    """A signed order and its (unsigned) flags, as ``place`` takes them."""

    signed: SignedOrder
    time_in_force: str = "GTC"
    post_only: bool = False
    reduce_only: bool = False


@dataclass(frozen=True)
class CancelRequest:
    """A signed request to cancel a resting order, as ``cancel`` takes it."""

    account: int
    order_id: int
    signature: Signature


@dataclass(frozen=True)
class Placed:
    """The acknowledgement of an accepted order: what it did, with the stored fill ids."""

    key: OrderKey
    result: SubmitResult
    fill_ids: tuple[int, ...]
    sealed: tuple[int, ...]  # batches sealed while queueing its trades
    row: OrderRow  # the order as stored once it was placed (later orders may fill it further)


IntakeResult = Placed | Cancel | OrderRejected
"""What ``submit_many`` answers for one request: an acknowledgement, or the refusal."""

CHECK_AHEAD = 64
"""Requests of a micro-batch whose signatures are checked together, the next chunk's while this
one is matched (GIL-free kernels beside the Python matching)."""


def acknowledge(answers: Future[list[IntakeResult]], results: list[IntakeResult],
                committed: Future[None]) -> None:  # fmt: skip
    """Settle a micro-batch's answers with its results once its commit is durable, or with the failure."""
    failure = committed.exception()
    if failure is None:
        answers.set_result(results)
    else:
        answers.set_exception(failure)


@contextmanager
def closed_on_error(store: Store) -> Iterator[None]:
    """Close ``store`` (releasing its lock) if the block fails: a failed open holds nothing."""
    try:
        yield
    except BaseException:
        store.close()
        raise


def engine_order(signed: SignedOrder, time_in_force: str, post_only: bool, reduce_only: bool) -> Order:
    o = signed.order
    return Order(o.market, o.account, o.order_id, Side.BUY if o.is_buy else Side.SELL, o.price, o.amount,
                 o.expiry, TimeInForce(time_in_force), post_only, reduce_only)  # fmt: skip


class Operator:
    snapshot_every = 16  # batches between state snapshots (taken when such a batch settles)

    def __init__(self, store: Store, genesis: Genesis, liquidator_key: bytes | None = None,
                 prover: Prover | None = None, settlement: Settlement | None = None,
                 clock: Callable[[], float] = time.time) -> None:  # fmt: skip
        self.store = store
        self.genesis = genesis
        self.liquidator_key = liquidator_key
        self.prover = prover
        self.settlement = settlement
        self.clock = clock
        self._rebuild()

    @classmethod
    def create(cls, path: str | Path, genesis: Genesis, **kwargs) -> Operator:
        """A venue at ``path`` with these parameters (an existing one must have the same), open for
        writing: VenueInUse while another operator writes it."""
        store = Store.open(path)
        with closed_on_error(store):
            stored = store.get_meta("genesis")
            if stored is None:
                with store.transaction():
                    store.set_meta("genesis", genesis.to_json())
            elif Genesis.from_json(stored) != genesis:
                raise ValueError(f"{path} holds a venue with other parameters")
            return cls(store, genesis, **kwargs)

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False, **kwargs) -> Operator:
        """The venue at ``path`` as the store left it: for writing (VenueInUse while another
        operator writes it), or ``read_only``, a snapshot beside a writer that cannot change it."""
        if not Path(path).exists():
            raise FileNotFoundError(f"{path}: no venue here (run init first)")
        store = Store.open_read_only(path) if read_only else Store.open(path, create=False)
        with closed_on_error(store):
            stored = store.get_meta("genesis")
            if stored is None:
                raise ValueError(f"{path} holds no venue parameters")
            return cls(store, Genesis.from_json(stored), **kwargs)

    def close(self) -> None:
        """Close the store (and give up the writer lock); the operator is unusable afterwards."""
        self.store.close()

    # --- the in-memory view, rebuilt from the store ------------------------------------------------

    def _rebuild(self) -> None:
        start, state = self._restore()
        self._before: dict[int, ExchangeState] = {}  # unsettled batches: the state each applies to
        self._after: dict[int, ExchangeState] = {}  # and the state it must reach (hashed when needed)
        for batch in self.store.batches():
            if batch.id <= start:
                continue
            after = advance(state, [row.op for row in self.store.ops(batch_id=batch.id)])
            if batch.status != "settled":
                self._before[batch.id], self._after[batch.id] = state, after
            state = after
        self.sealed_state = state
        self.batch = OpenBatch(self.genesis.shape, self.store.last_batch_id() + 1)
        for row in self.store.ops(after_batch=self.batch.batch_id - 1):
            self.batch.put(row.slot, row.op, row.queued_at)
            state = advance(state, [row.op])
        self.state = state
        self._deposits = self.store.deposit_count()
        self._resting: dict[OrderKey, tuple[SignedOrder, int]] = {}  # resting orders, with their seq
        self._slot_owner: dict[tuple[int, int], int] = {}  # (account, fill slot) → resting order id
        self.engine = MatchingEngine(self.genesis.market_specs(), self._position_of,
                                     validators=[self._validate], fill_check=self._check_fill)  # fmt: skip
        for row in self.store.orders():
            order = engine_order(row.signed, row.time_in_force, row.post_only, row.reduce_only)
            resting = row.remaining if row.status == "resting" else 0
            self.engine.restore(order, resting)
            if resting:
                self._rest(row.signed, row.seq)
        self._makers_to_check = [signed for signed, _ in self._resting.values()]  # checked in the next intake
        self._look_ahead: Future[None] | None = None  # see submit_many

    def _restore(self) -> tuple[int, ExchangeState]:
        """The newest snapshot a restart may start from (all batches up to it settled) and the
        batch it follows; one that does not rebuild to its batch's root is skipped (logged)."""
        for batch_id in self.store.snapshot_ids(self.store.usable_snapshot_limit()):
            root, text = self.store.snapshot(batch_id)
            applied = self.store.batch(batch_id).new_root  # the circuit's, once the batch was applied
            try:
                if applied not in (None, root):
                    raise snapshots.SnapshotError("its root is not the root the batch was applied to")
                return batch_id, snapshots.decode(self.genesis, text, root)
            except snapshots.SnapshotError as error:
                log.warning("snapshot after batch %d skipped: %s", batch_id, error)
        return 0, self.genesis.state()

    def _slot(self, signed: SignedOrder) -> tuple[int, int]:
        o = signed.order
        return (o.account, o.order_id % 4**self.genesis.config.order_depth)

    def _rest(self, signed: SignedOrder, seq: int) -> None:
        self._resting[(signed.order.account, signed.order.order_id)] = signed, seq
        self._slot_owner[self._slot(signed)] = signed.order.order_id

    def _unrest(self, key: OrderKey) -> None:
        signed, _ = self._resting.pop(key)
        del self._slot_owner[self._slot(signed)]

    @property
    def now(self) -> int:
        """The engine's clock: the latest oracle time of any market (orders expire against it)."""
        return max(self.state.market(m)["price_time"] for m in range(self.genesis.config.n_markets))

    @property
    def root(self) -> int:
        """The state root once every queued operation is applied."""
        return self.state.root

    def _position_of(self, account: int, market: int) -> int:
        return self.state.account(account).position[market]

    # --- orders ----------------------------------------------------------------------------------

    def _validate(self, order: Order) -> None:
        """The incoming order's own rules: signature, account, order id and fill slot, expiry, and
        margin were it to fill completely at its limit price (the trade rule)."""
        signed = self._incoming
        check_order(self.state, signed)
        owner = self._slot_owner.get(self._slot(signed))
        if owner is not None:
            raise OpRefused(Refusal.SLOT_BUSY, f"order {owner} is open in fill slot {self._slot(signed)[1]}")
        o, state = signed.order, self.state
        sign = 1 if o.is_buy else -1
        positions = list(state.account(o.account).position)
        old = positions[o.market]
        positions[o.market] += sign * o.amount
        fee = o.amount * o.price * state.market(o.market)["fee"] // PPM
        collateral = settled_collateral(state, o.account) - sign * o.amount * o.price - fee
        field = "mmr" if is_reducing(old, positions[o.market]) else "imr"
        if margin_slack(state, o.account, ratios(state, field), collateral, positions) < 0:
            raise OpRefused(Refusal.INSUFFICIENT_MARGIN, f"account {o.account} cannot carry {o.amount} more")

    def _check_fill(self, fill: Fill) -> FillBlock | None:
        """Each fill is checked as the trade it becomes, on the state the earlier ones leave."""
        maker, _ = self._resting[fill.maker.key]
        lot = self.genesis.markets[fill.market]["lot"]
        trade = Trade(self._incoming, maker, fill.size // lot)
        try:
            after = step(self._scratch, trade)
        except OpRefused as refused:
            return FillBlock.MAKER if refused.party == "maker" else FillBlock.TAKER
        self._scratch = after
        self._trades.append((trade, after))
        return None

    # --- intake: micro-batches of orders and cancels ------------------------------------------------

    def submit_many(self, requests: Sequence[PlaceRequest | CancelRequest],
                    arrived: Callable[[], Sequence[PlaceRequest | CancelRequest]] | None = None,
                    ) -> list[IntakeResult]:  # fmt: skip
        """``submit_many_later``, waiting for the answers: they come back once the micro-batch is
        committed; if the commit fails, memory is rebuilt from the store and this raises."""
        answers = self.submit_many_later(requests, arrived)
        try:
            return answers.result()
        finally:
            self.settle()

    def submit_many_later(self, requests: Sequence[PlaceRequest | CancelRequest],
                          arrived: Callable[[], Sequence[PlaceRequest | CancelRequest]] | None = None,
                          ) -> Future[list[IntakeResult]]:  # fmt: skip
        """Handle a micro-batch in arrival order: the signatures of all its orders and cancels are
        checked by the compiled batch verifier, each request is then matched or refused against the
        state the ones before it left, and the effects of all commit in one transaction (group
        commit). The future holds the results (Placed, Cancel, or the OrderRejected refusing that
        request alone) once that commit is durable, or what the commit failed with: nothing is
        acknowledged then, and the next call (or ``settle``) rebuilds memory from the store.
        Signatures are checked ``CHECK_AHEAD`` requests at a time, the next chunk's on the kernel
        threads while this one is matched.

        The commit runs on the store's committer thread (``Store.commit_later``): this returns once
        the micro-batch is matched and written, so the next one is matched while this one syncs. A
        micro-batch matched while the one before failed to commit is dropped too (it raises).

        ``arrived`` (if given) is asked, once the micro-batch is matched, for the requests that came
        in meanwhile (the next micro-batch's): their signatures are checked on the kernel threads
        while this one is written and committed, and the next call finds those verdicts known."""
        self._await_look_ahead()
        chunks = [requests[lo : lo + CHECK_AHEAD] for lo in range(0, len(requests), CHECK_AHEAD)]
        results: list[IntakeResult] = []
        checked: Future[None] = Future()
        self.store.record_writes()
        try:
            for k, chunk in enumerate(chunks):
                if k == 0:
                    self._signature_work(chunk).check()
                else:
                    checked.result()
                if k + 1 < len(chunks):
                    checked = self._signature_work(chunks[k + 1]).check_ahead()
                for request in chunk:
                    try:
                        if isinstance(request, PlaceRequest):
                            results.append(self._place(request))
                        else:
                            results.append(self._cancel(request))
                    except OrderRejected as refused:
                        results.append(without_frames(refused))
            upcoming = arrived() if arrived is not None else ()
            self._look_ahead = self._signature_work(upcoming).check_ahead() if upcoming else None
            committed = self.store.commit_later()
        except BaseException:
            self.store.drop_writes()
            self._rebuild()
            raise
        answers: Future[list[IntakeResult]] = Future()
        committed.add_done_callback(partial(acknowledge, answers, results))
        return answers

    def settle(self) -> None:
        """Wait for the intake's commit in flight; if it failed, rebuild memory from the store (what
        memory held beyond it was never acknowledged). Everything but intake settles first."""
        if self.store.await_commit() is not None:
            self._rebuild()

    def _await_look_ahead(self) -> None:
        """Wait for the signatures checked during the last commit (their verdicts then known). Should
        that check have failed, the orders are simply checked again in their own micro-batch."""
        if self._look_ahead is not None:
            self._look_ahead.exception()
            self._look_ahead = None

    def place_many(self, requests: Sequence[PlaceRequest]) -> list[Placed | OrderRejected]:
        """``submit_many`` of orders only."""
        return self.submit_many(requests)

    def cancel_many(self, requests: Sequence[CancelRequest]) -> list[Cancel | OrderRejected]:
        """``submit_many`` of cancels only."""
        return self.submit_many(requests)

    def place(self, signed: SignedOrder, time_in_force: str = "GTC", post_only: bool = False,
              reduce_only: bool = False) -> Placed:  # fmt: skip
        """Check, match and record one order; raises OrderRejected (with a reason) if refused."""
        [result] = self.place_many([PlaceRequest(signed, time_in_force, post_only, reduce_only)])
        if isinstance(result, OrderRejected):
            raise result
        return result

    def cancel(self, account: int, order_id: int, signature: Signature) -> Cancel:
        """Cancel a resting order on its account's signed request."""
        [result] = self.cancel_many([CancelRequest(account, order_id, signature)])
        if isinstance(result, OrderRejected):
            raise result
        return result

    def _key_or_none(self, account: int) -> Point | None:
        return account_key(self.state, account) if account in self.state.accounts else None

    def prepare_intake(self) -> int:
        """Build the signature checks' key tables of the accounts there are, as a serving venue does
        once it is open (``zkclear serve``); how many were built."""
        return prepare_keys([account_key(self.state, index) for index in sorted(self.state.accounts)])

    def _signature_work(self, requests: Sequence[PlaceRequest | CancelRequest]) -> BatchSignatures:
        """The signatures of ``requests`` to check, each against the key the state holds now for its
        account, whose verdict is not known yet: orders (and, in the first batch after opening, the
        resting orders, which fills check again) and cancels."""
        orders = [r.signed for r in requests if isinstance(r, PlaceRequest)] + self._makers_to_check
        self._makers_to_check = []
        unknown = [
            (signed, pk)
            for signed in orders
            if (pk := self._key_or_none(signed.order.account)) is not None
            and known_verdict(signed, pk) is None
        ]
        cancels = []
        for r in requests:
            if isinstance(r, CancelRequest):
                entry, pk = (r.account, r.order_id, r.signature), self._key_or_none(r.account)
                if pk is None or known_cancel_verdict(entry, pk) is None:
                    cancels.append((entry, pk))
        return BatchSignatures(
            [signed for signed, _ in unknown],
            [pk for _, pk in unknown],
            [entry for entry, _ in cancels],
            [pk for _, pk in cancels],
        )

    def _place(self, request: PlaceRequest) -> Placed:
        """Check, match and record one order inside the intake's transaction (or raise OrderRejected)."""
        signed = request.signed
        order = engine_order(signed, request.time_in_force, request.post_only, request.reduce_only)
        self._incoming, self._scratch, self._trades = signed, self.state, []
        try:
            result = self.engine.submit(order, self.now)
        except OrderRejected as rejected:
            for cancel in rejected.removed:  # expired makers the post-only check took off the book
                self._record_cancel(cancel)
            raise
        trades, self._trades = self._trades, []
        seq = self.store.add_order(signed, request.time_in_force, request.post_only, request.reduce_only)
        status = order_status(order.size, result.filled, result.cancelled)
        row = OrderRow(signed, request.time_in_force, request.post_only, request.reduce_only, status,
                       result.resting, seq)  # fmt: skip
        fill_ids = []
        before = self.batch.batch_id
        for fill, (trade, after) in zip(result.fills, trades, strict=True):
            maker = (*fill.maker.key, self._resting[fill.maker.key][1])
            fill_ids.append(self.store.add_fill(fill.market, (*order.key, seq), maker, fill.price, fill.size,
                                               self._queue(trade, after)))  # fmt: skip
            if self.engine.book(fill.market).get(fill.maker.key) is None:  # a maker fills once a submit
                self._unrest(fill.maker.key)
        for cancel in result.taker_cancels:
            self.store.add_cancel(seq, *order.key, cancel.size, cancel.reason.value)
        for cancel in result.removed_makers:
            self._record_cancel(cancel)
        if result.resting:
            self._rest(signed, seq)
        sealed = tuple(range(before, self.batch.batch_id))
        return Placed(order.key, result, tuple(fill_ids), sealed, row)

    def _cancel(self, request: CancelRequest) -> Cancel:
        """Cancel one resting order inside the intake's transaction (or raise OrderRejected); a batch
        verdict counts only if checked against the key the account holds now, else it is verified here."""
        pk = account_key(self.state, request.account)
        valid = known_cancel_verdict((request.account, request.order_id, request.signature), pk)
        if valid is None:
            valid = signature_valid(cancel_message(request.account, request.order_id), request.signature, pk)
        if not valid:
            raise OpRefused(
                Refusal.BAD_SIGNATURE, f"cancel of order {request.order_id} of account {request.account}"
            )
        cancel = self.engine.cancel(request.account, request.order_id)
        self._record_cancel(cancel)
        return cancel

    def _record_cancel(self, cancel: Cancel) -> None:
        key = cancel.order.key
        self.store.add_cancel(self._resting[key][1], *key, cancel.size, cancel.reason.value)
        self._unrest(key)

    # --- other operations ------------------------------------------------------------------------

    def deposit(self, queue_index: int, account: int, pk: Point, amount: int) -> int:
        """Consume the next on-chain deposit; returns the operation's sequence number."""
        if queue_index != self._deposits:
            raise OpRefused(
                Refusal.DEPOSIT_ORDER, f"expected queue index {self._deposits}, got {queue_index}"
            )
        op = Deposit(account, tuple(pk), amount)
        after = step(self.state, op)
        with self._recording():
            seq = self._queue(op, after)
            self.store.add_deposit(queue_index, account, amount, seq)
        self._deposits += 1
        return seq

    def withdraw(self, op: Withdraw, nonce: int | None = None) -> int:
        """Queue a signed withdrawal. ``nonce``, if given, is the one the client signed over: a stale
        one is refused as BAD_NONCE (its signature could not verify against the account's nonce)."""
        if nonce is not None:
            current = self.state.account(op.account).fields.nonce
            account_key(self.state, op.account)  # an unknown account is named as such first
            if nonce != current:
                raise OpRefused(Refusal.BAD_NONCE, f"account {op.account} is at nonce {current}, not {nonce}")
        return self._submit_op(op)

    def funding(self, op: FundingTick) -> int:
        return self._submit_op(op)

    def oracle(self, op: OraclePrice) -> list[int]:
        """A new price, then the liquidation of every account it leaves unhealthy and the
        deleveraging of those bankrupt beyond the fund, then liquidations the fund now covers (one
        commit); returns the sequence numbers of the price and of the operations it caused."""
        after = step(self.state, op)
        with self._recording():
            seqs = [self._queue(op, after)]
            seqs += self._liquidate()
            if "deleverage" in self.genesis.shape.slots:
                driven = deleveraging.drive(self.state, self.store.paid_in)
                deleveraged = [self._queue(d, state) for d, state in driven]
                seqs += deleveraged + (self._liquidate() if deleveraged else [])
        return seqs

    def _liquidate(self) -> list[int]:
        """Queue the scanner's liquidations (none without the liquidator's key); their sequence numbers."""
        if self.liquidator_key is None:
            return []
        scan = liquidations.scan(self.state, self.genesis.liquidator, self.liquidator_key)
        return [self._queue(liquidation, state) for liquidation, state in scan]

    def _submit_op(self, op: Operation) -> int:
        after = step(self.state, op)
        with self._recording():
            return self._queue(op, after)

    # --- batching --------------------------------------------------------------------------------

    @contextmanager
    def _recording(self) -> Iterator[None]:
        """The store's transaction (intake's commit in flight settled first); if it fails, memory is
        rebuilt from what the store holds."""
        self.settle()
        try:
            with self.store.transaction():
                yield
        except BaseException:
            self._rebuild()
            raise

    def _queue(self, op: Operation, after: ExchangeState) -> int:
        """Queue a checked op (``after`` = the state it leaves) into the open batch (inside a transaction)."""
        now = self.clock()
        slot = self.batch.slot_for(op.op_type)
        if slot is None:
            self._seal(now)
            slot = self.batch.slot_for(op.op_type)
        seq = self.store.add_op(op, self.batch.batch_id, slot, now)
        self.batch.put(slot, op, now)
        self.state = after
        if self.batch.full:
            self._seal(now)
        return seq

    def _seal(self, now: float) -> int:
        batch_id = self.batch.batch_id
        self.store.add_batch(batch_id, self.genesis.shape.slots, now)
        self._before[batch_id] = self.sealed_state
        self._after[batch_id] = self.state  # its root is taken by the pipeline, off the intake path
        self.sealed_state = self.state
        self.batch = OpenBatch(self.genesis.shape, batch_id + 1)
        return batch_id

    def seal(self) -> int | None:
        """Seal the open batch now (unused slots become no-ops); None when it is empty."""
        if self.batch.empty:
            return None
        with self._recording():
            return self._seal(self.clock())

    def tick(self) -> int | None:
        """Seal the open batch if its oldest operation has waited the deadline."""
        if self.batch.due(self.clock(), self.genesis.deadline):
            return self.seal()
        return None

    def batch_ops(self, batch_id: int) -> list[Operation | None]:
        """A sealed batch's slots, None for a no-op."""
        slots: list[Operation | None] = [None] * len(self.genesis.shape.slots)
        for row in self.store.ops(batch_id=batch_id):
            slots[row.slot] = row.op
        return slots

    def run_pipeline(self) -> dict[int, str]:
        """Advance every unsettled batch, oldest first, as far as it goes; their statuses."""
        statuses = {}
        for batch_id in sorted(self._before):
            status = advance_batch(self.store, batch_id, self._before[batch_id], self.batch_ops(batch_id),
                                   self._after[batch_id].root, self.prover, self.settlement)  # fmt: skip
            statuses[batch_id] = status
            if status == "settled":
                after = self._after.pop(batch_id)
                del self._before[batch_id]
                if batch_id % self.snapshot_every == 0:
                    self._snapshot(batch_id, after)
        return statuses

    def _snapshot(self, batch_id: int, after: ExchangeState) -> None:
        """Store the state after a settled batch, here in the pipeline rather than at the seal: its
        root and encoding take tens of milliseconds, which would stall intake."""
        with self.store.transaction():
            self.store.add_snapshot(batch_id, after.root, snapshots.encode(after))
            self.store.prune_snapshots()
