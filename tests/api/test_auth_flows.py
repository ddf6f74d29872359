"""Account flows end to end on the session stack: sign-in, refresh, rotating refresh tokens, sessions,
verification, password reset and email change with the mail read back from SES, impersonation, manageRule,
the password policy and hostile tokens."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest

from tests.support.in_process import InProcessStack

pytestmark = pytest.mark.api

ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Root-pass-1234567"
PASSWORD = "Plum-Orchard-4471"
GENERIC_FAILURE = {"status": 400, "message": "Failed to authenticate.", "data": {}}


# helpers ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> httpx.Client:
    return stack.client()


@pytest.fixture(scope="module")
def root(api: httpx.Client) -> dict[str, str]:
    token = sign_in(api, ROOT_EMAIL, ROOT_PASSWORD, "_superusers")["token"]
    return {"Authorization": token}


def email(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def new_user(api: httpx.Client, password: str = PASSWORD, collection: str = "users", **fields: Any
             ) -> tuple[str, dict[str, Any]]:
    address = fields.pop("email", None) or email()
    response = api.post(f"/api/collections/{collection}/records", json={
        "email": address, "password": password, "passwordConfirm": password, **fields})
    assert response.status_code == 200, response.text
    return address, response.json()


def sign_in(api: httpx.Client, identity: str, password: str = PASSWORD, collection: str = "users",
            headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = api.post(f"/api/collections/{collection}/auth-with-password",
                        json={"identity": identity, "password": password}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def auth(token: str) -> dict[str, str]:
    return {"Authorization": token}


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def can_view_self(api: httpx.Client, token: str, record_id: str) -> int:
    return api.get(f"/api/collections/users/records/{record_id}", headers=auth(token)).status_code


def read_mail(stack: InProcessStack, to: str) -> list[dict[str, Any]]:
    """The mail sent to `to`, as `lambdabase mail --json` shows it."""
    out = subprocess.run([sys.executable, "-m", "local.cli", "--data-dir", str(stack.data_dir), "mail", "--json",
                          "--to", to], capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(out.stdout))


def ses_message_ids(stack: InProcessStack) -> set[str]:
    """Ids of the messages moto's SES accepted (its model data), to prove the mail went through SES."""
    data = httpx.get(stack.moto_endpoint() + "/moto-api/data.json", timeout=30).json()
    return {m["id"] for m in data.get("ses", {}).get("Message", [])}


def token_in(mail: dict[str, Any], action: str) -> str:
    link = next(link for link in mail["links"] if f"/auth/{action}/" in link)
    return link.rsplit("/", 1)[1]


def forged(token: str, header: dict[str, Any], payload: dict[str, Any] | None = None, signature: str = "") -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload or claims(token))}.{signature}"


# auth methods, sign-in and refresh --------------------------------------------------------------------
def test_auth_methods_have_pocketbase_shape(api: httpx.Client) -> None:
    response = api.get("/api/collections/users/auth-methods")

    assert response.status_code == 200
    assert response.json() == {
        "password": {"identityFields": ["email"], "enabled": True},
        "oauth2": {"providers": [], "enabled": False},
        "mfa": {"enabled": False, "duration": 0},
        "otp": {"enabled": False, "duration": 0},
        "authProviders": [], "usernamePassword": False, "emailPassword": True,
    }
    trimmed = api.get("/api/collections/users/auth-methods", params={"fields": "password"})
    assert trimmed.json() == {"password": {"identityFields": ["email"], "enabled": True}}
    assert api.get("/api/collections/nope/auth-methods").status_code == 404


def test_sign_in_answers_token_record_and_refresh_token_and_hides_which_accounts_exist(api: httpx.Client) -> None:
    # Given a user
    address, record = new_user(api)
    # When they sign in
    body = sign_in(api, address)
    # Then they get PocketBase's {token, record} plus an opaque refresh token
    assert body["record"]["id"] == record["id"] and body["record"]["email"] == address
    assert claims(body["token"])["type"] == "auth" and claims(body["token"])["refreshable"] is True
    assert jwt.get_unverified_header(body["token"])["alg"] == "HS256"
    assert "." in body["refreshToken"] and body["refreshToken"] != body["token"]
    # And a wrong password and an unknown account fail identically
    wrong = api.post("/api/collections/users/auth-with-password", json={"identity": address, "password": "x" * 12})
    unknown = api.post("/api/collections/users/auth-with-password",
                       json={"identity": email("ghost"), "password": "x" * 12})
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json()) == (400, GENERIC_FAILURE)


def test_auth_refresh_gives_a_new_token_for_a_valid_one(api: httpx.Client, root: dict[str, str]) -> None:
    address, record = new_user(api)
    token = sign_in(api, address)["token"]

    refreshed = api.post("/api/collections/users/auth-refresh", headers=auth(token))

    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"token", "record"} and refreshed.json()["record"]["id"] == record["id"]
    assert claims(refreshed.json()["token"])["sid"] == claims(token)["sid"]  # still the same session
    assert api.post("/api/collections/users/auth-refresh").status_code == 401
    assert api.post("/api/collections/users/auth-refresh", headers=root).status_code == 403  # other collection


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_family(api: httpx.Client) -> None:
    # Given a session and its first refresh token
    address, _ = new_user(api)
    first = sign_in(api, address)

    def use(refresh_token: str) -> httpx.Response:
        return api.post("/api/collections/users/auth-with-refresh-token", json={"refreshToken": refresh_token})

    # When the refresh token is used, each use returns a new one
    second = use(first["refreshToken"])
    assert second.status_code == 200 and set(second.json()) == {"token", "record", "refreshToken"}
    third = use(second.json()["refreshToken"])
    assert third.status_code == 200
    assert len({first["refreshToken"], second.json()["refreshToken"], third.json()["refreshToken"]}) == 3
    # When the first, already used token is presented again
    replay = use(first["refreshToken"])
    # Then it is refused and the whole family is revoked: the newest token and the session's tokens die too
    assert replay.status_code == 401
    assert use(third.json()["refreshToken"]).status_code == 401
    assert api.post("/api/collections/users/auth-refresh", headers=auth(third.json()["token"])).status_code == 401
    assert use("not-a-token").status_code == 401
    assert use("").status_code == 400


def test_users_list_and_revoke_their_sessions(api: httpx.Client, root: dict[str, str]) -> None:
    # Given a user signed in on a phone and a laptop
    address, record = new_user(api)
    phone = sign_in(api, address, headers={"User-Agent": "phone/1.0"})
    laptop = sign_in(api, address, headers={"User-Agent": "laptop/2.0"})
    path = f"/api/collections/users/records/{record['id']}/sessions"
    # When the laptop lists its sessions
    sessions = api.get(path, headers=auth(laptop["token"])).json()
    # Then both show, with times, user agent and IP, and the laptop's is marked current
    assert {s["userAgent"] for s in sessions} == {"phone/1.0", "laptop/2.0"}
    assert all(s["ip"] == "127.0.0.1" and s["created"].endswith("Z") and s["lastUsed"] for s in sessions)
    assert [s["userAgent"] for s in sessions if s["current"]] == ["laptop/2.0"]
    # And guests may not see them, a superuser may
    assert api.get(path).status_code == 401
    assert api.get(path, headers=root).status_code == 200
    # When the laptop revokes the phone's session
    phone_sid = claims(phone["token"])["sid"]
    assert api.delete(f"{path}/{phone_sid}", headers=auth(laptop["token"])).status_code == 204
    # Then the phone's auth token and refresh token stop working at once; the laptop's keep working
    assert can_view_self(api, phone["token"], record["id"]) == 404
    assert api.post("/api/collections/users/auth-with-refresh-token",
                    json={"refreshToken": phone["refreshToken"]}).status_code == 401
    assert can_view_self(api, laptop["token"], record["id"]) == 200
    assert api.delete(f"{path}/{phone_sid}", headers=auth(laptop["token"])).status_code == 204  # idempotent
    assert api.delete(f"{path}/nope", headers=auth(laptop["token"])).status_code == 404
    # When it signs out everywhere, the laptop's own token dies too
    assert api.delete(path, headers=auth(laptop["token"])).status_code == 204
    assert can_view_self(api, laptop["token"], record["id"]) == 404
    assert api.get(path, headers=root).json() == []


def test_only_the_owner_and_superusers_manage_sessions(api: httpx.Client, root: dict[str, str]) -> None:
    # Given a signed-in user and another one
    victim_email, victim = new_user(api)
    session = sign_in(api, victim_email)
    intruder = sign_in(api, new_user(api)[0])["token"]
    path = f"/api/collections/users/records/{victim['id']}/sessions"
    # Then the other user may neither list nor end the first one's sessions
    assert api.get(path, headers=auth(intruder)).status_code == 403
    assert api.delete(path, headers=auth(intruder)).status_code == 403
    assert can_view_self(api, session["token"], victim["id"]) == 200
    # But a superuser may end them all, and the user is signed out everywhere at once
    assert api.delete(path, headers=root).status_code == 204
    assert can_view_self(api, session["token"], victim["id"]) == 404
    assert api.post("/api/collections/users/auth-with-refresh-token",
                    json={"refreshToken": session["refreshToken"]}).status_code == 401


def test_a_deleted_account_keeps_no_working_token(api: httpx.Client) -> None:
    address, record = new_user(api)
    session = sign_in(api, address)

    assert api.delete(f"/api/collections/users/records/{record['id']}", headers=auth(session["token"])
                      ).status_code == 204

    assert api.post("/api/collections/users/auth-refresh", headers=auth(session["token"])).status_code == 401
    assert api.post("/api/collections/users/auth-with-refresh-token",
                    json={"refreshToken": session["refreshToken"]}).status_code == 401


def test_a_password_change_ends_every_token_and_session(api: httpx.Client) -> None:
    # Given a user with two sessions
    address, record = new_user(api)
    one, two = sign_in(api, address), sign_in(api, address)
    # When they change their password (with the old one, as PocketBase requires)
    changed = api.patch(f"/api/collections/users/records/{record['id']}", headers=auth(one["token"]), json={
        "oldPassword": PASSWORD, "password": "Brand-New-Secret-88", "passwordConfirm": "Brand-New-Secret-88"})
    assert changed.status_code == 200, changed.text
    # Then every auth token and refresh token of the account is dead
    for session in (one, two):
        assert can_view_self(api, session["token"], record["id"]) == 404
        assert api.post("/api/collections/users/auth-with-refresh-token",
                        json={"refreshToken": session["refreshToken"]}).status_code == 401
    # And only the new password signs in
    assert api.post("/api/collections/users/auth-with-password",
                    json={"identity": address, "password": PASSWORD}).status_code == 400
    sign_in(api, address, "Brand-New-Secret-88")


# password policy -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "password", "code"), [
    ("too short", "Ab3$xyz", "validation_min_text_constraint"),
    ("top common password", "password123", "validation_password_too_common"),
    ("common, any case", "IloveYou1", "validation_password_too_common"),
    ("the app's own name", "Pocketbase2024!", "validation_password_too_guessable"),
])
def test_weak_passwords_are_refused(api: httpx.Client, name: str, password: str, code: str) -> None:
    response = api.post("/api/collections/users/records",
                        json={"email": email(), "password": password, "passwordConfirm": password})

    assert response.status_code == 400, name
    assert response.json()["data"]["password"]["code"] == code


def test_long_passwords_of_any_composition_are_accepted(api: httpx.Client) -> None:
    for password in ("x" * 4 + "correct horse battery staple", "ü" * 10 + "ñ" * 54, "lowercaseonlybutlong"):
        address, _ = new_user(api, password=password)
        sign_in(api, address, password)  # exactly as typed: no trimming, truncation or case folding


def test_the_strength_meter_returns_zxcvbns_score_and_feedback(api: httpx.Client) -> None:
    weak = api.post("/api/collections/users/password-strength", json={"password": "qwerty123"}).json()
    strong = api.post("/api/collections/users/password-strength",
                      json={"password": "velvet-otter-marching-42-lanterns"}).json()

    assert weak["score"] <= 1 and weak["feedback"]["warning"] and weak["acceptable"] is False
    assert strong["score"] == 4 and strong["acceptable"] is True and strong["errors"] == {}
    assert set(strong) == {"score", "feedback", "guessesLog10", "crackTimesDisplay", "acceptable", "errors"}


# verification, password reset, email change (mail through SES) ---------------------------------------
def test_request_endpoints_answer_204_whether_or_not_the_account_exists(api: httpx.Client,
                                                                       stack: InProcessStack) -> None:
    ghost = email("ghost")
    for action in ("request-verification", "request-password-reset"):
        response = api.post(f"/api/collections/users/{action}", json={"email": ghost})
        assert (response.status_code, response.content) == (204, b"")
    assert read_mail(stack, ghost) == []
    bad = api.post("/api/collections/users/request-password-reset", json={"email": "not-an-email"})
    assert bad.status_code == 400 and bad.json()["data"]["email"]["code"] == "validation_is_email"
    supers = api.post("/api/collections/_superusers/request-verification", json={"email": ROOT_EMAIL})
    assert supers.json()["message"] == "All superusers are verified by default."


def test_verification_mail_goes_through_ses_and_verifies(api: httpx.Client, stack: InProcessStack) -> None:
    # Given an unverified user
    address, record = new_user(api)
    token = sign_in(api, address)["token"]
    # When they ask for a verification mail, twice
    for _ in range(2):
        assert api.post("/api/collections/users/request-verification", json={"email": address}).status_code == 204
    # Then one mail (the resend guard) went to them through SES, with PocketBase's template and a token
    mails = read_mail(stack, address)
    assert len(mails) == 1 and mails[0]["kind"] == "verification"
    assert mails[0]["subject"] == "Verify your Acme email"
    assert mails[0]["messageId"] in ses_message_ids(stack)
    verification = token_in(mails[0], "confirm-verification")
    assert claims(verification)["type"] == "verification" and claims(verification)["email"] == address
    # And a verification token is no auth token
    assert can_view_self(api, verification, record["id"]) == 404
    # When the token is confirmed
    tampered = verification[:-4] + ("AAAA" if not verification.endswith("AAAA") else "BBBB")
    assert api.post("/api/collections/users/confirm-verification",
                    json={"token": tampered}).json()["data"]["token"]["code"] == "validation_invalid_token"
    assert api.post("/api/collections/users/confirm-verification", json={"token": verification}).status_code == 204
    # Then the record is verified
    assert api.get(f"/api/collections/users/records/{record['id']}", headers=auth(token)).json()["verified"] is True
    assert api.post("/api/collections/users/confirm-verification", json={"token": verification}).status_code == 204


def test_password_reset_by_mail_sets_the_password_and_ends_all_sessions(api: httpx.Client,
                                                                       stack: InProcessStack) -> None:
    # Given a signed-in user who forgot their password
    address, record = new_user(api)
    session = sign_in(api, address)
    # When they request a reset and follow the link from the mail
    assert api.post("/api/collections/users/request-password-reset", json={"email": address}).status_code == 204
    [mail] = read_mail(stack, address)
    assert mail["kind"] == "passwordReset" and mail["messageId"] in ses_message_ids(stack)
    reset = token_in(mail, "confirm-password-reset")
    assert claims(reset)["type"] == "passwordReset"
    weak = api.post("/api/collections/users/confirm-password-reset",
                    json={"token": reset, "password": "password1", "passwordConfirm": "password1"})
    assert weak.status_code == 400 and weak.json()["data"]["password"]["code"] == "validation_password_too_common"
    done = api.post("/api/collections/users/confirm-password-reset",
                    json={"token": reset, "password": "Reset-Meadow-2719", "passwordConfirm": "Reset-Meadow-2719"})
    assert done.status_code == 204, done.text
    # Then the new password works, the old one and every old token and session do not, nor the link again
    sign_in(api, address, "Reset-Meadow-2719")
    assert api.post("/api/collections/users/auth-with-password",
                    json={"identity": address, "password": PASSWORD}).status_code == 400
    assert can_view_self(api, session["token"], record["id"]) == 404
    assert api.post("/api/collections/users/auth-with-refresh-token",
                    json={"refreshToken": session["refreshToken"]}).status_code == 401
    again = api.post("/api/collections/users/confirm-password-reset",
                     json={"token": reset, "password": "Another-Pass-5521", "passwordConfirm": "Another-Pass-5521"})
    assert again.status_code == 400


def test_email_change_needs_the_new_mailbox_and_the_password(api: httpx.Client, stack: InProcessStack) -> None:
    # Given a signed-in user
    address, record = new_user(api)
    token = sign_in(api, address)["token"]
    new_address = email("moved")
    # When they request an email change
    assert api.post("/api/collections/users/request-email-change", json={"newEmail": new_address}).status_code == 401
    taken, _ = new_user(api)
    assert api.post("/api/collections/users/request-email-change", headers=auth(token),
                    json={"newEmail": taken}).json()["data"]["newEmail"]["code"] == "validation_invalid_new_email"
    assert api.post("/api/collections/users/request-email-change", headers=auth(token),
                    json={"newEmail": new_address}).status_code == 204
    # Then the link goes to the new address only
    assert read_mail(stack, address) == []
    [mail] = read_mail(stack, new_address)
    change = token_in(mail, "confirm-email-change")
    assert claims(change)["newEmail"] == new_address
    # When it is confirmed with the account password
    wrong = api.post("/api/collections/users/confirm-email-change", json={"token": change, "password": "nope-nope"})
    assert wrong.json()["data"]["password"]["code"] == "validation_invalid_password"
    assert api.post("/api/collections/users/confirm-email-change",
                    json={"token": change, "password": PASSWORD}).status_code == 204
    # Then the new address signs in, verified, and the old token is gone
    moved = sign_in(api, new_address)
    assert moved["record"]["email"] == new_address and moved["record"]["verified"] is True
    assert can_view_self(api, token, record["id"]) == 404


# impersonation ---------------------------------------------------------------------------------------
def test_superusers_impersonate_with_a_non_refreshable_token(api: httpx.Client, root: dict[str, str],
                                                             stack: InProcessStack) -> None:
    address, record = new_user(api)
    user_token = sign_in(api, address)["token"]
    path = f"/api/collections/users/impersonate/{record['id']}"

    assert api.post(path, json={"duration": 60}).status_code == 401
    assert api.post(path, headers=auth(user_token), json={"duration": 60}).status_code == 403
    assert api.post("/api/collections/users/impersonate/missing0000000", headers=root).status_code == 404
    assert api.post(path, headers=root, json={"duration": -1}).status_code == 400

    before = time.time()
    response = api.post(path, headers=root, json={"duration": 60})

    assert response.status_code == 200 and response.json()["record"]["id"] == record["id"]
    token = response.json()["token"]
    assert claims(token)["refreshable"] is False and "sid" not in claims(token)
    assert before + 55 <= claims(token)["exp"] <= time.time() + 65
    assert can_view_self(api, token, record["id"]) == 200
    refused = api.post("/api/collections/users/auth-refresh", headers=auth(token))
    assert refused.status_code == 403 and refused.json()["message"] == "The current auth token is not refreshable."
    assert "impersonation token issued" in stack.logs()


# hostile tokens --------------------------------------------------------------------------------------
def test_expired_tampered_unsigned_and_foreign_algorithm_tokens_are_rejected(api: httpx.Client,
                                                                            root: dict[str, str]) -> None:
    address, record = new_user(api)
    token = sign_in(api, address)["token"]
    header, payload, signature = token.split(".")
    short = api.post(f"/api/collections/users/impersonate/{record['id']}", headers=root, json={"duration": 1})
    hostile = {
        "alg none": forged(token, {"alg": "none", "typ": "JWT", "kid": "default"}),
        "alg none, signature kept": forged(token, {"alg": "none", "kid": "default"}, signature=signature),
        "HS512 with a guessed key": jwt.encode(claims(token), "guess" * 16, algorithm="HS512",
                                               headers={"kid": "default"}),
        "unknown kid": jwt.encode(claims(token), "guess" * 8, algorithm="HS256", headers={"kid": "nope"}),
        "tampered claims": f"{header}.{forged(token, {}, {**claims(token), 'id': 'someoneelse0000'}).split('.')[1]}"
                           f".{signature}",
        "tampered signature": f"{header}.{payload}.{signature[::-1]}",
    }
    assert can_view_self(api, token, record["id"]) == 200
    for name, bad in hostile.items():
        refreshed = api.post("/api/collections/users/auth-refresh", headers=auth(bad))
        assert refreshed.status_code == 401, name
        assert can_view_self(api, bad, record["id"]) == 404, name
    time.sleep(2.1)
    expired = short.json()["token"]
    assert api.post("/api/collections/users/auth-refresh", headers=auth(expired)).status_code == 401


# manageRule ------------------------------------------------------------------------------------------
def test_manage_rule_lets_managers_change_email_verified_and_password(api: httpx.Client,
                                                                      root: dict[str, str]) -> None:
    # Given an auth collection whose managers are the members with role "admin"
    name = f"members_{uuid.uuid4().hex[:8]}"
    created = api.post("/api/collections", headers=root, json={
        "name": name, "type": "auth", "listRule": "@request.auth.id != ''", "viewRule": "@request.auth.id != ''",
        "createRule": "", "updateRule": "@request.auth.id != ''", "deleteRule": None,
        "manageRule": "@request.auth.role = 'admin'",
        "fields": [{"name": "role", "type": "text"}]})
    assert created.status_code == 200, created.text
    admin_email, _ = new_user(api, collection=name)
    admin_id = sign_in(api, admin_email, collection=name)["record"]["id"]
    assert api.patch(f"/api/collections/{name}/records/{admin_id}", headers=root,
                     json={"role": "admin"}).status_code == 200
    admin = auth(sign_in(api, admin_email, collection=name)["token"])
    member_email, _ = new_user(api, collection=name)
    plain = auth(sign_in(api, member_email, collection=name)["token"])
    _, target = new_user(api, collection=name)
    url = f"/api/collections/{name}/records/{target['id']}"
    change = {"email": email("managed"), "verified": True, "password": "Managed-Pass-3310",
              "passwordConfirm": "Managed-Pass-3310"}
    # When a plain member tries to change another member's email, verified state and password
    refused = api.patch(url, headers=plain, json=change)
    # Then PocketBase's errors say they may not (and that an old password would be needed)
    assert refused.status_code == 400
    assert set(refused.json()["data"]) >= {"email", "verified", "oldPassword"}
    # And a plain member sees no hidden email, while a manager does
    assert "email" not in api.get(url, headers=plain).json()
    assert "email" in api.get(url, headers=admin).json()
    # When the manager does the same
    managed = api.patch(url, headers=admin, json=change)
    # Then it works without the old password
    assert managed.status_code == 200, managed.text
    assert managed.json()["verified"] is True and managed.json()["email"] == change["email"]
    sign_in(api, change["email"], "Managed-Pass-3310", collection=name)
    # And a manager may create verified members, a plain member may not
    body = {"email": email("new"), "password": PASSWORD, "passwordConfirm": PASSWORD, "verified": True}
    assert api.post(f"/api/collections/{name}/records", headers=plain, json=body).status_code == 400
    assert api.post(f"/api/collections/{name}/records", headers=admin, json=body).json()["verified"] is True
