"""The venue process's collector policy: what is alive when it settles is frozen out of later
passes, and passes run rarely."""

from __future__ import annotations

import gc

from rollup.operator.collector import OLDER_PASS_EVERY, YOUNG_PASS_EVERY, settle_collector


def test_settling_freezes_the_loaded_heap_and_spaces_the_passes() -> None:
    defaults = gc.get_threshold()
    loaded = [[i] for i in range(1000)]  # containers alive when the venue settles
    try:
        settle_collector()
        assert gc.get_threshold() == (YOUNG_PASS_EVERY, *OLDER_PASS_EVERY)
        assert gc.get_freeze_count() >= len(loaded)
        collected = {id(x) for x in gc.get_objects()}  # the generations the passes walk
        assert not any(id(x) in collected for x in loaded)
    finally:
        gc.unfreeze()
        gc.set_threshold(*defaults)
