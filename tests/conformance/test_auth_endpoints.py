"""Conformance of the auth endpoints' edges: sign-in bodies, refresh, verification, password reset and email
change requests and confirmations, impersonation, OTP/OAuth2 while off, and auth-methods shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.paired import GUEST, USER_PASSWORD, PairedClient
from tests.conformance.scenario import Case, cases, check

U = "/api/collections/users"
SU = "/api/collections/_superusers"
BASE = "/api/collections/ae_base"
NOPASS = "/api/collections/ae_nopass"
MISSING = "/api/collections/missing"
ALICE = {"identity": "alice@example.com", "password": USER_PASSWORD}


def signin(name: str, body: Any, path: str = U, params: dict[str, Any] | None = None) -> Case:
    return Case(f"sign in {name}", "POST", path + "/auth-with-password", role=GUEST, body=body, params=params)


CASES = cases(
    signin("with a too long identity", {"identity": "a" * 256, "password": USER_PASSWORD}),
    signin("with a too long password", {"identity": "alice@example.com", "password": "p" * 256}),
    signin("with a numeric password", {"identity": "alice@example.com", "password": 12345678}),
    signin("with a numeric identity", {"identity": 42, "password": USER_PASSWORD}),
    signin("with a null password", {"identity": "alice@example.com", "password": None}),
    signin("with an empty identityField", {**ALICE, "identityField": ""}),
    signin("with only the token field", ALICE, params={"fields": "token"}),
    signin("with record fields", ALICE, params={"fields": "record.id,record.email,record.verified"}),
    signin("with a top-level wildcard", ALICE, params={"fields": "*"}),
    signin("with an excerpt of the name", ALICE, params={"fields": "record.name:excerpt(3,true)"}),
    signin("with a field the answer lacks", ALICE, params={"fields": "email"}),
    signin("to a collection with password auth off", {"identity": "x@example.com", "password": "y"}, NOPASS),
    signin("to a collection with password auth off, empty body", {}, NOPASS),
    Case("refresh with fields", "POST", U + "/auth-refresh", role="alice", params={"fields": "record.email"}),
    Case("refresh with expand and fields", "POST", U + "/auth-refresh", role="alice",
         params={"expand": "nope", "fields": "token,record.id"}),
    Case("refresh a user token on a base collection", "POST", BASE + "/auth-refresh", role="alice"),
    Case("refresh as guest on a base collection", "POST", BASE + "/auth-refresh", role=GUEST),
    Case("refresh on a missing collection", "POST", MISSING + "/auth-refresh", role="alice"),
    Case("refresh as guest on a missing collection", "POST", MISSING + "/auth-refresh", role=GUEST),
    Case("refresh the superuser", "POST", SU + "/auth-refresh", params={"fields": "record.email"}),
    Case("auth methods with fields", "GET", U + "/auth-methods", role=GUEST,
         params={"fields": "password,mfa.enabled,otp"}),
    Case("auth methods of a collection with password auth off", "GET", NOPASS + "/auth-methods", role=GUEST),
    Case("request verification on superusers", "POST", SU + "/request-verification", role=GUEST,
         body={"email": "admin@example.com"}),
    Case("request verification on a base collection", "POST", BASE + "/request-verification", role=GUEST,
         body={"email": "a@example.com"}),
    Case("request verification with a numeric email", "POST", U + "/request-verification", role=GUEST,
         body={"email": 5}),
    Case("confirm verification without a token", "POST", U + "/confirm-verification", role=GUEST, body={}),
    Case("confirm verification on superusers", "POST", SU + "/confirm-verification", role=GUEST,
         body={"token": "bad"}),
    Case("request password reset without an email", "POST", U + "/request-password-reset", role=GUEST, body={}),
    Case("request password reset for a superuser", "POST", SU + "/request-password-reset", role=GUEST,
         body={"email": "admin@example.com"}),
    Case("request password reset with password auth off", "POST", NOPASS + "/request-password-reset", role=GUEST,
         body={"email": "x@example.com"}),
    Case("confirm password reset without a body", "POST", U + "/confirm-password-reset", role=GUEST, body={}),
    Case("confirm password reset with mismatched passwords", "POST", U + "/confirm-password-reset", role=GUEST,
         body={"token": "bad", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD + "x"}),
    Case("confirm password reset with a short password", "POST", U + "/confirm-password-reset", role=GUEST,
         body={"token": "bad", "password": "short", "passwordConfirm": "short"}),
    Case("request email change without newEmail", "POST", U + "/request-email-change", role="alice", body={}),
    Case("request email change to a malformed email", "POST", U + "/request-email-change", role="alice",
         body={"newEmail": "nope"}),
    Case("request email change on a base collection", "POST", BASE + "/request-email-change", role="alice",
         body={"newEmail": "new@example.com"}),
    Case("request email change as superuser on users", "POST", U + "/request-email-change",
         body={"newEmail": "new@example.com"}),
    Case("request email change on a missing collection", "POST", MISSING + "/request-email-change", role=GUEST,
         body={"newEmail": "new@example.com"}),
    Case("confirm email change without a body", "POST", U + "/confirm-email-change", role=GUEST, body={}),
    Case("confirm email change with a bad token", "POST", U + "/confirm-email-change", role=GUEST,
         body={"token": "bad", "password": USER_PASSWORD}),
    Case("impersonate with fields", "POST", U + "/impersonate/${bob}", body={},
         params={"fields": "record.email"}),
    Case("impersonate with a negative duration", "POST", U + "/impersonate/${bob}", body={"duration": -1}),
    Case("impersonate on a base collection", "POST", BASE + "/impersonate/${bob}", body={}),
    Case("impersonate on a missing collection", "POST", MISSING + "/impersonate/${bob}", body={}),
    Case("impersonate on a missing collection as guest", "POST", MISSING + "/impersonate/${bob}", role=GUEST,
         body={}),
    Case("impersonate on a missing collection as a user", "POST", MISSING + "/impersonate/${bob}", role="alice",
         body={}),
    Case("request otp on a base collection", "POST", BASE + "/request-otp", role=GUEST, body={"email": "a@b.co"}),
    Case("request otp on a missing collection", "POST", MISSING + "/request-otp", role=GUEST, body={}),
    Case("request otp with a bad body while off", "POST", U + "/request-otp", role=GUEST, body={"email": 5}),
    Case("auth with otp while off", "POST", U + "/auth-with-otp", role=GUEST, body={"otpId": "x", "password": "1"}),
    Case("auth with oauth2 while off", "POST", U + "/auth-with-oauth2", role=GUEST, body={"provider": "google"}),
    Case("auth with oauth2 on a base collection", "POST", BASE + "/auth-with-oauth2", role=GUEST, body={}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    paired.create_collection({"name": "ae_base", "type": "base"})
    # password auth off; OAuth2 on (without providers) so that the collection still has a sign-in method
    paired.create_collection({"name": "ae_nopass", "type": "auth", "passwordAuth": {"enabled": False},
                              "oauth2": {"enabled": True}})
    yield


@pytest.mark.parametrize("case", CASES)
def test_auth_endpoints(paired: PairedClient, case: Case) -> None:
    # Given users alice and bob, a base collection and an auth collection without password auth, When the same
    # auth request goes to both sides, Then both answer alike
    check(paired, case)
