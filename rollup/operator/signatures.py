"""Signature checks of order intake: the orders and cancels of a micro-batch verified in one
compiled pass (``rollup.sigcheck``, by the batch circuit's rules), and the verdicts on orders
remembered, so the per-order checks of validity.py (at the door, and again at each fill) need not
verify each signature again, one call at a time.

A verdict is remembered under the exact signed order (every field its message hashes, and the
signature) together with the key it was checked against; ``validity.check_order`` uses it only
when the state holds that same key for the account, and verifies that signature alone otherwise.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from circuits.field import FR
from circuits.gadgets.babyjub import Point
from circuits.gadgets.eddsa import Signature
from prover.bn254 import ints_to_limbs, limbs_to_ints
from rollup.exchange.operations import SignedOrder
from rollup.sharded import SHARDS, ShardedDict

VERIFIED_CAPACITY = 1 << 17  # verdicts of valid signatures kept (resting orders are checked again at fills)
REFUSED_CAPACITY = 1 << 12  # and of invalid ones (needed only until their order is refused)
CANCEL_CAPACITY = 1 << 12  # verdicts on cancels (needed only until the cancel is handled)
MIN_SHARD = 1 << 11  # a memory is split only into parts of at least this many verdicts


class VerdictMemory:
    """A bounded map (signed request, key) → verdict, dropping the least recently used entry. A large
    one is split (``rollup/sharded.py``) by ``shard_of(entry)``, a cheap int of the entry that varies
    (its signature's S), each part holding an equal share and dropping its own least recent: filling
    it never copies more than a part's table at once."""

    def __init__(self, capacity: int, shard_of: Callable[[tuple], int] = hash) -> None:
        self.capacity = capacity
        count = min(SHARDS, 1 << (max(1, capacity // MIN_SHARD).bit_length() - 1))
        self._entries: ShardedDict[tuple, bool] = ShardedDict(count, shard_of, OrderedDict)
        self._shard_capacity = capacity // count

    def get(self, entry: tuple) -> bool | None:
        shard = self._entries.shard(entry)
        verdict = shard.get(entry)
        if verdict is not None:
            shard.move_to_end(entry)  # type: ignore[attr-defined]
        return verdict

    def put(self, entry: tuple, verdict: bool) -> None:
        shard = self._entries.shard(entry)
        shard[entry] = verdict
        shard.move_to_end(entry)  # type: ignore[attr-defined]
        if len(shard) > self._shard_capacity:
            shard.popitem(last=False)  # type: ignore[call-arg]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def order_entry_shard(entry: tuple) -> int:
    """(signed order, key) → its signature's S: spread evenly, and cheap beside hashing the order."""
    return entry[0].signature.S


def cancel_entry_shard(entry: tuple) -> int:
    """(account, order id, signature, key) → the signature's S."""
    return entry[2].S


_verified = VerdictMemory(VERIFIED_CAPACITY, order_entry_shard)
_refused = VerdictMemory(REFUSED_CAPACITY, order_entry_shard)
_cancels = VerdictMemory(CANCEL_CAPACITY, cancel_entry_shard)
_lock = threading.Lock()
_orders_checked = 0


def known_verdict(signed: SignedOrder, pk: Point) -> bool | None:
    """What a batch check found for ``signed`` under ``pk``, or None if none checked exactly that."""
    entry = (signed, tuple(pk))
    with _lock:
        verdict = _verified.get(entry)
        return _refused.get(entry) if verdict is None else verdict


CANCEL_TAG = 5
"""Domain tag of a signed cancel request (off-chain only: the circuit never sees cancels)."""

CancelEntry = tuple[int, int, Signature]
"""A signed cancel request as its verdict is remembered: account, order id, signature."""


def cancel_message_inputs(account: int, order_id: int) -> list[int]:
    """The Poseidon inputs of the message a cancel of ``order_id`` by ``account`` signs."""
    return [CANCEL_TAG, account, order_id]


def known_cancel_verdict(cancel: CancelEntry, pk: Point) -> bool | None:
    """What a batch check found for this exact signed cancel under ``pk``, or None if none did."""
    with _lock:
        return _cancels.get((*cancel, tuple(pk)))


def forget_verdicts() -> None:
    """Drop every remembered verdict, as a new process starts with none (a benchmark's fresh venue
    must check its orders' signatures, not find them known from an earlier run in the process)."""
    with _lock:
        _verified.clear()
        _refused.clear()
        _cancels.clear()


def orders_checked() -> int:
    """How many order signatures the compiled passes of :func:`check_orders` checked in this process."""
    return _orders_checked


def prepare_keys(keys: Sequence[Point]) -> int:
    """Build the intake's key tables for ``keys`` now (as many as the tables hold, the first ones),
    so that no order waits while its account's table is built (about 0.2 ms a key, which the first
    micro-batches after a start would otherwise pay for every account at once); how many it built."""
    from rollup.sigcheck.orders import shared_key_tables  # compiled kernels: loaded by the serving process

    tables = shared_key_tables()
    distinct = list(dict.fromkeys(keys))[: tables.capacity]
    with tables.lock:
        before = tables.known()
        tables.rows_for(distinct)
        return tables.known() - before


def check_orders(orders: Sequence[SignedOrder], keys: Sequence[Point | None]) -> list[bool]:
    """Whether each order is signed by ``keys[i]`` (its account's key; None: no account, refused),
    in one compiled pass; the verdicts under a key are remembered for :func:`known_verdict`."""
    from rollup.sigcheck.orders import check_signatures  # compiled kernels: loaded on first intake

    verdicts = check_signatures(orders, keys)
    global _orders_checked
    with _lock:
        _orders_checked += len(orders)
        for signed, pk, verdict in zip(orders, keys, verdicts, strict=True):
            if pk is not None:
                (_verified if verdict else _refused).put((signed, tuple(pk)), verdict)
    return verdicts


def check_messages(inputs: Sequence[Sequence[int]], keys: Sequence[Point | None],
                   signatures: Sequence[Signature]) -> list[bool]:  # fmt: skip
    """Whether each ``signatures[i]`` signs ``poseidon(inputs[i])`` (rows of one width, taken mod r)
    under ``keys[i]`` (None: refused), by the circuit's rules, in one compiled pass."""
    from rollup.sigcheck.poseidon import poseidon_many
    from rollup.sigcheck.verify import CHUNK, in_chunks

    if not len(inputs) == len(keys) == len(signatures):
        raise ValueError("need one key and one signature per message")
    if not inputs:
        return []
    if len(inputs) > CHUNK:
        return in_chunks(check_messages, CHUNK, inputs, keys, signatures)
    width = len(inputs[0])
    if any(len(row) != width for row in inputs):
        raise ValueError("every message must have as many inputs")
    limbs = ints_to_limbs([v % FR for row in inputs for v in row]).reshape(len(inputs), width, 4)
    return verify_messages(limbs_to_ints(poseidon_many(limbs)), keys, signatures)


def verify_messages(messages: Sequence[int], keys: Sequence[Point | None],
                    signatures: Sequence[Signature]) -> list[bool]:  # fmt: skip
    """Whether each ``signatures[i]`` signs the message hash ``messages[i]`` under ``keys[i]`` (None:
    refused), by the circuit's rules, compiled, with the intake's shared key tables (at most
    ``CHUNK`` at a time)."""
    from rollup.sigcheck.orders import shared_key_tables
    from rollup.sigcheck.verify import CHUNK, signature_rows, verify_rows

    if len(messages) > CHUNK:
        raise ValueError(f"at most {CHUNK} messages at a time")
    rows, unencodable = signature_rows(messages, [key or (0, 0) for key in keys], signatures)
    tables = shared_key_tables()
    with tables.lock:
        ok = verify_rows(rows, tables.rows_for(keys), tables)
    return (ok & ~unencodable).tolist()


@dataclass(frozen=True)
class BatchSignatures:
    """The signatures of a micro-batch to check: orders and cancels, each with its account's key (a
    cancel's key of None is refused)."""

    orders: list[SignedOrder]
    order_keys: list[Point]
    cancels: list[CancelEntry]
    cancel_keys: list[Point | None]

    def check(self) -> None:
        """Check all; the verdicts are remembered (:func:`known_verdict`, :func:`known_cancel_verdict`)."""
        if self.orders:
            check_orders(self.orders, self.order_keys)
        inputs = [cancel_message_inputs(account, order_id) for account, order_id, _ in self.cancels]
        signatures = [signature for _, _, signature in self.cancels]
        verdicts = check_messages(inputs, self.cancel_keys, signatures)
        with _lock:
            for cancel, pk, verdict in zip(self.cancels, self.cancel_keys, verdicts, strict=True):
                if pk is not None:
                    _cancels.put((*cancel, tuple(pk)), verdict)

    def check_ahead(self) -> Future[None]:
        """:meth:`check` on a thread of its own (the kernels release the GIL), so the caller can
        go on with earlier requests meanwhile."""
        return _checker().submit(self.check)


@cache
def _checker() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="zkclear-intake-sigcheck")
