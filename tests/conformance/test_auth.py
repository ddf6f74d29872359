"""Conformance of the auth endpoints: password sign-in, refresh, auth methods, verification and reset requests,
impersonation, and sign-up validation."""

from __future__ import annotations

import pytest

from tests.conformance.paired import GUEST, USER_PASSWORD, PairedClient
from tests.conformance.scenario import Case, cases, check
from tests.conformance.servers import SUPERUSER_PASSWORD

U = "/api/collections/users"


def signin(name: str, body: dict[str, object], collection: str = "users", differs: str | None = None) -> Case:
    return Case(name, "POST", f"/api/collections/{collection}/auth-with-password", role=GUEST, body=body,
                differs=differs)


CASES = cases(
    signin("sign in", {"identity": "alice@example.com", "password": USER_PASSWORD}),
    signin("sign in with identityField", {"identity": "alice@example.com", "password": USER_PASSWORD,
                                          "identityField": "email"}),
    signin("sign in with an unknown identityField", {"identity": "alice@example.com", "password": USER_PASSWORD,
                                                     "identityField": "name"}),
    signin("sign in with the email in other case", {"identity": "ALICE@example.com", "password": USER_PASSWORD}),
    signin("sign in with a wrong password", {"identity": "alice@example.com", "password": "wrong-password-1"}),
    signin("sign in with an unknown identity", {"identity": "nobody@example.com", "password": USER_PASSWORD}),
    signin("sign in without a password", {"identity": "alice@example.com"}),
    signin("sign in with an empty body", {}),
    signin("sign in to a base collection", {"identity": "a", "password": "b"}, collection="auth_base"),
    signin("sign in to a missing collection", {"identity": "a", "password": "b"}, collection="missing"),
    signin("superuser sign in", {"identity": "admin@example.com", "password": SUPERUSER_PASSWORD},
           collection="_superusers"),
    signin("superuser sign in with a wrong password", {"identity": "admin@example.com", "password": "nope-nope-1"},
           collection="_superusers"),
    Case("sign in with expand", "POST", U + "/auth-with-password", role=GUEST, params={"expand": "nope"},
         body={"identity": "alice@example.com", "password": USER_PASSWORD}),
    Case("sign in with a fields filter", "POST", U + "/auth-with-password", role=GUEST,
         params={"fields": "token,record.email"}, body={"identity": "alice@example.com", "password": USER_PASSWORD}),
    Case("refresh as the user", "POST", U + "/auth-refresh", role="alice"),
    Case("refresh as guest", "POST", U + "/auth-refresh", role=GUEST),
    Case("refresh a user token on another collection", "POST", "/api/collections/_superusers/auth-refresh",
         role="alice"),
    Case("refresh as superuser on users", "POST", U + "/auth-refresh"),
    Case("refresh with a garbage token", "POST", U + "/auth-refresh", role=GUEST,
         headers={"Authorization": "Bearer not-a-token"}),
    Case("auth methods of users", "GET", U + "/auth-methods", role=GUEST),
    Case("auth methods of superusers", "GET", "/api/collections/_superusers/auth-methods", role=GUEST),
    Case("auth methods of a base collection", "GET", "/api/collections/auth_base/auth-methods", role=GUEST),
    Case("auth methods of a missing collection", "GET", "/api/collections/missing/auth-methods", role=GUEST),
    Case("request verification for a known email", "POST", U + "/request-verification", role=GUEST,
         body={"email": "bob@example.com"}),
    Case("request verification for an unknown email", "POST", U + "/request-verification", role=GUEST,
         body={"email": "nobody@example.com"}),
    Case("request verification with a malformed email", "POST", U + "/request-verification", role=GUEST,
         body={"email": "nope"}),
    Case("request verification without an email", "POST", U + "/request-verification", role=GUEST, body={}),
    Case("request password reset for a known email", "POST", U + "/request-password-reset", role=GUEST,
         body={"email": "bob@example.com"}),
    Case("request password reset for an unknown email", "POST", U + "/request-password-reset", role=GUEST,
         body={"email": "nobody@example.com"}),
    Case("request password reset with a malformed email", "POST", U + "/request-password-reset", role=GUEST,
         body={"email": "x"}),
    Case("confirm verification with a bad token", "POST", U + "/confirm-verification", role=GUEST,
         body={"token": "bad"}),
    Case("confirm password reset with a bad token", "POST", U + "/confirm-password-reset", role=GUEST,
         body={"token": "bad", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD}),
    Case("request email change as guest", "POST", U + "/request-email-change", role=GUEST,
         body={"newEmail": "new@example.com"}),
    Case("request email change to a taken email", "POST", U + "/request-email-change", role="alice",
         body={"newEmail": "bob@example.com"}),
    Case("request otp while otp is disabled", "POST", U + "/request-otp", role=GUEST,
         body={"email": "alice@example.com"}),
    Case("impersonate as superuser", "POST", U + "/impersonate/${bob}", body={"duration": 60}),
    Case("impersonate as a user", "POST", U + "/impersonate/${bob}", role="alice", body={}),
    Case("impersonate a missing user", "POST", U + "/impersonate/zzzzzzzzzzzzzzz", body={}),
    Case("sign up with mismatched passwords", "POST", U + "/records", role=GUEST, body={
        "email": "carol@example.com", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD + "x"}),
    Case("sign up with a taken email", "POST", U + "/records", role=GUEST, body={
        "email": "alice@example.com", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD}),
    Case("sign up with a malformed email", "POST", U + "/records", role=GUEST, body={
        "email": "carol", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD}),
    Case("sign up without a password", "POST", U + "/records", role=GUEST, body={"email": "carol@example.com"}),
    Case("sign up with a too short password", "POST", U + "/records", role=GUEST, body={
        "email": "carol@example.com", "password": "short", "passwordConfirm": "short"}),
    Case("sign up setting verified as guest", "POST", U + "/records", role=GUEST, body={
        "email": "dave@example.com", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD,
        "verified": True}),
    Case("sign up a user", "POST", U + "/records", role=GUEST, body={
        "email": "erin@example.com", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD, "name": "Erin"}),
    Case("change password without the old one", "PATCH", U + "/records/${bob}", role="bob", body={
        "password": USER_PASSWORD + "2", "passwordConfirm": USER_PASSWORD + "2"}),
    Case("view own record", "GET", U + "/records/${alice}", role="alice"),
    Case("view a user as superuser", "GET", U + "/records/${bob}"),
    Case("list users' auth fields as superuser", "GET", U + "/records",
         params={"fields": "email,verified,emailVisibility,password,tokenKey", "sort": "email",
                 "filter": "email ~ 'alice' || email ~ 'bob'"}),
    Case("create a user as superuser without a password", "POST", U + "/records", body={"email": "np@example.com"}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> None:
    paired.create_collection({"name": "auth_base", "type": "base"})


@pytest.mark.parametrize("case", CASES)
def test_auth(paired: PairedClient, case: Case) -> None:
    # Given users alice and bob on both sides, When the same auth request goes to both, Then both answer alike
    # (Lambdabase's extra refreshToken is the one documented difference the normalizer drops)
    check(paired, case)


def test_failed_auth_rule_is_a_deliberate_400(paired: PairedClient) -> None:
    """docs/compatibility.md: a failed authRule after a correct password is 400 on Lambdabase, 403 on PocketBase."""
    # Given an auth collection that only lets verified members sign in, and an unverified member
    paired.create_collection({"name": "auth_verified_only", "type": "auth", "authRule": "verified = true"})
    paired.ok("POST", "/api/collections/auth_verified_only/records", json={
        "email": "unverified@example.com", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD})
    # When the member signs in with the right password
    pair = paired.send("POST", "/api/collections/auth_verified_only/auth-with-password", role=GUEST,
                       json={"identity": "unverified@example.com", "password": USER_PASSWORD})
    # Then PocketBase confirms the password with a 403; Lambdabase answers the wrong-password 400
    assert pair.pb.status_code == 403, pair.pb.text
    assert pair.lb.status_code == 400, pair.lb.text
    assert pair.lb.json() == {"status": 400, "message": "Failed to authenticate.", "data": {}}
    # And Lambdabase's sign-in throttle counts it as a failure too, so its delays cannot tell the password either
    statuses = [paired.lb.http.post("/api/collections/auth_verified_only/auth-with-password", json={
        "identity": "unverified@example.com", "password": USER_PASSWORD}).status_code for _ in range(6)]
    assert 429 in statuses and set(statuses) <= {400, 429}, statuses


def test_common_password_is_deliberately_refused(paired: PairedClient) -> None:
    """docs/compatibility.md: Lambdabase also refuses common passwords that PocketBase's length rule accepts."""
    # Given a common 8+ character password, and an auth collection of its own (only one side will hold the record)
    paired.create_collection({"name": "auth_policy", "type": "auth", "createRule": ""})
    body = {"email": "common@example.com", "password": "password123", "passwordConfirm": "password123"}
    # When a guest signs up with it on both sides
    pair = paired.send("POST", "/api/collections/auth_policy/records", role=GUEST, json=body)
    # Then PocketBase accepts it and Lambdabase refuses it on the password field, in PocketBase's error shape
    assert pair.pb.status_code == 200, pair.pb.text
    assert pair.lb.status_code == 400, pair.lb.text
    assert set(pair.lb.json()["data"]) == {"password"}
