"""``zkclear demo``: the matching engine's fills become signed trades, and the whole story (deposits
through the contract queue, trades, a liquidation, a withdrawal) is proved, settled and claimed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from circuits.gadgets import eddsa
from cli import main
from rollup.demo.scenario import ALICE, BOB, CAROL, WITHDRAWAL, genesis, match_orders, story
from rollup.exchange.operations import Deposit, Liquidate, Trade
from rollup.exchange.replay import replay
from verifier.groth16 import verify
from verifier.proven_batch import Withdrawal, load_batch
from verifier.pubdata_layout import decode_records
from verifier.snarkjs_json import load_verifying_key


def test_the_sweep_becomes_two_signed_trades_at_the_makers_prices():
    trades, fills = match_orders()
    assert fills == [("bob", "alice", 20, 1_000), ("bob", "alice", 25, 1_010)]
    for trade, (_, _, size, price) in zip(trades, fills, strict=True):
        assert (trade.taker.order.account, trade.maker.order.account) == (BOB.account, ALICE.account)
        assert trade.taker.order.is_buy and not trade.maker.order.is_buy
        assert (trade.size_lots, trade.maker.order.price) == (size, price)
        for signed, user in ((trade.taker, BOB), (trade.maker, ALICE)):
            assert eddsa.verify(signed.order.message(), signed.signature, user.pk)
    assert trades[0].taker == trades[1].taker  # one order, filled at two price levels


def test_the_story_deposits_every_user_and_liquidates_bob():
    ops = story().ops
    assert [op.account for op in ops if isinstance(op, Deposit)] == [
        ALICE.account,
        BOB.account,
        CAROL.account,
    ]
    assert sum(isinstance(op, Trade) for op in ops) == 2
    (liquidation,) = (op for op in ops if isinstance(op, Liquidate))
    assert (liquidation.account, liquidation.liquidator.order.account) == (BOB.account, CAROL.account)


@pytest.mark.parametrize("option", ["--key-dir", "--out"])
def test_a_file_where_a_folder_belongs_exits_2_with_one_line(tmp_path, option):
    afile = tmp_path / "afile"
    afile.write_text("")
    result = CliRunner().invoke(main, ["demo", option, str(afile), "--quiet"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [f"Error: {afile}: not a directory"]


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory) -> Path:
    """The demo circuit's key, made once (about a minute and a half); $ZKCLEAR_KEY_DIR reuses a cache."""
    cached = os.environ.get("ZKCLEAR_KEY_DIR")
    return Path(cached) if cached else tmp_path_factory.mktemp("demo_keys")


@pytest.mark.slow
def test_demo_proves_settles_and_claims(key_dir, tmp_path):
    result = CliRunner().invoke(main, ["demo", "--key-dir", str(key_dir), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "matches" in result.stdout and "DIFFERS" not in result.stdout  # the replayed root
    assert "proving the batch" not in result.stderr  # --quiet
    assert list(key_dir.glob("batch-*.zkey"))  # cached for the next run

    batch = load_batch(tmp_path / "batch.json")
    vk = load_verifying_key(tmp_path / "verification_key.json")
    assert verify(vk, list(batch.public), batch.proof)
    assert not verify(vk, [batch.public[0] ^ 1], batch.proof)
    assert (batch.batch_number, batch.first_deposit, batch.deposit_count) == (0, 0, 3)
    assert batch.withdrawals == [Withdrawal(ALICE.l1_address.lower(), WITHDRAWAL)]
    kinds = [name for name, _ in decode_records(batch.pubdata)]
    assert kinds == ["deposit"] * 3 + ["trade", "trade", "oracle", "liquidate", "withdraw"]
    rebuilt = replay(genesis(), batch.pubdata)
    assert (batch.old_root, batch.new_root) == (genesis().root, rebuilt.root)
    assert rebuilt.account(BOB.account).position == (0,)

    verified = CliRunner().invoke(
        main,
        [
            "verify",
            str(tmp_path / "batch.json"),
            "--onchain",
            "--key",
            str(tmp_path / "verification_key.json"),
        ],
    )
    assert verified.exit_code == 0, verified.output
