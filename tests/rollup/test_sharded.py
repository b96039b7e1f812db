"""The sharded map: a dict's behaviour, with no part holding more than its share, so that a
growing map never copies the whole of itself at once."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rollup.sharded import ShardedDict

operations = st.lists(st.tuples(st.sampled_from(["set", "del", "get"]), st.integers(-50, 50), st.integers()))


@given(operations)
def test_it_behaves_as_a_dict(ops):
    sharded: ShardedDict[int, int] = ShardedDict(8)
    plain: dict[int, int] = {}
    for op, key, value in ops:
        if op == "set":
            sharded[key] = plain[key] = value
        elif op == "del" and key in plain:
            del sharded[key], plain[key]
        else:
            assert (key in sharded, sharded.get(key)) == (key in plain, plain.get(key))
    assert len(sharded) == len(plain) and dict(sharded.items()) == plain
    with pytest.raises(KeyError):
        sharded[1_000]


def test_the_keys_spread_over_the_parts():
    sharded: ShardedDict[tuple[int, int], int] = ShardedDict(64)
    for account in range(1, 11):  # a few busy accounts, as a venue's order keys come
        for order_id in range(2_000):
            sharded[(account, order_id)] = account
    sizes = [len(shard) for shard in sharded.shards]
    assert sum(sizes) == 20_000 and max(sizes) < 2 * 20_000 / 64  # no part grows to hold the rest


def test_the_parts_are_a_power_of_two():
    with pytest.raises(ValueError, match="power of two"):
        ShardedDict(48)
