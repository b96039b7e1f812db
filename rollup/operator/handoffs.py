"""The operator process's thread-switching policy.

Intake commits on the store's committer thread while the operator's thread matches the next
micro-batch (``Store.commit_later``). When the commit is durable, the committer needs the GIL for a
moment to release the acknowledgements, but the operator's thread holds it while it runs Python;
CPython makes a thread that holds the GIL give it up only after the switch interval, 5 ms by
default. Every acknowledgement could wait that long. The venue's process shortens the interval, so
an acknowledgement waits at most ``SWITCH_INTERVAL_S`` for its turn.
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_S = 0.0005
"""Longest a thread waiting for the GIL waits before the holder is asked to give it up (CPython: 0.005)."""


def prompt_handoffs() -> float:
    """Shorten the switch interval for the process that serves a venue; the interval it replaces."""
    replaced = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return replaced
