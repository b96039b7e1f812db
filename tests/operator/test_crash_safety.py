"""Crash safety: the operator (tests/operator/crash_driver.py, in a child process) is killed with
SIGKILL at random points of order intake, matching, sealing and batch application, restarted each
time, and finally run to the end. Every acknowledged order, fill, deposit and batch must then be in
the store exactly once, and the state root (rebuilt from a snapshot) must equal a replay of the
store's records from genesis."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rollup.exchange.replay import replay
from rollup.operator.operator import Operator
from rollup.operator.records import advance
from tests.operator.crash_driver import InstantSettlement, drive, plan, stand_in_prover
from tests.operator.venue import GENESIS, LIQUIDATOR_KEY

ROOT = Path(__file__).resolve().parents[2]
PHASES = ("intake", "match", "seal", "apply")
KILL_DELAY = {"intake": 0.05, "match": 0.4, "seal": 0.03, "apply": 2.5}  # seconds, drawn uniformly
TRIALS = 20


class Child:
    """The driver running on ``db``; its output lines, parsed, collected by a reader thread."""

    def __init__(self, db: Path, driver: str = "tests.operator.crash_driver", *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", driver, str(db), *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        self.lines: list[dict] = []
        self.seen = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if not line.endswith("\n"):
                break  # cut short by the kill: not printed, so not acknowledged
            with self.seen:
                self.lines.append(json.loads(line))
                self.seen.notify_all()

    def wait_for_phase(self, phase: str, timeout: float, times: int = 1) -> bool:
        """Block until the child announces ``phase`` (``times`` times: True) or ends or the time is
        up (False)."""
        deadline = time.monotonic() + timeout
        with self.seen:
            while True:
                if sum(line.get("phase") == phase for line in self.lines) >= times:
                    return True
                if self.process.poll() is not None or time.monotonic() > deadline:
                    return False
                self.seen.wait(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.finish()

    def finish(self, timeout: float | None = None) -> int:
        code = self.process.wait(timeout)
        self.reader.join()
        return code


def acknowledged(lines: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for line in lines:
        if "ack" in line:
            out.setdefault(line["ack"], []).append(line)
    return out


def count(op: Operator, query: str, *args) -> int:
    return op.store.conn.execute(query, args).fetchone()[0]


def warm_kernels(tmp_path: Path) -> None:
    """Run the plan's first micro-batches and batch in this process, so the compiled signature and
    hashing kernels are in the on-disk cache: a child compiling them (a fresh checkout's cache is
    empty) would spend every kill window compiling and never reach the later phases."""
    op = Operator.create(tmp_path / "warm.db", GENESIS, liquidator_key=LIQUIDATOR_KEY,
                         prover=stand_in_prover, settlement=InstantSettlement())  # fmt: skip
    drive(op, plan()[:12])
    op.close()


@pytest.mark.slow
def test_kill_anywhere_loses_nothing_acknowledged(tmp_path):
    warm_kernels(tmp_path)
    db = tmp_path / "venue.db"
    rng = random.Random(2026)
    lines: list[dict] = []
    phases_hit = []
    for trial in range(TRIALS):
        child = Child(db)
        phase = PHASES[trial % len(PHASES)]
        if child.wait_for_phase(phase, timeout=10):
            time.sleep(rng.uniform(0, KILL_DELAY[phase]))
            phases_hit.append(phase)
        if child.process.poll() is None:
            child.kill()
        else:
            child.finish()
        lines += child.lines
    last = Child(db)
    assert last.finish(timeout=120) == 0, last.process.stderr.read()
    lines += last.lines
    assert last.lines[-1].get("done")
    assert set(phases_hit) == set(PHASES)

    op = Operator.open(db, liquidator_key=LIQUIDATOR_KEY)
    acks = acknowledged(lines)
    for ack in acks["order"]:
        assert count(op, "SELECT COUNT(*) FROM orders WHERE account = ? AND order_id = ?", *ack["key"]) == 1
        for fill_id in ack["fills"]:
            assert count(op, "SELECT COUNT(*) FROM fills WHERE id = ?", fill_id) == 1
    for ack in acks["deposit"]:
        assert count(op, "SELECT COUNT(*) FROM deposits WHERE queue_index = ?", ack["queue_index"]) == 1
        assert count(op, "SELECT COUNT(*) FROM ops WHERE seq = ? AND kind = 'deposit'", ack["seq"]) == 1
    for ack in acks["cancel"]:
        assert count(op, "SELECT COUNT(*) FROM cancels WHERE account = ? AND order_id = ?", *ack["key"]) == 1
    for ack in acks.get("batch", []) + [{"id": b} for a in acks["order"] for b in a["sealed"]]:
        assert op.store.batch(ack["id"]) is not None
    # the same fill or deposit never entered twice: one trade op per fill, one deposit op per deposit
    assert count(op, "SELECT COUNT(*) FROM ops WHERE kind = 'trade'") == len(op.store.fills())
    deposits = sum(command[0] == "deposit" for command in plan())
    deposit_ops = count(op, "SELECT COUNT(*) FROM ops WHERE kind = 'deposit'")
    assert deposit_ops == op.store.deposit_count() == deposits
    assert len({(f.taker, f.maker, f.op_seq) for f in op.store.fills()}) == len(op.store.fills())
    # every order's amount is accounted for: filled + resting + cancelled
    for row in op.store.orders():
        key = (row.signed.order.account, row.signed.order.order_id)
        filled = sum(f.size for f in op.store.fills() if key in (f.taker, f.maker))
        cancelled = count(
            op, "SELECT COALESCE(SUM(size), 0) FROM cancels WHERE account = ? AND order_id = ?", *key
        )
        assert filled + row.remaining + cancelled == row.signed.order.amount, key

    # the state root after restart equals a replay of the store: each batch's pubdata from genesis
    state = GENESIS.state()
    for batch in op.store.batches():
        assert batch.old_root == state.root and batch.pubdata is not None
        state = replay(state, batch.pubdata)
        assert state.root == batch.new_root
        assert batch.status == "settled"
    state = advance(state, [row.op for row in op.store.ops(after_batch=op.store.last_batch_id())])
    assert op.root == state.root == int(last.lines[-1]["root"])  # the restart began at a snapshot
    assert op.store.snapshot_ids(op.store.last_batch_id())
    assert len(op.store.batches()) >= 3 and any(row.op.op_type == "liquidate" for row in op.store.ops())
