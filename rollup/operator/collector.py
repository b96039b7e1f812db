"""The operator process's garbage-collector policy.

CPython's cyclic collector runs a young pass every 700 container allocations, and each full pass
walks every live object; an operator holds a large, long-lived heap (the rebuilt venue, the books,
the states of unsettled batches), so with the defaults the collector adds pauses of tens to
hundreds of milliseconds to acknowledgements. The operator makes little cyclic garbage (its
records are immutable values, and refusals drop their tracebacks: ``rejections.without_frames``),
so the venue's process collects rarely, never walks what it loaded at start, and after each
micro-batch freezes what survived it too: no pass ever walks the growing venue. The price is that
cyclic garbage alive at a freeze is never freed; tests hold the intake, the HTTP API included, to
making none.
"""

from __future__ import annotations

import gc

YOUNG_PASS_EVERY = 100_000
"""Container allocations between young passes (CPython's default is 700)."""

OLDER_PASS_EVERY = (20, 100)
"""Young passes per middle pass, middle passes per full pass (defaults 10 and 10)."""


def settle_collector() -> None:
    """Collect once, freeze every object alive now (the loaded venue) out of later passes, and run
    the collector rarely: call it once the venue is open, in the process that serves it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_PASS_EVERY, *OLDER_PASS_EVERY)


def freeze_survivors() -> None:
    """Move every object alive now out of later passes (O(1)): the venue's process calls it after
    each micro-batch, so passes only ever walk what the next one allocates."""
    gc.freeze()
