"""A child process for the crash-safety test: runs a fixed plan of commands against the operator at
DB, resuming after the last command whose effect the store holds, and prints (flushed, one JSON
object a line) a phase marker before each step and an acknowledgement after each accepted command.
Orders and cancels go in micro-batches of up to ``GROUP`` (``submit_many``: one group commit), so
kills land inside group commits too.

    python -m tests.operator.crash_driver DB

The proofs are a stand-in (the commitment the applied batch computed, see ``stand_in_prover``):
Groth16 proving each batch on every restart would exceed the test's time budget; the circuit is
still solved for real (``apply_batch``), which is where most kills land. Batches settle at once
and a snapshot is taken every second batch, so restarts start from snapshots.
(``tests/operator/proving_crash_driver.py`` drives real proofs.)
"""

from __future__ import annotations

import json
import random
import sys

from circuits.exchange.batch import BatchShape
from circuits.gadgets import eddsa
from rollup.exchange.operations import OraclePrice, Order
from rollup.exchange.transition import BatchResult
from rollup.operator.operator import CancelRequest, Operator, Placed, PlaceRequest, cancel_message
from rollup.operator.store import BatchRow
from rollup.rejections import OrderRejected
from tests.exchange.scenario import ALICE, BOB, DAVE, ORACLE_KEY
from tests.operator.venue import GENESIS, KEYS, LIQUIDATOR, LIQUIDATOR_KEY

GROUP = 3  # most orders and cancels in one micro-batch


ROUNDS = 3  # every phase stays ahead of each of the test's trials, however fast the operator runs


def plan(seed: int = 7, rounds: int = ROUNDS) -> list[tuple]:
    """Deposits; Dave's big long; then ``rounds`` rounds of: a deposit, resting orders of Alice and
    Bob around 1,000, each cancelled two orders later, and every ninth an immediate-or-cancel order
    that crosses; an oracle price (the first drops to 900 and makes Dave liquidatable); explicit
    seals."""
    rng = random.Random(seed)
    commands: list[tuple] = [("deposit", q, account, amount) for q, (account, amount) in enumerate(
        [(ALICE, 100_000), (BOB, 20_000), (DAVE, 3_000), (LIQUIDATOR, 200_000)])]  # fmt: skip
    commands += [("order", DAVE, 1, True, 1_000, 25, "GTC"), ("order", ALICE, 1, False, 1_000, 25, "GTC"),
                 ("seal",)]  # fmt: skip
    open_ids: dict[int, list[int]] = {ALICE: [], BOB: []}
    for r in range(rounds):
        if r:
            commands.append(("deposit", 3 + r, (ALICE, BOB)[r % 2], 1_000))
        for i in range(24):
            account = (ALICE, BOB)[i % 2]
            order_id = 2 + (24 * r + i) // 2
            is_buy = rng.random() < 0.5
            if i % 9 == 8:
                commands.append(("order", account, order_id, is_buy, 1_030 if is_buy else 970, 3, "IOC"))
            else:
                price = 980 - 10 * rng.randint(0, 2) if is_buy else 1_020 + 10 * rng.randint(0, 2)
                commands.append(("order", account, order_id, is_buy, price, rng.randint(1, 3), "GTC"))
                open_ids[account].append(order_id)
            if len(open_ids[account]) > 2:
                commands.append(("cancel", account, open_ids[account].pop(0)))
            if i == 13:
                commands.append(("oracle", 0, 900 + 10 * (r % 2), 200 + r))
            if i % 8 == 7:
                commands.append(("seal",))
    return [*commands, ("seal",)]


def stand_in_prover(shape: BatchShape, result: BatchResult) -> tuple[dict, list]:
    """Not a proof: records the commitment the solved circuit output (see the module docstring)."""
    return {"stand_in": True}, [str(result.commitment)]


def say(**message) -> None:
    print(json.dumps(message), flush=True)


def done(op: Operator, command: tuple) -> bool:
    """Whether the store holds the effect of ``command``."""
    match command:
        case ("deposit", queue_index, *_):
            return op.store.deposit_count() > queue_index
        case ("order", account, order_id, *_):
            return op.store.order(account, order_id) is not None
        case ("cancel", account, order_id):
            return any((a, o, r) == (account, order_id, "cancelled by its account")
                       for a, o, _, r in op.store.cancels())  # fmt: skip
        case ("oracle", m, _, timestamp):
            return op.state.market(m)["price_time"] >= timestamp
    return False


def run(command: tuple, op: Operator) -> None:
    match command:
        case ("deposit", queue_index, account, amount):
            say(phase="intake")
            seq = op.deposit(queue_index, account, eddsa.public_key(KEYS[account]), amount)
            say(ack="deposit", queue_index=queue_index, seq=seq)
        case ("oracle", m, price, timestamp):
            say(phase="intake")
            seqs = op.oracle(OraclePrice.signed(ORACLE_KEY, m, price, timestamp))
            say(ack="oracle", seqs=seqs)
        case ("seal",):
            say(phase="seal")
            batch_id = op.seal()
            if batch_id is not None:
                say(ack="batch", id=batch_id)


class InstantSettlement:
    """A settlement where every submission is final at once (no chain)."""

    def submit(self, batch: BatchRow) -> str:
        return f"0x{batch.id:064x}"

    def settled(self, tx: str) -> bool:
        return True


def request(command: tuple) -> PlaceRequest | CancelRequest:
    match command:
        case ("order", account, order_id, is_buy, price, amount, time_in_force):
            signed = Order(account, 0, is_buy, price, amount, order_id, 10_000).sign(KEYS[account])
            return PlaceRequest(signed, time_in_force)
        case ("cancel", account, order_id):
            signature = eddsa.sign(KEYS[account], cancel_message(account, order_id))
            return CancelRequest(account, order_id, signature)
    raise ValueError(f"not an intake request: {command}")


def submit_group(op: Operator, group: list[tuple]) -> None:
    """Orders and cancels in one micro-batch (one group commit), each acknowledged after it."""
    say(phase="match")
    for command, result in zip(group, op.submit_many([request(c) for c in group]), strict=True):
        if isinstance(result, OrderRejected):
            say(refused=str(result.reason))
        elif isinstance(result, Placed):
            say(ack="order", key=list(command[1:3]), fills=list(result.fill_ids), sealed=list(result.sealed))
        else:
            say(ack="cancel", key=list(command[1:3]))


def groups(commands: list[tuple]) -> list[list[tuple]]:
    """Runs of up to GROUP consecutive orders and cancels, every other command alone."""
    out: list[list[tuple]] = []
    for command in commands:
        intake = command[0] in ("order", "cancel")
        if intake and out and out[-1][0][0] in ("order", "cancel") and len(out[-1]) < GROUP:
            out[-1].append(command)
        else:
            out.append([command])
    return out


def drive(op: Operator, commands: list[tuple]) -> None:
    """Run the commands the store does not hold yet (orders and cancels in micro-batches), each
    sealed batch through the pipeline."""
    start = 1 + max((i for i, command in enumerate(commands) if done(op, command)), default=-1)
    for group in groups(commands[start:]):
        sealed_before = op.batch.batch_id
        if group[0][0] in ("order", "cancel"):
            submit_group(op, group)
        else:
            try:
                run(group[0], op)
            except OrderRejected as refused:
                say(refused=str(refused.reason))
        if op.batch.batch_id != sealed_before:
            say(phase="apply")
            op.run_pipeline()
    say(phase="apply")
    op.run_pipeline()
    say(done=True, root=str(op.root))


def main(path: str) -> None:
    Operator.snapshot_every = 2  # batches settle at once: restarts start from snapshots
    op = Operator.create(path, GENESIS, liquidator_key=LIQUIDATOR_KEY, prover=stand_in_prover,
                         settlement=InstantSettlement())  # fmt: skip
    drive(op, plan())


if __name__ == "__main__":
    main(sys.argv[1])
