"""A child process for the crash test with real proofs: two deposits and three orders make two
sealed batches of the three-slot shape (deposit, deposit, trade), each proved with Groth16
(the development key in KEY_DIR, made beforehand by the test), resuming after a kill like
``crash_driver``. It announces each proof as it starts and as it ends, and which batches were
already proved when it started.

    python -m tests.operator.proving_crash_driver DB KEY_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from circuits.exchange.batch import BatchShape
from rollup.exchange.transition import BatchResult
from rollup.operator.operator import Operator
from rollup.operator.proving import Groth16Prover
from tests.exchange.scenario import ALICE, BOB, CONFIG
from tests.operator.crash_driver import drive, say
from tests.operator.venue import with_shape

VENUE = with_shape(("deposit", "deposit", "trade"))
PLAN = [
    ("deposit", 0, ALICE, 100_000), ("deposit", 1, BOB, 20_000),
    ("order", ALICE, 1, False, 1_000, 10, "GTC"),
    ("order", BOB, 1, True, 1_000, 3, "GTC"),  # batch 1 is full: sealed, proved
    ("order", BOB, 2, True, 1_000, 2, "GTC"),  # batch 2
]  # fmt: skip


class AnnouncedProver:
    """The Groth16 prover, saying when each proof starts and what it produced."""

    def __init__(self, prover: Groth16Prover) -> None:
        self.prover = prover

    def __call__(self, shape: BatchShape, result: BatchResult) -> tuple[dict, list]:
        say(phase="prove", commitment=str(result.commitment))
        proof, public = self.prover(shape, result)
        say(ack="proof", commitment=str(result.commitment), proof=proof)
        return proof, public


def main(path: str, key_dir: str) -> None:
    prover = Groth16Prover(CONFIG, Path(key_dir))
    prover.batch_prover(VENUE.shape)  # compile the circuit and load its key before any batch is applied
    op = Operator.create(path, VENUE, prover=AnnouncedProver(prover))
    say(proved=[batch.id for batch in op.store.batches() if batch.status != "sealed"])
    drive(op, PLAN)


if __name__ == "__main__":
    main(*sys.argv[1:])
