"""The HTTP API's other requests on a real server: signed withdrawals and oracle prices (anyone may
relay them: the signature is the authority), and funding ticks and deposits (only the operator's
admin, by bearer token). Each is queued with its sequence number and batch, or refused with a reason
code (422), or as malformed (400), or as unauthorised (401, 403), leaving the venue as it was."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from circuits.gadgets import eddsa
from cli import main
from rollup.exchange.operations import OraclePrice, Withdraw
from rollup.operator.api_requests import oracle_json, order_json, withdraw_json
from tests.exchange.scenario import ALICE, ALICE_KEY, BOB, BOB_KEY, CAROL, DAVE, DAVE_KEY, ORACLE_KEY
from tests.operator.test_http_api import call, ok, signed, start
from tests.operator.venue import LIQUIDATOR, with_shape

EVERY_OP = with_shape(("oracle", "liquidate", "deposit", "deposit", "trade", "trade", "funding", "withdraw"))
TOKEN = "admin-token-of-the-tests-0123456789"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
RECIPIENT = 0x00C0FFEE00000000000000000000000000000001


@pytest.fixture
def api(tmp_path):
    """Alice holds 10,000 and Bob 5,000 (deposits 0 and 1); market 0 at 1,000 (oracle time 100)."""
    with start(tmp_path, EVERY_OP, admin_token=TOKEN) as server:
        yield server


def refused(server, path: str, body, reason: str, headers=None) -> dict:
    status, answer, _ = call(server, "POST", path, body, headers=headers)
    assert status == 422, answer
    assert answer["reason"] == reason
    return answer


def malformed(server, path: str, body, message: str, headers=None) -> None:
    status, answer, _ = call(server, "POST", path, body, headers=headers)
    assert status == 400 and message in answer["error"], answer


# --- withdrawals ----------------------------------------------------------------------------------


def test_a_signed_withdrawal_is_queued_and_moves_the_nonce_on(api):
    body = withdraw_json(Withdraw.signed(ALICE_KEY, ALICE, RECIPIENT, 1_000, 0), 0)
    answer = ok(api, "POST", "/withdrawals", body)
    assert answer == {"account": ALICE, "recipient": "0x00c0ffee00000000000000000000000000000001",
                      "amount": 1_000, "nonce": 0, "seq": 3, "batch": 1}  # fmt: skip
    alice = ok(api, "GET", f"/accounts/{ALICE}")
    assert (alice["collateral"], alice["nonce"]) == (9_000, 1)
    assert ok(api, "GET", "/batches/1")["slots"][-1] == "withdraw"  # the last slot: the batch sealed
    assert ok(api, "GET", "/status")["batches"]["sealed"] == 1

    answer = refused(api, "/withdrawals", body, "bad_nonce")  # replayed
    assert answer["detail"] == f"account {ALICE} is at nonce 1, not 0"
    assert ok(api, "GET", f"/accounts/{ALICE}")["collateral"] == 9_000


WITHDRAWAL_REFUSALS = {  # key, account, amount, the reason
    "signed by another key": (BOB_KEY, ALICE, 1_000, "bad_signature"),
    "more than the margin leaves": (ALICE_KEY, ALICE, 10_001, "insufficient_margin"),
    "unknown account": (DAVE_KEY, DAVE, 1, "unknown_account"),
}


@pytest.mark.parametrize("case", sorted(WITHDRAWAL_REFUSALS))
def test_a_withdrawal_the_circuit_would_refuse_is_422(api, case):
    key, account, amount, reason = WITHDRAWAL_REFUSALS[case]
    refused(
        api, "/withdrawals", withdraw_json(Withdraw.signed(key, account, RECIPIENT, amount, 0), 0), reason
    )
    assert ok(api, "GET", "/status")["open_batch"]["ops"] == 2  # the two deposits only
    assert ok(api, "GET", f"/accounts/{ALICE}")["nonce"] == 0


FAKE = {"R8x": "1", "R8y": "2", "S": "3"}
WITHDRAWAL = {"account": ALICE, "recipient": "0x" + "ab" * 20, "amount": 5, "nonce": 0, "signature": FAKE}


@pytest.mark.parametrize("change, message", [
    ({"recipient": "0xab"}, "recipient must be an address, 0x and 40 hex digits"),
    ({"recipient": 123}, "recipient must be an address"),
    ({"nonce": 1 << 32}, "nonce must be in [0, 2^32)"),
    ({"amount": -1}, "amount must be in [0, 2^63), got -1"),
    ({"amount": "5"}, "amount must be an integer, got a string"),
    ({"memo": "x"}, "unknown field memo"),
    ({"signature": {"R8x": "1"}}, "missing field signature.R8y"),
])  # fmt: skip
def test_a_malformed_withdrawal_is_400(api, change, message):
    malformed(api, "/withdrawals", {**WITHDRAWAL, **change}, message)
    malformed(
        api, "/withdrawals", {k: v for k, v in WITHDRAWAL.items() if k != "nonce"}, "missing field nonce"
    )


# --- oracle prices --------------------------------------------------------------------------------


def test_a_signed_price_moves_the_market_and_a_replay_is_stale(api):
    body = oracle_json(OraclePrice.signed(ORACLE_KEY, 0, 1_100, 200))
    answer = ok(api, "POST", "/oracle/prices", body)
    assert answer == {"market": 0, "price": 1_100, "timestamp": 200, "seq": 3, "batch": 2, "liquidations": []}
    market = ok(api, "GET", "/markets")[0]
    assert (market["price"], market["price_time"]) == (1_100, 200)
    assert ok(api, "GET", "/status")["now"] == 200
    refused(api, "/oracle/prices", body, "stale_timestamp")


PRICE_REFUSALS = {  # key, market, price, the reason
    "not the oracle's key": (BOB_KEY, 0, 1_100, "bad_signature"),
    "a move over the bound": (ORACLE_KEY, 0, 1_300, "move_too_large"),  # 30% against a 20% bound
    "unknown market": (ORACLE_KEY, 2, 1_000, "unknown_market"),
}


@pytest.mark.parametrize("case", sorted(PRICE_REFUSALS))
def test_a_price_the_circuit_would_refuse_is_422(api, case):
    key, market, price, reason = PRICE_REFUSALS[case]
    refused(api, "/oracle/prices", oracle_json(OraclePrice.signed(key, market, price, 200)), reason)
    assert ok(api, "GET", "/markets")[0]["price_time"] == 100


def test_a_price_drop_answers_with_the_liquidations_it_queued(tmp_path):
    funds = {ALICE: 100_000, BOB: 5_000, DAVE: 3_000, LIQUIDATOR: 100_000}
    with start(tmp_path, EVERY_OP, funds=funds) as server:
        ok(server, "POST", "/orders", order_json(signed(ALICE, 1, False, 1_000, 30)))
        ok(server, "POST", "/orders", order_json(signed(DAVE, 1, True, 1_000, 25)))  # unhealthy at 900
        answer = ok(
            server, "POST", "/oracle/prices", oracle_json(OraclePrice.signed(ORACLE_KEY, 0, 900, 200))
        )
        [liquidation] = answer["liquidations"]
        assert liquidation["account"] == DAVE and liquidation["seq"] == answer["seq"] + 1
        assert ok(server, "GET", f"/accounts/{DAVE}")["positions"][0]["size"] == 0
        assert ok(server, "GET", f"/batches/{liquidation['batch']}")["slots"][:2] == ["oracle", "liquidate"]


def test_a_malformed_price_is_400(api):
    price = {"market": 0, "price": 1_000, "timestamp": 200, "signature": FAKE}
    malformed(api, "/oracle/prices", {**price, "timestamp": 1 << 32}, "timestamp must be in [0, 2^32)")
    malformed(api, "/oracle/prices", {**price, "market": 128}, "market must be in [0, 128), got 128")
    malformed(api, "/oracle/prices", {**price, "price": 10.5}, "numbers must be integers")


# --- funding ticks (admin) ------------------------------------------------------------------------


def test_a_funding_tick_from_the_admin_moves_the_index(api):
    assert ok_admin(api, "/funding/ticks", {"market": 0, "index": 10}) == {
        "market": 0, "index": 10, "seq": 3, "batch": 1,
    }  # fmt: skip
    assert ok(api, "GET", "/markets")[0]["funding_index"] == 10
    refused(api, "/funding/ticks", {"market": 0, "index": 21}, "move_too_large", ADMIN)  # 1% of 1,000 a tick
    refused(api, "/funding/ticks", {"market": 3, "index": 0}, "unknown_market", ADMIN)
    for index in (0, -10):  # signed: shorts pay
        ok_admin(api, "/funding/ticks", {"market": 0, "index": index})
    assert [m["funding_index"] for m in ok(api, "GET", "/markets")] == [-10, 0]


def ok_admin(server, path: str, body) -> dict:
    status, answer, _ = call(server, "POST", path, body, headers=ADMIN)
    assert status == 200, answer
    return answer


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}", TOKEN])
def test_admin_endpoints_need_the_admin_token(api, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    for path in ("/funding/ticks", "/deposits"):
        status, answer, response_headers = call(api, "POST", path, {"market": 0, "index": 1}, headers=headers)
        assert status == 401 and "Authorization: Bearer" in answer["error"]
        assert response_headers["WWW-Authenticate"].startswith("Bearer")
        status, _, _ = call(api, "POST", path, raw=b"{", headers=headers)
        assert status == 401  # authorisation before the body is even parsed
    assert ok(api, "GET", "/markets")[0]["funding_index"] == 0


def test_admin_endpoints_are_off_without_a_token(tmp_path):
    with start(tmp_path) as server:
        status, answer, _ = call(server, "POST", "/funding/ticks", {"market": 0, "index": 1}, headers=ADMIN)
    assert (status, answer["error"]) == (403, "admin endpoints are off: the server has no admin token")


def test_a_malformed_funding_tick_is_400(api):
    malformed(api, "/funding/ticks", {"market": 0, "index": -(1 << 63) - 1}, "index must be in [-2^63, 2^63)",
              ADMIN)  # fmt: skip
    malformed(api, "/funding/ticks", {"market": 0}, "missing field index", ADMIN)


# --- deposits (admin) -----------------------------------------------------------------------------


def pk_json(key: bytes) -> list[str]:
    return [str(c) for c in eddsa.public_key(key)]


def test_the_admin_relays_the_deposit_queue_in_order(api):
    deposit = {"queue_index": 2, "account": DAVE, "pk": pk_json(DAVE_KEY), "amount": 3_000}
    assert ok_admin(api, "/deposits", deposit) == {
        "queue_index": 2, "account": DAVE, "amount": 3_000, "seq": 3, "batch": 2,
    }  # fmt: skip
    assert ok(api, "GET", f"/accounts/{DAVE}")["collateral"] == 3_000
    assert ok(api, "GET", "/status")["deposits"] == 3
    refused(api, "/deposits", deposit, "deposit_order", ADMIN)  # queue entry 2 was consumed
    refused(api, "/deposits", {**deposit, "queue_index": 4}, "deposit_order", ADMIN)  # 3 comes first
    wrong_key = {"queue_index": 3, "account": ALICE, "pk": pk_json(BOB_KEY), "amount": 1}
    refused(api, "/deposits", wrong_key, "key_mismatch", ADMIN)
    assert ok(api, "GET", "/status")["deposits"] == 3


def test_a_malformed_deposit_is_400(api):
    deposit = {"queue_index": 2, "account": CAROL, "pk": pk_json(DAVE_KEY), "amount": 1}
    malformed(api, "/deposits", {**deposit, "pk": ["1", "2"]}, "pk is not a point of Baby Jubjub", ADMIN)
    malformed(api, "/deposits", {**deposit, "pk": ["1"]}, "pk must be an array of two decimal strings", ADMIN)
    malformed(api, "/deposits", {**deposit, "pk": [1, 2]}, "pk[0] must be a decimal string", ADMIN)
    malformed(api, "/deposits", {**deposit, "account": 1 << 24}, "account must be in [0, 2^24)", ADMIN)
    assert ok(api, "GET", "/status")["deposits"] == 2


@pytest.mark.parametrize("token", ["short", "sixteen chars but spaces"])
def test_zkclear_serve_refuses_a_weak_admin_token(tmp_path, token):
    result = CliRunner().invoke(main, ["serve", "--venue", str(tmp_path)], env={"ZKCLEAR_ADMIN_TOKEN": token})
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: $ZKCLEAR_ADMIN_TOKEN must be at least 16 printable ASCII characters without spaces"
    )
