"""A mapping split over many small dicts, so that no insertion stalls the venue.

A Python dict that grows copies its whole table into a larger one, in one C call that holds the
GIL: 1-4 ms at 43,690 and 87,381 entries alone, more inside a venue's large heap, and every thread
of the venue (matching, the committer, the signature checks) waits for it; the paced intake's
slowest acknowledgements (8-30 ms) came where its maps crossed those sizes. The maps the intake
keeps for its whole history (the engine's order keys, the remembered signature verdicts) are
therefore split by a hash of the key: each part is a ``count``-th of the map and copies only itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, MutableMapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

SHARDS = 64
"""Parts of a sharded map: a copy moves at most this fraction of its entries."""


class ShardedDict(MutableMapping[K, V], Generic[K, V]):
    """A dict split over ``count`` dicts (a power of two) by ``shard_of(key)``, any int that spreads
    the keys (``hash`` by default; a cheaper field of the key where hashing it is costly)."""

    def __init__(self, count: int = SHARDS, shard_of: Callable[[K], int] = hash,
                 factory: Callable[[], dict[K, V]] = dict) -> None:  # fmt: skip
        if count < 1 or count & (count - 1):
            raise ValueError(f"the number of shards must be a power of two, got {count}")
        self._mask, self._shard_of = count - 1, shard_of
        self.shards: tuple[dict[K, V], ...] = tuple(factory() for _ in range(count))

    def shard(self, key: K) -> dict[K, V]:
        """The dict that holds (or would hold) ``key``."""
        return self.shards[self._shard_of(key) & self._mask]

    def __getitem__(self, key: K) -> V:
        return self.shard(key)[key]

    def __setitem__(self, key: K, value: V) -> None:
        self.shard(key)[key] = value

    def __delitem__(self, key: K) -> None:
        del self.shard(key)[key]

    def __contains__(self, key: object) -> bool:
        return key in self.shard(key)  # type: ignore[arg-type]

    def get(self, key: K, default: V | None = None) -> V | None:  # type: ignore[override]
        return self.shard(key).get(key, default)

    def __len__(self) -> int:
        return sum(len(shard) for shard in self.shards)

    def __iter__(self) -> Iterator[K]:
        for shard in self.shards:
            yield from shard

    def clear(self) -> None:
        for shard in self.shards:
            shard.clear()
