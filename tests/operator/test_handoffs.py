"""The venue process's switch interval: short, so the committer's acknowledgements wait at most that
long for the operator's thread to give up the GIL; the interval it replaced is returned."""

from __future__ import annotations

import sys

from rollup.operator.handoffs import SWITCH_INTERVAL_S, prompt_handoffs


def test_prompt_handoffs_shortens_the_switch_interval_and_returns_the_old_one() -> None:
    before = sys.getswitchinterval()
    try:
        assert prompt_handoffs() == before
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S < before
    finally:
        sys.setswitchinterval(before)
