"""TOTP in PocketBase's MFA flow on the session stack: password -> 401 {mfaId} -> auth-with-totp -> token, with
recovery codes, replayed codes, other users' sessions and codes, brute force (429) and remembered devices."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import throttle
from tests.support import fake_clock
from tests.support.in_process import InProcessStack
from tests.support.totp_api import INVALID, PASSWORD, code, enrolled, new_user, path, status, wrong_code

pytestmark = pytest.mark.api

INVALID_SESSION = {"status": 400, "message": "Invalid or expired MFA session.", "data": {}}


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> httpx.Client:
    # Its own source IP: the brute-force test fills the sign-in throttle's per-IP counters
    return stack.client(source_ip="198.51.100.14")


def password(api: httpx.Client, address: str, **extra: str) -> httpx.Response:
    return api.post("/api/collections/users/auth-with-password",
                    json={"identity": address, "password": PASSWORD, **extra})


def mfa_id(api: httpx.Client, address: str) -> str:
    """The first factor's answer for a record with TOTP: PocketBase's 401 with an mfaId."""
    first = password(api, address)
    assert first.status_code == 401, first.text
    return str(first.json()["mfaId"])


def with_totp(api: httpx.Client, body: dict[str, object], collection: str = "users") -> httpx.Response:
    return api.post(f"/api/collections/{collection}/auth-with-totp", json=body)


def user_with_totp(api: httpx.Client) -> tuple[str, str, str, list[str]]:
    """(email, record id, secret, recovery codes) of a user who confirmed TOTP, signed out."""
    address, record_id, headers = new_user(api)
    secret, recovery = enrolled(api, record_id, headers)
    return address, record_id, secret, recovery


def test_a_record_with_totp_needs_it_after_the_password_and_gets_a_token(api: httpx.Client) -> None:
    # Given a user with TOTP on, in a collection whose own MFA is off
    address, record_id, secret, _ = user_with_totp(api)
    # When they sign in with the password / Then the answer is PocketBase's MFA 401 with an mfaId
    first = password(api, address)
    assert first.status_code == 401 and set(first.json()) >= {"mfaId"}
    # When the current code completes it
    done = with_totp(api, {"mfaId": first.json()["mfaId"], "code": code(secret)})
    # Then they get a token, the record and a refresh token, and the token works
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["record"]["id"] == record_id and body["token"] and body["refreshToken"] and "deviceToken" not in body
    assert status(api, record_id, {"Authorization": body["token"]})["enabled"] is True
    # And a user without TOTP signs in with the password alone, as in PocketBase
    plain, _, _ = new_user(api)
    assert password(api, plain).status_code == 200


def test_bad_bodies_and_sessions_are_refused(api: httpx.Client) -> None:
    address, _, secret, _ = user_with_totp(api)
    session = mfa_id(api, address)
    # Then no mfaId, no code, a non-text code, an unknown mfaId and a wrong code are each a 400
    no_session = with_totp(api, {"code": code(secret)})
    assert no_session.status_code == 400 and no_session.json()["data"]["mfaId"]["code"] == "validation_required"
    no_code = with_totp(api, {"mfaId": session})
    assert no_code.status_code == 400 and no_code.json()["data"]["code"]["code"] == "validation_required"
    assert with_totp(api, {"mfaId": session, "code": 123456}).status_code == 400
    assert with_totp(api, {"mfaId": session, "code": code(secret), "rememberDevice": "yes"}).status_code == 400
    unknown = with_totp(api, {"mfaId": "nosuchsession12", "code": code(secret)})
    assert (unknown.status_code, unknown.json()) == (400, INVALID_SESSION)
    wrong = with_totp(api, {"mfaId": session, "code": wrong_code(secret)})
    assert (wrong.status_code, wrong.json()) == (400, INVALID)
    # And the session of one collection does not complete a sign-in in another
    assert with_totp(api, {"mfaId": session, "code": code(secret)}, "_superusers").status_code == 400
    # And after all that the session still completes with the right code
    assert with_totp(api, {"mfaId": session, "code": code(secret)}).status_code == 200


def test_a_code_completes_one_sign_in_only(api: httpx.Client) -> None:
    # Given a sign-in completed with the current code
    address, _, secret, _ = user_with_totp(api)
    used = code(secret)
    assert with_totp(api, {"mfaId": mfa_id(api, address), "code": used}).status_code == 200
    # When the same code is replayed for a second sign-in
    replay = with_totp(api, {"mfaId": mfa_id(api, address), "code": used})
    # Then it is refused
    assert (replay.status_code, replay.json()) == (400, INVALID)


def test_another_users_code_or_session_never_signs_in(api: httpx.Client) -> None:
    # Given two users with TOTP on, each midway through a sign-in
    alice, _, alice_secret, _ = user_with_totp(api)
    bob, _, bob_secret, _ = user_with_totp(api)
    alice_session = mfa_id(api, alice)
    # When Bob sends his own valid code with Alice's session / Then it is checked against Alice's factor: refused
    assert with_totp(api, {"mfaId": alice_session, "code": code(bob_secret)}).json() == INVALID
    # And Alice's session completes only with her code, for her record
    done = with_totp(api, {"mfaId": alice_session, "code": code(alice_secret)})
    assert done.status_code == 200 and done.json()["record"]["email"] == alice
    assert bob


def test_a_recovery_code_completes_a_sign_in_once(api: httpx.Client) -> None:
    address, record_id, _, recovery = user_with_totp(api)
    done = with_totp(api, {"mfaId": mfa_id(api, address), "code": recovery[3]})
    assert done.status_code == 200, done.text
    again = with_totp(api, {"mfaId": mfa_id(api, address), "code": recovery[3]})
    assert (again.status_code, again.json()) == (400, INVALID)
    assert status(api, record_id, {"Authorization": done.json()["token"]})["recoveryCodesLeft"] == 9


def test_guessing_codes_at_sign_in_is_throttled_with_429(api: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    address, _, secret, _ = user_with_totp(api)
    # The throttle's clock stands still: its first delay is one second, which a loaded machine's requests outlast
    fake_clock.frozen(monkeypatch, throttle)
    session = mfa_id(api, address)
    guess = wrong_code(secret)
    answers = [with_totp(api, {"mfaId": session, "code": guess}).status_code for _ in range(6)]
    assert answers == [400] * 5 + [429], answers
    throttled = with_totp(api, {"mfaId": session, "code": code(secret)})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1


def test_a_remembered_device_skips_the_second_factor_for_its_record_only(api: httpx.Client) -> None:
    # Given a user who asked to remember this device
    address, record_id, secret, _ = user_with_totp(api)
    done = with_totp(api, {"mfaId": mfa_id(api, address), "code": code(secret), "rememberDevice": True})
    device = done.json()["deviceToken"]
    headers = {"Authorization": done.json()["token"]}
    assert status(api, record_id, headers)["rememberedDevices"] == 1
    # When they sign in again from it / Then the password alone signs in
    assert password(api, address, deviceToken=device).status_code == 200
    # And a forged token, or this token for another user with TOTP, still needs the second factor
    other, _, _, _ = user_with_totp(api)
    assert password(api, address, deviceToken=device + "x").status_code == 401
    assert password(api, other, deviceToken=device).status_code == 401
    # When the devices are forgotten / Then it needs the second factor again
    assert api.delete(path(record_id, "devices"), headers=headers).status_code == 204
    assert password(api, address, deviceToken=device).status_code == 401


def test_after_disabling_the_password_alone_signs_in_again(api: httpx.Client) -> None:
    address, record_id, secret, _ = user_with_totp(api)
    done = with_totp(api, {"mfaId": mfa_id(api, address), "code": code(secret), "rememberDevice": True})
    headers = {"Authorization": done.json()["token"]}
    assert api.post(path(record_id, "disable"), json={"code": code(secret, 1)}, headers=headers).status_code == 204
    assert password(api, address).status_code == 200
    assert with_totp(api, {"mfaId": "x" * 15, "code": code(secret)}).status_code == 400
