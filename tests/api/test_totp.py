"""TOTP second factors on the session stack: enrolment with URI and QR codes, confirmation, recovery codes, replay
protection, brute force (429), other users' records, disabling, and the secret sealed in the system table."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import httpx
import pytest

from shared import resources
from shared.auth import throttle
from tests.support import fake_clock
from tests.support.in_process import InProcessStack
from tests.support.totp_api import (
    INVALID,
    away_from_step_edge,
    code,
    enrolled,
    new_user,
    path,
    status,
    wrong_code,
)

pytestmark = pytest.mark.api

ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Root-pass-1234567"


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> httpx.Client:
    # A source IP of its own: the brute-force tests fill the sign-in throttle's per-IP counters
    return stack.client(source_ip="198.51.100.13")


@pytest.fixture(scope="module")
def root(api: httpx.Client) -> dict[str, str]:
    response = api.post("/api/collections/_superusers/auth-with-password",
                        json={"identity": ROOT_EMAIL, "password": ROOT_PASSWORD})
    return {"Authorization": response.json()["token"]}


# enrolment and confirmation ---------------------------------------------------------------------------
def test_enrolment_returns_secret_uri_and_qr_codes_and_changes_nothing_until_confirmed(api: httpx.Client) -> None:
    # Given a signed-in user
    address, record_id, headers = new_user(api)
    # When they start an enrolment
    response = api.post(path(record_id, "enroll"), headers=headers)
    # Then they get a base32 secret, its otpauth URI (issuer = the app name, account = their email) and QR codes
    assert response.status_code == 200, response.text
    body = response.json()
    uri = urlparse(body["uri"])
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert parse_qs(uri.query)["secret"] == [body["secret"]] and len(body["secret"]) == 32
    assert address in uri.path.replace("%40", "@") and parse_qs(uri.query)["issuer"][0]
    assert body["qr"]["svg"].startswith("data:image/svg+xml") and body["qr"]["png"].startswith("data:image/png")
    assert body["expires"].endswith("Z")
    # And nothing is active yet: the status says pending, sign-in still needs only the password
    assert status(api, record_id, headers) == {"enabled": False, "pending": True, "recoveryCodesLeft": 0,
                                               "rememberedDevices": 0, "enabledAt": ""}


def test_confirming_needs_a_valid_code_of_the_pending_secret_and_returns_ten_recovery_codes(api: httpx.Client) -> None:
    # Given a pending enrolment
    _, record_id, headers = new_user(api)
    away_from_step_edge()
    secret = api.post(path(record_id, "enroll"), headers=headers).json()["secret"]
    # When confirming with a wrong code, no code, or a code that is not text
    wrong = api.post(path(record_id, "confirm"), json={"code": wrong_code(secret)}, headers=headers)
    blank = api.post(path(record_id, "confirm"), json={}, headers=headers)
    number = api.post(path(record_id, "confirm"), json={"code": 123456}, headers=headers)
    # Then each is a 400 and the factor stays off
    assert (wrong.status_code, wrong.json()) == (400, INVALID)
    assert blank.status_code == 400 and blank.json()["data"]["code"]["code"] == "validation_required"
    assert number.status_code == 400
    assert status(api, record_id, headers)["enabled"] is False
    # When confirming with the current code
    confirmed = api.post(path(record_id, "confirm"), json={"code": code(secret)}, headers=headers)
    # Then TOTP is on, with ten distinct recovery codes shown this once
    assert confirmed.status_code == 200, confirmed.text
    recovery = confirmed.json()["recoveryCodes"]
    assert len(recovery) == len(set(recovery)) == 10
    state = status(api, record_id, headers)
    assert state["enabled"] is True and state["recoveryCodesLeft"] == 10 and state["enabledAt"].endswith("Z")
    # And a second enrolment or confirmation is refused while it is on
    assert api.post(path(record_id, "enroll"), headers=headers).status_code == 400
    assert api.post(path(record_id, "confirm"), json={"code": code(secret, 1)}, headers=headers).status_code == 400


def test_only_the_record_itself_and_superusers_manage_its_factor(api: httpx.Client, root: dict[str, str]) -> None:
    # Given two users
    _, alice, alice_headers = new_user(api)
    _, _, bob_headers = new_user(api)
    # When Bob acts on Alice's factor, or a guest does
    # Then Bob gets 403 for every route and a guest 401
    for method, action in (("GET", ""), ("POST", "enroll"), ("POST", "confirm"), ("POST", "disable"),
                           ("DELETE", "devices")):
        assert api.request(method, path(alice, action), json={"code": "123456"}, headers=bob_headers
                           ).status_code == 403, action
        assert api.request(method, path(alice, action), json={"code": "123456"}).status_code == 401, action
    # And a superuser may enrol any record; an unknown record is 404
    assert api.post(path(alice, "enroll"), headers=root).status_code == 200
    assert api.get(path("nope12345678901"), headers=root).status_code == 404
    assert api.get(path(alice), headers=alice_headers).json()["pending"] is True
    assert api.get("/api/collections/nope/records/x/totp", headers=root).status_code == 404


def factor_items(stack: InProcessStack, api: httpx.Client, root: dict[str, str], record_id: str
                 ) -> list[dict[str, Any]]:
    """The system table's items of a user's factor, as DynamoDB holds them."""
    users_id = api.get("/api/collections/users", headers=root).json()["id"]
    return list(boto3.client("dynamodb", endpoint_url=stack.moto_endpoint(), region_name="us-east-1").query(
        TableName=resources.SYSTEM_TABLE.physical_name, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"tp#{users_id}#{record_id}"}})["Items"])


def test_the_secret_is_sealed_at_rest(api: httpx.Client, root: dict[str, str], stack: InProcessStack) -> None:
    # Given a user who enrolled and confirmed
    _, record_id, headers = new_user(api)
    secret, recovery = enrolled(api, record_id, headers)
    # When the system table's items of that record are read
    items = factor_items(stack, api, root, record_id)
    # Then they hold a KMS ciphertext, never the secret nor a recovery code in clear
    assert len(items) == 11  # the enrolment and ten recovery codes
    dump = repr(items)
    assert secret not in dump and not any(c in dump or c.replace("-", "") in dump for c in recovery)
    (active,) = [i for i in items if i["sk"]["S"] == "active"]
    assert active["sealed_secret"]["S"].startswith("kms:")


def test_deleting_the_record_deletes_its_factor(api: httpx.Client, root: dict[str, str],
                                                stack: InProcessStack) -> None:
    # Given a user with TOTP on
    _, record_id, headers = new_user(api)
    enrolled(api, record_id, headers)
    assert factor_items(stack, api, root, record_id)
    # When the record is deleted
    assert api.delete(f"/api/collections/users/records/{record_id}", headers=root).status_code == 204
    # Then nothing of its factor is left for a record created later with the same id
    assert factor_items(stack, api, root, record_id) == []


# disabling ---------------------------------------------------------------------------------------------
def test_disabling_needs_a_current_code_or_a_recovery_code(api: httpx.Client) -> None:
    # Given a user with TOTP on
    _, record_id, headers = new_user(api)
    secret, recovery = enrolled(api, record_id, headers)
    # When they disable it without a code, or with a wrong one
    blank = api.post(path(record_id, "disable"), json={}, headers=headers)
    wrong = api.post(path(record_id, "disable"), json={"code": wrong_code(secret)}, headers=headers)
    # Then it stays on
    assert blank.status_code == 400 and blank.json()["data"]["code"]["code"] == "validation_required"
    assert (wrong.status_code, wrong.json()) == (400, INVALID)
    assert status(api, record_id, headers)["enabled"] is True
    # When they disable it with a recovery code (any case, dashes optional)
    done = api.post(path(record_id, "disable"), json={"code": recovery[0].lower().replace("-", "")}, headers=headers)
    # Then it is off, with its recovery codes gone; enabling again starts over
    assert done.status_code == 204, done.text
    assert status(api, record_id, headers) == {"enabled": False, "pending": False, "recoveryCodesLeft": 0,
                                               "rememberedDevices": 0, "enabledAt": ""}
    assert api.post(path(record_id, "disable"), json={"code": code(secret)}, headers=headers).status_code == 400
    secret2, _ = enrolled(api, record_id, headers)
    assert secret2 != secret
    # And a current code disables it too
    assert api.post(path(record_id, "disable"), json={"code": code(secret2)}, headers=headers).status_code == 204


def test_a_superuser_resets_a_lost_factor_without_a_code(api: httpx.Client, root: dict[str, str]) -> None:
    # Given a user with TOTP on who lost their authenticator and recovery codes
    _, record_id, headers = new_user(api)
    enrolled(api, record_id, headers)
    # When a superuser disables it without a code
    reset = api.post(path(record_id, "disable"), json={}, headers=root)
    # Then it is off
    assert reset.status_code == 204, reset.text
    assert status(api, record_id, headers)["enabled"] is False


# replay and brute force --------------------------------------------------------------------------------
def test_a_code_is_accepted_once_and_never_an_earlier_step_after_a_later_one(api: httpx.Client) -> None:
    # Given a user whose factor was confirmed with the previous step's code
    _, record_id, headers = new_user(api)
    secret, _ = enrolled(api, record_id, headers)
    # When the same code is replayed to disable
    replayed = api.post(path(record_id, "disable"), json={"code": code(secret, -1)}, headers=headers)
    # Then it is refused as any wrong code, and the factor stays on
    assert (replayed.status_code, replayed.json()) == (400, INVALID)
    assert status(api, record_id, headers)["enabled"] is True


def test_guessing_codes_is_throttled_with_429_and_retry_after(api: httpx.Client,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a user with TOTP on, and the throttle's clock standing still (a loaded machine outlasts its delays)
    fake_clock.frozen(monkeypatch, throttle)
    _, record_id, headers = new_user(api)
    secret, _ = enrolled(api, record_id, headers)
    guess = wrong_code(secret)
    # When an attacker holding the session guesses codes to disable it
    answers = [api.post(path(record_id, "disable"), json={"code": guess}, headers=headers) for _ in range(7)]
    # Then the first guesses are 400 and then 429 with Retry-After, even for the right code
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429, statuses
    assert int(answers[-1].headers["Retry-After"]) >= 1
    throttled = api.post(path(record_id, "disable"), json={"code": code(secret)}, headers=headers)
    assert throttled.status_code == 429
    assert status(api, record_id, headers)["enabled"] is True
