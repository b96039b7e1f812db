"""ZkClearRollup end to end with real proofs: a batch settles only with a valid proof of its own
commitment, consumes the deposit queue in order, credits withdrawals once, and every refusal leaves
the state root where it was."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from web3.logs import DISCARD

from circuits.gadgets import babyjub, eddsa
from tests.chain.conftest import new_account
from tests.chain.points import double_g1, g2_outside_subgroup
from verifier.chain_errors import ContractRevert
from verifier.commitment import batch_commitment
from verifier.curve import FQ_MODULUS as Q
from verifier.curve import R_MODULUS as R
from verifier.pubdata_layout import (
    DEPOSIT,
    WITHDRAW,
    decode_records,
    deposit_queue_hash,
    encode_record,
    op_widths_word,
)
from verifier.settlement import (
    DEFAULT_ETH_QUANTUM,
    claim_withdrawal,
    deploy_rollup,
    deploy_verifier,
    deposit_eth,
    deposit_token,
    rollup_status,
    settled_batches,
    submit_batch,
)

pytestmark = [pytest.mark.slow, pytest.mark.js]

GENESIS = 0x2A2A
L2_KEY = 0x1234_5678_9ABC << 192  # a packed key: its bytes read little-endian give y < r


def _key_with_y(y: int, sign: int = 0) -> int:
    """The l2Key (big-endian uint256) whose bytes hold ``y`` little-endian and the sign bit on top."""
    return int.from_bytes((y | sign << 255).to_bytes(32, "little"), "big")


def _trade(i: int) -> bytes:
    return encode_record(
        "trade", taker=2 * i, maker=2 * i + 1, market_side=1, size_lots=i + 1, price_ticks=30_000 + i,
        taker_order=i, maker_order=i,
    )  # fmt: skip


def _deposit(l2_key: int, asset: int, amount: int, account: int = 7) -> bytes:
    return encode_record("deposit", l2_key=l2_key, asset=asset, amount=amount, account=account)


def _withdraw(recipient: str, asset: int, amount: int) -> bytes:
    return encode_record("withdraw", account=7, recipient=int(recipient, 16), asset=asset, amount=amount)


@pytest.fixture(scope="module")
def verifier_address(chain, snark) -> str:
    return deploy_verifier(chain, snark.vk).address


@pytest.fixture
def rollup(chain, verifier_address):
    return deploy_rollup(chain, verifier_address, GENESIS)


@pytest.fixture
def token_rollup(chain, verifier_address):
    """A rollup whose collateral is a TestToken (10 token units per L2 unit), and the token."""
    token = chain.deploy("TestToken", "t", "t")
    return deploy_rollup(chain, verifier_address, GENESIS, collateral_token=token.address, quantum=10), token


def _root(chain, rollup) -> int:
    return rollup_status(chain, rollup).state_root


def _submit(chain, snark, rollup, new_root: int, pubdata: bytes, sender=None):
    proof = snark.prove(batch_commitment(_root(chain, rollup), new_root, pubdata))
    return submit_batch(chain, rollup, new_root, pubdata, proof, sender=sender)


def _refused(chain, rollup, error: str, action) -> ContractRevert:
    """Run ``action``; it must revert with ``error`` and leave root and batch number unchanged."""
    before = rollup_status(chain, rollup)
    with pytest.raises(ContractRevert) as info:
        action()
    assert info.value.name == error
    after = rollup_status(chain, rollup)
    assert (after.state_root, after.batch_number, after.deposit_head) == (
        before.state_root,
        before.batch_number,
        before.deposit_head,
    )
    return info.value


def test_op_width_tables_match_python(chain, rollup):
    widths = op_widths_word()
    assert chain.call(rollup.functions.OP_WIDTHS()) == widths
    # the skip loop's table: the same widths, with "stop" (0x80) where the contract reads the record
    stops = {DEPOSIT.op_code, WITHDRAW.op_code}
    expected_skip = bytes(0x80 if op in stops or not w else w for op, w in enumerate(widths))
    assert chain.call(rollup.functions.SKIP_WIDTHS()) == expected_skip


def test_commitment_matches_python(chain, rollup):
    truncated = 0
    for length in (0, 1, 26, 55, 56, 63, 64, 65, 300):
        pubdata = hashlib.sha256(str(length).encode()).digest() * (length // 32 + 1)
        pubdata = pubdata[:length]
        on_chain = chain.call(
            rollup.functions.batchCommitment(GENESIS.to_bytes(32, "big"), b"\x05" * 32, pubdata)
        )
        assert on_chain == batch_commitment(GENESIS, int.from_bytes(b"\x05" * 32, "big"), pubdata)
        assert on_chain < 2**253
        raw = int.from_bytes(
            hashlib.sha256(GENESIS.to_bytes(32, "big") + b"\x05" * 32 + pubdata).digest(), "big"
        )
        truncated += raw >= 2**253
    assert truncated  # some digests had their top bits cleared


def test_valid_batch_settles_and_moves_the_root(chain, snark, rollup):
    user = new_account(chain)
    first = deposit_eth(chain, rollup, L2_KEY, 3 * DEFAULT_ETH_QUANTUM, sender=user)
    second = deposit_eth(chain, rollup, L2_KEY + 1, 500 * DEFAULT_ETH_QUANTUM, sender=user)
    assert (first, second) == (0, 1)
    assert chain.call(rollup.functions.depositHashes(1)) == deposit_queue_hash(L2_KEY + 1, 0, 500)
    pubdata = b"".join(
        [
            _deposit(L2_KEY, 0, 3),
            _trade(0),
            _deposit(L2_KEY + 1, 0, 500),
            _trade(1),
            _withdraw(user.address, 0, 2),
        ]
    )
    new_root = 0xBEEF
    receipt = _submit(chain, snark, rollup, new_root, pubdata)
    status = rollup_status(chain, rollup)
    assert (status.state_root, status.batch_number, status.deposit_head, status.deposit_tail) == (
        new_root,
        1,
        2,
        2,
    )
    (event,) = rollup.events.BatchSettled().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["commitment"] == batch_commitment(GENESIS, new_root, pubdata)
    assert int.from_bytes(event["args"]["oldRoot"], "big") == GENESIS
    assert chain.call(rollup.functions.claimable(user.address)) == 2
    (settled,) = settled_batches(chain, rollup)  # the batch read back from the chain alone
    assert (settled.number, settled.old_root, settled.new_root, settled.pubdata) == (
        0,
        GENESIS,
        new_root,
        pubdata,
    )
    assert [name for name, _ in decode_records(settled.pubdata)] == [
        "deposit",
        "trade",
        "deposit",
        "trade",
        "withdraw",
    ]


def test_tampered_proof_reverts(chain, snark, rollup):
    pubdata = _trade(0)
    proof = snark.prove(batch_commitment(GENESIS, 1, pubdata))
    bad = dataclasses.replace(proof, a=double_g1(proof.a))
    _refused(chain, rollup, "InvalidProof", lambda: submit_batch(chain, rollup, 1, pubdata, bad))


def test_proof_for_other_pubdata_reverts(chain, snark, rollup):
    proof = snark.prove(batch_commitment(GENESIS, 1, _trade(0)))
    _refused(chain, rollup, "InvalidProof", lambda: submit_batch(chain, rollup, 1, _trade(1), proof))
    _refused(chain, rollup, "InvalidProof", lambda: submit_batch(chain, rollup, 2, _trade(0), proof))


def test_replayed_batch_reverts(chain, snark, rollup):
    pubdata = _trade(0) + _trade(1)
    proof = snark.prove(batch_commitment(GENESIS, 1, pubdata))
    submit_batch(chain, rollup, 1, pubdata, proof)
    _refused(chain, rollup, "InvalidProof", lambda: submit_batch(chain, rollup, 1, pubdata, proof))
    assert rollup_status(chain, rollup).batch_number == 1


def test_batch_skipping_a_queued_deposit_reverts(chain, snark, rollup):
    deposit_eth(chain, rollup, L2_KEY, DEFAULT_ETH_QUANTUM)
    deposit_eth(chain, rollup, L2_KEY + 1, 2 * DEFAULT_ETH_QUANTUM)
    skipping = _deposit(L2_KEY + 1, 0, 2)
    error = _refused(chain, rollup, "DepositMismatch", lambda: _submit(chain, snark, rollup, 1, skipping))
    assert error.args_values == (0,)
    wrong_amount = _deposit(L2_KEY, 0, 2)
    _refused(chain, rollup, "DepositMismatch", lambda: _submit(chain, snark, rollup, 1, wrong_amount))
    beyond_queue = _deposit(L2_KEY, 0, 1) + _deposit(L2_KEY + 1, 0, 2) + _deposit(L2_KEY, 0, 1)
    _refused(chain, rollup, "DepositQueueExhausted", lambda: _submit(chain, snark, rollup, 1, beyond_queue))
    _submit(chain, snark, rollup, 1, _deposit(L2_KEY, 0, 1))  # in order: accepted, one left queued
    status = rollup_status(chain, rollup)
    assert (status.deposit_head, status.deposit_tail) == (1, 2)


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (lambda p: dataclasses.replace(p, a=(p.a[0], (p.a[1] + 1) % Q)), "InvalidProof"),
        (lambda p: dataclasses.replace(p, c=(p.c[0] + Q, p.c[1])), "InvalidProof"),
        (lambda p: dataclasses.replace(p, b=(p.b[0], ((p.b[1][0] + 1) % Q, p.b[1][1]))), "PrecompileFailed"),
        (lambda p: dataclasses.replace(p, b=g2_outside_subgroup()), "PrecompileFailed"),
    ],
    ids=["A off curve", "C.x + q", "B off twist", "B outside subgroup"],
)
def test_malformed_proof_points_revert(chain, snark, rollup, damage, error):
    pubdata = _trade(0)
    proof = damage(snark.prove(batch_commitment(GENESIS, 1, pubdata)))
    _refused(chain, rollup, error, lambda: submit_batch(chain, rollup, 1, pubdata, proof))


def test_commitment_is_reduced_below_r(chain, snark, rollup):
    """The public input is always below r: a batch whose raw digest is ≥ r settles with the truncated
    value (a public input ≥ r itself is refused by the verifier, see test_verifier_contract)."""
    n = 0
    while True:
        pubdata = _trade(n)
        digest = hashlib.sha256(GENESIS.to_bytes(32, "big") + (1).to_bytes(32, "big") + pubdata).digest()
        if int.from_bytes(digest, "big") >= R:
            break
        n += 1
    _submit(chain, snark, rollup, 1, pubdata)
    assert _root(chain, rollup) == 1


def test_new_root_outside_the_field_reverts(chain, snark, rollup):
    proof = snark.prove(0)
    _refused(chain, rollup, "NotInField", lambda: submit_batch(chain, rollup, R, b"", proof))


def test_malformed_pubdata_reverts(chain, snark, rollup):
    unknown = _refused(
        chain, rollup, "UnknownOp", lambda: _submit(chain, snark, rollup, 1, _trade(0) + b"\x09")
    )
    assert unknown.args_values == (len(_trade(0)), 9)
    _refused(chain, rollup, "PubdataTruncated", lambda: _submit(chain, snark, rollup, 1, _trade(0)[:-1]))
    cut_withdrawal = _trade(0) + _withdraw("0x" + "11" * 20, 0, 1)[:-1]
    _refused(chain, rollup, "PubdataTruncated", lambda: _submit(chain, snark, rollup, 1, cut_withdrawal))
    withdraw_unknown_asset = _withdraw("0x" + "11" * 20, 5, 1)
    _refused(chain, rollup, "UnknownAsset", lambda: _submit(chain, snark, rollup, 1, withdraw_unknown_asset))


def test_only_the_operator_submits_and_the_change_takes_two_steps(chain, snark, rollup):
    new_operator, stranger = new_account(chain), new_account(chain)
    pubdata = _trade(0)
    _refused(chain, rollup, "NotOperator", lambda: _submit(chain, snark, rollup, 1, pubdata, sender=stranger))
    _refused(
        chain,
        rollup,
        "NotOwner",
        lambda: chain.transact(rollup.functions.proposeOperator(stranger.address), sender=stranger),
    )
    chain.transact(rollup.functions.proposeOperator(new_operator.address))
    assert rollup_status(chain, rollup).operator == chain.account.address  # not yet moved
    _refused(
        chain,
        rollup,
        "NotPendingOperator",
        lambda: chain.transact(rollup.functions.acceptOperator(), sender=stranger),
    )
    chain.transact(rollup.functions.acceptOperator(), sender=new_operator)
    status = rollup_status(chain, rollup)
    assert (status.operator, status.pending_operator) == (new_operator.address, "0x" + "0" * 40)
    _refused(chain, rollup, "NotOperator", lambda: _submit(chain, snark, rollup, 1, pubdata))
    _submit(chain, snark, rollup, 1, pubdata, sender=new_operator)
    assert _root(chain, rollup) == 1


def test_withdrawal_is_claimed_once(chain, snark, rollup):
    depositor, recipient = new_account(chain), new_account(chain, wei=10**18)
    deposit_eth(chain, rollup, L2_KEY, 5 * DEFAULT_ETH_QUANTUM, sender=depositor)
    pubdata = _deposit(L2_KEY, 0, 5) + _withdraw(recipient.address, 0, 4) + _withdraw(recipient.address, 0, 1)
    _submit(chain, snark, rollup, 1, pubdata)
    assert chain.call(rollup.functions.claimable(recipient.address)) == 5
    before = chain.w3.eth.get_balance(recipient.address)
    claim_withdrawal(chain, rollup, recipient.address)  # anyone may trigger; the recipient is paid
    assert chain.w3.eth.get_balance(recipient.address) - before == 5 * DEFAULT_ETH_QUANTUM
    with pytest.raises(ContractRevert) as info:
        claim_withdrawal(chain, rollup, recipient.address)
    assert info.value.name == "NothingToClaim"


def test_token_collateral_is_deposited_and_claimed(chain, snark, token_rollup):
    rollup, token = token_rollup
    depositor, recipient = new_account(chain), new_account(chain)
    chain.transact(token.functions.mint(depositor.address, 10_000))
    assert deposit_token(chain, rollup, L2_KEY, 100, sender=depositor) == 0
    assert chain.call(token.functions.balanceOf(rollup.address)) == 1_000
    assert chain.call(rollup.functions.depositHashes(0)) == deposit_queue_hash(L2_KEY, 0, 100)
    _submit(chain, snark, rollup, 1, _deposit(L2_KEY, 0, 100) + _withdraw(recipient.address, 0, 60))
    claim_withdrawal(chain, rollup, recipient.address, sender=recipient)
    assert chain.call(token.functions.balanceOf(recipient.address)) == 600


def test_a_deposit_the_circuit_cannot_consume_is_refused_and_the_queue_goes_on(chain, snark, rollup):
    """Only the collateral enters the queue (the circuit credits asset 0 alone): another token's
    deposit is refused at once, and the deposits around it are consumed in order."""
    deposit_eth(chain, rollup, L2_KEY, DEFAULT_ETH_QUANTUM)
    other = chain.deploy("TestToken", "o", "o")
    chain.transact(other.functions.mint(chain.account.address, 10**6))
    chain.transact(other.functions.approve(rollup.address, 10**6))
    with pytest.raises(ContractRevert) as info:
        chain.transact(rollup.functions.depositToken(L2_KEY, 5))
    assert info.value.name == "WrongCollateral"
    deposit_eth(chain, rollup, L2_KEY + 1, 2 * DEFAULT_ETH_QUANTUM)
    assert rollup_status(chain, rollup).deposit_tail == 2
    _submit(chain, snark, rollup, 1, _deposit(L2_KEY, 0, 1) + _deposit(L2_KEY + 1, 0, 2))
    assert rollup_status(chain, rollup).deposit_head == 2
    # a record naming another asset cannot consume a queued deposit of the same key and amount
    deposit_eth(chain, rollup, L2_KEY, 7 * DEFAULT_ETH_QUANTUM)
    other_asset = _deposit(L2_KEY, 1, 7)
    _refused(chain, rollup, "DepositMismatch", lambda: _submit(chain, snark, rollup, 2, other_asset))
    _submit(chain, snark, rollup, 2, _deposit(L2_KEY, 0, 7))
    assert rollup_status(chain, rollup).deposit_head == 3


def test_eth_is_refused_when_the_collateral_is_a_token(chain, token_rollup):
    rollup, _ = token_rollup
    with pytest.raises(ContractRevert) as info:
        deposit_eth(chain, rollup, L2_KEY, DEFAULT_ETH_QUANTUM)
    assert info.value.name == "WrongCollateral"
    assert rollup_status(chain, rollup).deposit_tail == 0


def test_deposits_are_validated(chain, rollup):
    bad = [
        ("BadAmount", lambda: deposit_eth(chain, rollup, L2_KEY, DEFAULT_ETH_QUANTUM + 1)),
        ("BadAmount", lambda: deposit_eth(chain, rollup, L2_KEY, 0)),
        ("BadL2Key", lambda: deposit_eth(chain, rollup, _key_with_y(R), DEFAULT_ETH_QUANTUM)),
        ("WrongCollateral", lambda: chain.transact(rollup.functions.depositToken(L2_KEY, 5))),
    ]
    for error, action in bad:
        with pytest.raises(ContractRevert) as info:
            action()
        assert info.value.name == error
    assert rollup_status(chain, rollup).deposit_tail == 0


def test_only_keys_the_circuit_can_unpack_enter_the_queue(chain, rollup):
    """The queue takes circomlib-packed keys (y < r, the sign of x on top), which the deposit circuit
    reproduces; any other 32 bytes could never be consumed and would stall the queue."""
    real = [int.from_bytes(babyjub.pack(eddsa.public_key(bytes([i]) * 32)), "big") for i in range(1, 9)]
    assert any(k >= R for k in real)  # a packed key is not a field element read big-endian
    accepted = [*real, _key_with_y(0), _key_with_y(R - 1), _key_with_y(R - 1, sign=1), _key_with_y(5, sign=1)]
    refused = [_key_with_y(R), _key_with_y(R, sign=1), _key_with_y(1 << 254), _key_with_y((1 << 255) - 1)]
    for key in accepted:
        assert chain.call(rollup.functions.isPackedKey(key)), hex(key)
    for key in refused:
        assert not chain.call(rollup.functions.isPackedKey(key)), hex(key)
    deposit_eth(chain, rollup, real[0], DEFAULT_ETH_QUANTUM)
    with pytest.raises(ContractRevert) as info:
        deposit_eth(chain, rollup, refused[0], DEFAULT_ETH_QUANTUM)
    assert info.value.name == "BadL2Key"
    assert rollup_status(chain, rollup).deposit_tail == 1


def test_ownership_moves_in_two_steps(chain, rollup):
    new_owner, stranger = new_account(chain), new_account(chain)
    with pytest.raises(ContractRevert) as info:
        chain.transact(rollup.functions.proposeOwner(stranger.address), sender=stranger)
    assert info.value.name == "NotOwner"
    chain.transact(rollup.functions.proposeOwner(new_owner.address))
    assert chain.call(rollup.functions.owner()) == chain.account.address
    with pytest.raises(ContractRevert) as info:
        chain.transact(rollup.functions.acceptOwnership(), sender=stranger)
    assert info.value.name == "NotPendingOwner"
    chain.transact(rollup.functions.acceptOwnership(), sender=new_owner)
    assert chain.call(rollup.functions.owner()) == new_owner.address
    with pytest.raises(ContractRevert) as info:
        chain.transact(rollup.functions.proposeOperator(stranger.address))  # the old owner no longer can
    assert info.value.name == "NotOwner"
    chain.transact(rollup.functions.proposeOperator(stranger.address), sender=new_owner)
    assert rollup_status(chain, rollup).pending_operator == stranger.address
