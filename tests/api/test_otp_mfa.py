"""Email OTP, PocketBase's MFA (mfaId) flow and new-device alerts over HTTP on the in-process stack, the codes
read back from the mail the stack sent through SES."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.accounts import mfa, otp
from shared.auth import throttle
from shared.mail import outbox
from tests.support import fake_clock
from tests.support.in_process import InProcessStack

pytestmark = pytest.mark.api

ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Root-pass-1234567"
PASSWORD = "Plum-Orchard-4471"
INVALID_OTP = {"status": 400, "message": "Invalid or expired OTP.", "data": {}}


# helpers ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> httpx.Client:
    return stack.client()


@pytest.fixture(scope="module")
def root(api: httpx.Client) -> dict[str, str]:
    response = api.post("/api/collections/_superusers/auth-with-password",
                        json={"identity": ROOT_EMAIL, "password": ROOT_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": response.json()["token"]}


def new_collection(api: httpx.Client, root: dict[str, str], **options: Any) -> str:
    name = f"otp_{uuid.uuid4().hex[:8]}"
    response = api.post("/api/collections", headers=root, json={
        "name": name, "type": "auth", "createRule": "", "otp": {"enabled": True}, **options})
    assert response.status_code == 200, response.text
    return name


def new_user(api: httpx.Client, collection: str, prefix: str = "u") -> tuple[str, str]:
    address = f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"
    response = api.post(f"/api/collections/{collection}/records",
                        json={"email": address, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert response.status_code == 200, response.text
    return address, str(response.json()["id"])


def mails_to(stack: InProcessStack, address: str) -> list[Any]:
    folder = Path(os.environ.get("LB_MAIL_OUTBOX_DIR") or stack.data_dir / "mail")
    return [m for m in outbox.read(folder) if address in m.message.to]


def request_code(api: httpx.Client, stack: InProcessStack, collection: str, address: str) -> tuple[str, str]:
    """(otpId, code): the id from the answer, the code from the mail that came with it."""
    response = api.post(f"/api/collections/{collection}/request-otp", json={"email": address})
    assert response.status_code == 200, response.text
    mail = mails_to(stack, address)[-1].message
    code = re.search(r"<strong>(\d+)</strong>", mail.html)
    assert code is not None and mail.subject.startswith("OTP for ")
    return str(response.json()["otpId"]), code.group(1)


def with_otp(api: httpx.Client, collection: str, otp_id: str, code: str, **extra: Any) -> httpx.Response:
    return api.post(f"/api/collections/{collection}/auth-with-otp",
                    json={"otpId": otp_id, "password": code, **extra})


def with_password(api: httpx.Client, collection: str, address: str, params: dict[str, str] | None = None,
                  headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
    return api.post(f"/api/collections/{collection}/auth-with-password", params=params, headers=headers,
                    json={"identity": address, "password": PASSWORD, **extra})


# OTP --------------------------------------------------------------------------------------------------
def test_an_otp_signs_in_once_and_verifies_the_email(api: httpx.Client, root: dict[str, str],
                                                     stack: InProcessStack) -> None:
    # Given an OTP collection and an unverified user who asked for a code
    collection = new_collection(api, root)
    address, user_id = new_user(api, collection)
    otp_id, code = request_code(api, stack, collection, address)
    # (stored hashed: not even a superuser reads the code back)
    stored = api.get(f"/api/collections/_otps/records/{otp_id}", headers=root)
    assert stored.status_code == 200 and code not in stored.text and stored.json()["sentTo"] == address

    # When the code is used, and then used again
    first = with_otp(api, collection, otp_id, code)
    again = with_otp(api, collection, otp_id, code)

    # Then the first use signs in and marks the email verified (it reached that mailbox); the second is refused
    assert first.status_code == 200, first.text
    assert first.json()["record"]["id"] == user_id and first.json()["record"]["verified"] is True
    assert first.json()["token"] and first.json()["refreshToken"]
    assert again.status_code == 400 and again.json() == INVALID_OTP
    # and, used on its own (no MFA), the code replaced the password, as PocketBase does against pre-hijacking
    assert with_password(api, collection, address).status_code == 400


def test_unknown_emails_get_an_otp_id_and_no_mail(api: httpx.Client, root: dict[str, str],
                                                  stack: InProcessStack) -> None:
    # Given an OTP collection, When a code is asked for an address no account has
    collection = new_collection(api, root)
    address = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    response = api.post(f"/api/collections/{collection}/request-otp", json={"email": address})

    # Then the answer looks like any other (a record-id-shaped otpId), no mail goes out, and the id signs nobody in
    assert response.status_code == 200
    assert re.fullmatch(r"[a-z0-9]{15}", response.json()["otpId"])
    assert mails_to(stack, address) == []
    assert with_otp(api, collection, response.json()["otpId"], "12345678").json() == INVALID_OTP


@pytest.mark.parametrize(("body", "status", "fields"), [
    ({}, 400, {"otpId", "password"}),
    ({"otpId": "x" * 256, "password": "1"}, 400, {"otpId"}),
    ({"otpId": "abc", "password": "1" * 72}, 400, {"password"}),
    ({"otpId": 5, "password": "1"}, 400, set()),
])
def test_bad_otp_bodies_get_pocketbases_400s(api: httpx.Client, root: dict[str, str], body: dict[str, Any],
                                             status: int, fields: set[str]) -> None:
    # Given an OTP collection, When a malformed body is sent, Then PocketBase's 400 names the fields at fault
    collection = new_collection(api, root)
    response = api.post(f"/api/collections/{collection}/auth-with-otp", json=body)
    assert response.status_code == status
    assert set(response.json()["data"]) == fields


def test_otp_routes_answer_403_while_otp_is_off(api: httpx.Client, root: dict[str, str]) -> None:
    # Given a collection with OTP off, When either route is called (even with an unreadable body), Then 403
    collection = new_collection(api, root, otp={"enabled": False})
    for route, body in (("request-otp", [1]), ("auth-with-otp", {"otpId": "a", "password": "b"})):
        response = api.post(f"/api/collections/{collection}/{route}", json=body)
        assert response.status_code == 403
        assert response.json()["message"] == "The collection is not configured to allow OTP authentication."


def test_guessing_a_code_is_throttled_with_429(api: httpx.Client, root: dict[str, str],
                                               stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a user with a live code, and the throttle's clock standing still (a loaded machine outlasts its delays)
    collection = new_collection(api, root)
    address, _ = new_user(api, collection)
    otp_id, code = request_code(api, stack, collection, address)
    wrong = "0" * len(code) if code != "0" * len(code) else "1" * len(code)
    fake_clock.frozen(monkeypatch, throttle)

    # When wrong codes are tried until the throttle steps in
    answers = [with_otp(api, collection, otp_id, wrong) for _ in range(6)]

    # Then the first five are the generic 400 and the sixth a 429 with Retry-After; even the right code must wait
    assert [a.status_code for a in answers] == [400] * 5 + [429]
    assert answers[-1].json()["message"] == "Too many attempts, please try again later with a new OTP."
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert with_otp(api, collection, otp_id, code).status_code == 429


def test_a_code_of_another_collection_is_refused(api: httpx.Client, root: dict[str, str],
                                                 stack: InProcessStack) -> None:
    # Given a code issued in one collection, When it is presented to another, Then the generic 400
    one, other = new_collection(api, root), new_collection(api, root)
    address, _ = new_user(api, one)
    otp_id, code = request_code(api, stack, one, address)
    assert with_otp(api, other, otp_id, code).json() == INVALID_OTP
    assert with_otp(api, one, otp_id, code).status_code == 200


def test_past_nine_live_codes_the_newest_is_answered_again_without_mail(api: httpx.Client, root: dict[str, str],
                                                                       stack: InProcessStack) -> None:
    # Given a user who asked for ten codes (each mailed)
    collection = new_collection(api, root)
    address, _ = new_user(api, collection)
    ids = [api.post(f"/api/collections/{collection}/request-otp", json={"email": address}).json()["otpId"]
           for _ in range(10)]
    assert len(set(ids)) == 10 and len(mails_to(stack, address)) == 10

    # When an eleventh is asked for, Then the newest live code's id comes back and no mail goes out (PocketBase)
    again = api.post(f"/api/collections/{collection}/request-otp", json={"email": address})
    assert again.json()["otpId"] == ids[-1]
    assert len(mails_to(stack, address)) == 10


def test_superusers_sign_in_with_an_otp_and_with_mfa(api: httpx.Client, root: dict[str, str],
                                                     stack: InProcessStack) -> None:
    # Given OTP switched on for _superusers
    assert api.patch("/api/collections/_superusers", headers=root, json={"otp": {"enabled": True}}).status_code == 200
    try:
        # When the root asks for a code and uses it, Then it is signed in as a superuser
        otp_id, code = request_code(api, stack, "_superusers", ROOT_EMAIL)
        response = with_otp(api, "_superusers", otp_id, code)
        assert response.status_code == 200, response.text
        assert response.json()["record"]["email"] == ROOT_EMAIL
        assert api.get("/api/collections", headers={"Authorization": response.json()["token"]}).status_code == 200

        # Given MFA on too, When the root signs in with the password, Then it takes an OTP with the mfaId as well
        assert api.patch("/api/collections/_superusers", headers=root,
                         json={"mfa": {"enabled": True}}).status_code == 200
        first = api.post("/api/collections/_superusers/auth-with-password",
                         json={"identity": ROOT_EMAIL, "password": ROOT_PASSWORD})
        assert first.status_code == 401, first.text
        otp_id, code = request_code(api, stack, "_superusers", ROOT_EMAIL)
        done = with_otp(api, "_superusers", otp_id, code, mfaId=first.json()["mfaId"])
        assert done.status_code == 200, done.text
    finally:
        api.patch("/api/collections/_superusers", headers=root,
                  json={"mfa": {"enabled": False}, "otp": {"enabled": False}})


# MFA --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mfa_collection(api: httpx.Client, root: dict[str, str]) -> str:
    return new_collection(api, root, mfa={"enabled": True})


def test_password_then_otp_completes_an_mfa_sign_in(api: httpx.Client, stack: InProcessStack,
                                                    mfa_collection: str) -> None:
    # Given a user of an MFA collection
    address, user_id = new_user(api, mfa_collection)

    # When the password passes, Then PocketBase's bare 401 {mfaId} asks for a second factor, and no token is given
    first = with_password(api, mfa_collection, address)
    assert first.status_code == 401 and set(first.json()) == {"mfaId"}
    mfa_id = first.json()["mfaId"]

    # When the same method comes again with that mfaId, Then it is refused
    same = with_password(api, mfa_collection, address, params={"mfaId": mfa_id})
    assert same.status_code == 400
    assert same.json()["message"] == "A different authentication method is required."

    # When an OTP comes with the mfaId (in the body), Then the sign-in completes
    otp_id, code = request_code(api, stack, mfa_collection, address)
    done = with_otp(api, mfa_collection, otp_id, code, mfaId=mfa_id)
    assert done.status_code == 200, done.text
    assert done.json()["record"]["id"] == user_id and done.json()["token"]

    # And the mfaId is spent: a second completion with it is refused
    again = with_password(api, mfa_collection, address, mfaId=mfa_id)
    assert again.status_code == 400 and again.json()["message"] == "Invalid or expired MFA session."


def test_an_mfa_id_of_another_user_is_refused(api: httpx.Client, stack: InProcessStack, mfa_collection: str) -> None:
    # Given Ann passed her first factor, When Bob completes his OTP with Ann's mfaId
    ann, _ = new_user(api, mfa_collection, "ann")
    bob, _ = new_user(api, mfa_collection, "bob")
    ann_mfa = with_password(api, mfa_collection, ann).json()["mfaId"]
    otp_id, code = request_code(api, stack, mfa_collection, bob)
    response = with_otp(api, mfa_collection, otp_id, code, mfaId=ann_mfa)

    # Then it is refused, and Ann's session still completes for Ann
    assert response.status_code == 400 and response.json()["message"] == "Invalid MFA session."
    otp_id, code = request_code(api, stack, mfa_collection, ann)
    assert with_otp(api, mfa_collection, otp_id, code, mfaId=ann_mfa).status_code == 200


@pytest.mark.parametrize(("mfa_id", "message"), [("nope", "Invalid or expired MFA session."),
                                                 (5, "Failed to read MFA Id.")])
def test_unknown_or_malformed_mfa_ids_are_refused(api: httpx.Client, mfa_collection: str, mfa_id: Any,
                                                  message: str) -> None:
    # Given a user of an MFA collection, When the password comes with a bad mfaId, Then PocketBase's 400
    address, _ = new_user(api, mfa_collection)
    response = with_password(api, mfa_collection, address, mfaId=mfa_id)
    assert response.status_code == 400 and response.json()["message"] == message


def test_the_mfa_rule_picks_who_needs_a_second_factor(api: httpx.Client, root: dict[str, str]) -> None:
    # Given an MFA collection whose rule asks only addresses starting with "vip" for a second factor
    collection = new_collection(api, root, mfa={"enabled": True, "rule": "email ~ 'vip%'"})
    vip, _ = new_user(api, collection, "vip")
    plain, _ = new_user(api, collection, "plain")

    # When both sign in with their password, Then only the vip gets the 401 with an mfaId
    assert with_password(api, collection, vip).status_code == 401
    assert with_password(api, collection, plain).status_code == 200


def test_expired_codes_and_mfa_sessions_are_refused(api: httpx.Client, root: dict[str, str],
                                                    stack: InProcessStack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a collection whose codes and MFA sessions last 10 s, a code and an MFA session issued now
    collection = new_collection(api, root, otp={"enabled": True, "duration": 10},
                                mfa={"enabled": True, "duration": 10})
    address, _ = new_user(api, collection)
    mfa_id = with_password(api, collection, address).json()["mfaId"]
    otp_id, code = request_code(api, stack, collection, address)

    # When both are used after they expired (11 s later to the modules that judge their age)
    with monkeypatch.context() as later:
        fake_clock.ahead(later, 11, otp, mfa)
        expired_code = with_otp(api, collection, otp_id, code, mfaId=mfa_id)
    # and a code issued now, with the MFA session still 11 s old
    fresh_id, fresh_code = request_code(api, stack, collection, address)
    with monkeypatch.context() as later:
        fake_clock.ahead(later, 11, mfa)
        expired_mfa = with_otp(api, collection, fresh_id, fresh_code, mfaId=mfa_id)

    # Then each is refused with PocketBase's message
    assert expired_code.json() == INVALID_OTP
    assert expired_mfa.status_code == 400 and expired_mfa.json()["message"] == "Invalid or expired MFA session."


def test_auth_methods_show_otp_and_mfa(api: httpx.Client, root: dict[str, str]) -> None:
    # Given a collection with OTP (5 min) and MFA (15 min) on, When its auth methods are read
    collection = new_collection(api, root, otp={"enabled": True, "duration": 300},
                                mfa={"enabled": True, "duration": 900})
    body = api.get(f"/api/collections/{collection}/auth-methods").json()

    # Then both are listed with their durations, as PocketBase does
    assert body["otp"] == {"enabled": True, "duration": 300}
    assert body["mfa"] == {"enabled": True, "duration": 900}


# new-device alerts ------------------------------------------------------------------------------------
@pytest.fixture
def alert_collection(api: httpx.Client, root: dict[str, str]) -> Iterator[str]:
    yield new_collection(api, root)


def test_a_sign_in_from_a_new_device_sends_the_alert(api: httpx.Client, root: dict[str, str],
                                                    stack: InProcessStack, alert_collection: str) -> None:
    # Given a user who signed in once from a laptop (the first origin: no alert)
    address, user_id = new_user(api, alert_collection)
    laptop, phone = {"User-Agent": "laptop-browser/1.0"}, {"User-Agent": "phone-app/2.0"}
    assert with_password(api, alert_collection, address, headers=laptop).status_code == 200
    assert with_password(api, alert_collection, address, headers=laptop).status_code == 200
    assert mails_to(stack, address) == []

    # When the user signs in from a phone
    assert with_password(api, alert_collection, address, headers=phone).status_code == 200

    # Then one "new location" mail names the phone, and the record has two origins
    alerts = mails_to(stack, address)
    assert [m.message.subject for m in alerts] == ["Login from a new location"]
    assert "phone-app/2.0" in alerts[0].message.html
    origins = api.get("/api/collections/_authOrigins/records", headers=root,
                      params={"filter": f"recordRef = '{user_id}'"}).json()
    assert origins["totalItems"] == 2


def test_no_alert_when_the_collection_turns_it_off(api: httpx.Client, root: dict[str, str],
                                                   stack: InProcessStack) -> None:
    # Given a collection with authAlert off and a user who signed in from two devices
    collection = new_collection(api, root, authAlert={"enabled": False})
    address, _ = new_user(api, collection)
    for agent in ("one/1", "two/2"):
        assert with_password(api, collection, address, headers={"User-Agent": agent}).status_code == 200

    # Then no alert went out
    assert mails_to(stack, address) == []


def test_a_password_change_voids_codes_and_forgets_origins(api: httpx.Client, root: dict[str, str],
                                                          stack: InProcessStack) -> None:
    # Given a user who signed in (one origin) and holds a live code
    collection = new_collection(api, root)
    address, user_id = new_user(api, collection)
    assert with_password(api, collection, address).status_code == 200
    otp_id, code = request_code(api, stack, collection, address)

    # When a superuser sets a new password (its tokenKey changes with it)
    changed = api.patch(f"/api/collections/{collection}/records/{user_id}", headers=root,
                        json={"password": "Quiet-Lantern-9035", "passwordConfirm": "Quiet-Lantern-9035"})
    assert changed.status_code == 200, changed.text

    # Then the code no longer signs in, and the record has no known origin left (as PocketBase)
    assert with_otp(api, collection, otp_id, code).json() == INVALID_OTP
    origins = api.get("/api/collections/_authOrigins/records", headers=root,
                      params={"filter": f"recordRef = '{user_id}'"}).json()
    assert origins["totalItems"] == 0


def test_deleting_a_record_deletes_its_codes_and_origins(api: httpx.Client, root: dict[str, str],
                                                         stack: InProcessStack) -> None:
    # Given a user who signed in (one origin) and holds a live code
    collection = new_collection(api, root)
    address, user_id = new_user(api, collection)
    assert with_password(api, collection, address).status_code == 200
    request_code(api, stack, collection, address)

    # When a superuser deletes the user
    assert api.delete(f"/api/collections/{collection}/records/{user_id}", headers=root).status_code == 204

    # Then neither its code nor its origin is left (as PocketBase)
    for system in ("_otps", "_authOrigins"):
        left = api.get(f"/api/collections/{system}/records", headers=root,
                       params={"filter": f"recordRef = '{user_id}'"}).json()
        assert left["totalItems"] == 0, (system, left)
