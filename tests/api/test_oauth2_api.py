"""OAuth2 sign-in on the in-process stack against loopback fakes of GitHub, Google and an OpenID issuer: the
provider options, `auth-methods`, then `auth-with-oauth2` creating, finding and linking records, and its
refusals (wrong verifier, redirect URI, replayed code, forged or misdirected id_tokens)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from shared import resources
from shared.aws import client
from shared.catalog.repository import CATALOG_PK
from tests.support.fake_oauth2 import AVATAR_PNG, CLIENT_ID, CLIENT_SECRET, FakeProviders
from tests.support.in_process import InProcessStack

pytestmark = pytest.mark.api

ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Root-pass-1234567"
REDIRECT = "http://127.0.0.1:5173/oauth2-callback"
COLLECTION = "oa_members"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProviders]:
    providers = FakeProviders().start()
    yield providers
    providers.stop()


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> httpx.Client:
    # The fakes listen on loopback, which the local stack's LB_OAUTH2_ALLOW_LOOPBACK lets provider calls reach.
    assert os.environ.get("LB_OAUTH2_ALLOW_LOOPBACK") == "true"
    return stack.client()


@pytest.fixture(scope="module")
def root(api: httpx.Client) -> dict[str, str]:
    response = api.post("/api/collections/_superusers/auth-with-password",
                        json={"identity": ROOT_EMAIL, "password": ROOT_PASSWORD})
    return {"Authorization": response.json()["token"]}


def providers_of(fake: FakeProviders) -> list[dict[str, Any]]:
    secret = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
    return [
        {"name": "github", **secret, "authURL": fake.url + "/github/login/oauth/authorize",
         "tokenURL": fake.url + "/github/login/oauth/access_token", "userInfoURL": fake.url + "/github/api/user"},
        {"name": "google", **secret, "displayName": "Google Workspace", "authURL": fake.url + "/google/auth",
         "tokenURL": fake.url + "/google/token", "userInfoURL": fake.url + "/google/userinfo"},
        {"name": "oidc", **secret, "extra": {"issuer": fake.issuer}},
    ]


@pytest.fixture(scope="module")
def members(api: httpx.Client, root: dict[str, str], fake: FakeProviders) -> dict[str, Any]:
    response = api.post("/api/collections", headers=root, json={
        "name": COLLECTION, "type": "auth", "createRule": "",
        "fields": [{"name": "name", "type": "text"}, {"name": "avatar", "type": "url"},
                   {"name": "handle", "type": "text"}],
        "oauth2": {"enabled": True, "providers": providers_of(fake),
                   "mappedFields": {"name": "name", "avatarURL": "avatar", "username": "handle"}}})
    assert response.status_code == 200, response.text
    return dict(response.json())


def methods(api: httpx.Client) -> dict[str, dict[str, Any]]:
    response = api.get(f"/api/collections/{COLLECTION}/auth-methods")
    assert response.status_code == 200, response.text
    return {p["name"]: p for p in response.json()["oauth2"]["providers"]}


def sign_in(api: httpx.Client, fake: FakeProviders, provider: str, profile: dict[str, Any], *,
            verifier: str | None = None, redirect: str = REDIRECT, headers: dict[str, str] | None = None,
            **body: Any) -> httpx.Response:
    """The browser's round trip: auth-methods, the provider's consent (a code), then auth-with-oauth2."""
    info = methods(api)[provider]
    code = fake.issue_code(provider, info["authURL"], REDIRECT, profile)
    return api.post(f"/api/collections/{COLLECTION}/auth-with-oauth2", headers=headers, json={
        "provider": provider, "code": code, "codeVerifier": verifier or info["codeVerifier"],
        "redirectURL": redirect, **body})


def github_profile(login: str) -> dict[str, Any]:
    return {"login": login, "id": int(uuid.uuid4().int % 10**9), "avatar_url": f"https://avatars.example/{login}",
            "name": login.title(), "email": None, "type": "User"}


def google_profile(email: str, verified: bool = True) -> dict[str, Any]:
    return {"sub": uuid.uuid4().hex, "name": "Gia Google", "given_name": "Gia", "picture": "https://lh3.example/p",
            "email": email, "email_verified": verified, "locale": "en"}


def oidc_profile() -> dict[str, Any]:
    return {"sub": uuid.uuid4().hex, "email": mail(), "email_verified": True}


def mail() -> str:
    return f"o-{uuid.uuid4().hex[:10]}@example.com"


# options ---------------------------------------------------------------------------------------------------
def test_client_secrets_are_never_answered(api: httpx.Client, root: dict[str, str], members: dict[str, Any]) -> None:
    # Given a collection with three providers, When a superuser reads it
    collection = api.get(f"/api/collections/{COLLECTION}", headers=root).json()
    # Then every provider is there, without its client secret, as PocketBase answers
    assert [p["name"] for p in collection["oauth2"]["providers"]] == ["github", "google", "oidc"]
    assert all("clientSecret" not in p for p in collection["oauth2"]["providers"])
    assert CLIENT_SECRET not in str(members)


def test_client_secrets_are_sealed_at_rest(members: dict[str, Any]) -> None:
    # Given the saved collection, When its stored item is read straight from the system table
    item = client("dynamodb").get_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                       Key={"pk": {"S": CATALOG_PK}, "sk": {"S": members["id"]}})["Item"]
    stored = json.loads(item["doc"]["S"])["collection"]["oauth2"]["providers"]
    # Then no client secret is there in clear: each is a KMS ciphertext
    assert CLIENT_SECRET not in item["doc"]["S"]
    assert all(p["clientSecret"].startswith("kms:") for p in stored)


def test_provider_options_are_validated_as_pocketbase(api: httpx.Client, root: dict[str, str]) -> None:
    # Given providers with an unknown name, missing credentials and a bad URL, When the collection is saved
    response = api.post("/api/collections", headers=root, json={
        "name": f"oa_bad_{uuid.uuid4().hex[:6]}", "type": "auth", "oauth2": {"enabled": True, "providers": [
            {"name": "nope"}, {"name": "github", "clientId": "x", "clientSecret": "y", "authURL": "not a url"}]}})
    # Then PocketBase's errors, per provider index
    assert response.status_code == 400
    assert response.json()["data"]["oauth2"]["providers"] == {
        "0": {"clientId": {"code": "validation_required", "message": "Cannot be blank."},
              "clientSecret": {"code": "validation_required", "message": "Cannot be blank."},
              "name": {"code": "validation_missing_provider", "message": "Invalid or missing provider with name nope.",
                       "params": {"name": "nope"}}},
        "1": {"authURL": {"code": "validation_is_url", "message": "Must be a valid URL."}}}


def test_resubmitted_provider_keeps_its_secret(api: httpx.Client, root: dict[str, str], fake: FakeProviders,
                                               members: dict[str, Any]) -> None:
    # Given the providers as the API answered them (no secrets), When they are saved back unchanged
    listed = api.get(f"/api/collections/{COLLECTION}", headers=root).json()["oauth2"]
    response = api.patch(f"/api/collections/{COLLECTION}", headers=root, json={"oauth2": listed})
    assert response.status_code == 200, response.text
    # Then the stored secrets still sign in
    assert sign_in(api, fake, "google", google_profile(mail())).status_code == 200


# auth-methods ----------------------------------------------------------------------------------------------
def test_auth_methods_lists_each_provider_with_pkce(api: httpx.Client, fake: FakeProviders,
                                                    members: dict[str, Any]) -> None:
    # When a guest asks for the methods
    first, second = methods(api), methods(api)
    # Then each provider, with PocketBase's fields, a fresh state and an S256 pair that matches
    github = first["github"]
    assert set(github) == {"name", "displayName", "logo", "state", "authURL", "authUrl", "codeVerifier",
                           "codeChallenge", "codeChallengeMethod"}
    assert github["displayName"] == "GitHub" and first["google"]["displayName"] == "Google Workspace"
    assert first["oidc"]["displayName"] == "OIDC" and github["logo"].startswith("<svg")
    assert github["state"] != second["github"]["state"] and len(github["state"]) == 30
    assert github["codeChallengeMethod"] == "S256" and len(github["codeVerifier"]) == 43
    # the URL: the provider's, parameters sorted, scope and challenge, an empty redirect_uri to complete
    url = github["authURL"]
    assert url.startswith(fake.url + "/github/login/oauth/authorize?client_id=lb-client&code_challenge=")
    assert url.endswith(f"&state={github['state']}&redirect_uri=") and "scope=read%3Auser+user%3Aemail" in url
    # the OpenID one came from the issuer's discovery document, and carries a nonce
    oidc = parse_qs(urlsplit(first["oidc"]["authURL"]).query)
    assert first["oidc"]["authURL"].startswith(fake.issuer + "/auth?") and oidc["nonce"][0]


# sign-in ---------------------------------------------------------------------------------------------------
def test_github_creates_a_verified_record_with_the_mapped_fields(api: httpx.Client, fake: FakeProviders,
                                                                 members: dict[str, Any]) -> None:
    # Given a GitHub account whose primary email GitHub verified
    address, profile = mail(), github_profile("octo" + uuid.uuid4().hex[:6])
    fake.emails[:] = [{"email": "old@example.com", "primary": False, "verified": True},
                      {"email": address, "primary": True, "verified": True, "visibility": "private"}]
    # When it signs in for the first time
    response = sign_in(api, fake, "github", profile)
    # Then a new record, verified, with the mapped fields, and PocketBase's meta
    assert response.status_code == 200, response.text
    body = response.json()
    record, meta = body["record"], body["meta"]
    assert record["email"] == address and record["verified"] is True
    assert (record["name"], record["avatar"], record["handle"]) == (profile["name"], profile["avatar_url"],
                                                                    profile["login"])
    assert meta["isNew"] is True and meta["id"] == str(profile["id"]) and meta["email"] == address
    assert meta["rawUser"] == profile and meta["accessToken"] and meta["avatarUrl"] == profile["avatar_url"]
    assert list(meta) == ["accessToken", "avatarURL", "avatarUrl", "email", "expiry", "id", "isNew", "name",
                          "rawUser", "refreshToken", "username"]  # PocketBase's (in no set order)
    assert body["token"] and body["refreshToken"]
    # the token exchange sent GitHub its credentials in the body, with the verifier and the exact redirect URI
    sent = fake.token_requests[-1]
    assert sent["client_secret"] == CLIENT_SECRET and sent["redirect_uri"] == REDIRECT and sent["code_verifier"]
    # And When the same account signs in again, Then the same record (found by its link), not new
    again = sign_in(api, fake, "github", profile)
    assert again.status_code == 200 and again.json()["record"]["id"] == record["id"]
    assert again.json()["meta"]["isNew"] is False


def test_google_links_an_existing_record_by_verified_email(api: httpx.Client, root: dict[str, str],
                                                           fake: FakeProviders, members: dict[str, Any]) -> None:
    # Given an unverified record with a password someone chose
    address, password = mail(), "Pre-created-pass-991"
    created = api.post(f"/api/collections/{COLLECTION}/records", json={
        "email": address, "password": password, "passwordConfirm": password}).json()
    # When the Google account with that verified email signs in
    response = sign_in(api, fake, "google", google_profile(address))
    # Then it is that record, now verified, and its old password no longer signs in (pre-hijacking defence)
    assert response.status_code == 200, response.text
    assert response.json()["record"]["id"] == created["id"] and response.json()["record"]["verified"] is True
    assert response.json()["meta"]["isNew"] is False
    old = api.post(f"/api/collections/{COLLECTION}/auth-with-password",
                   json={"identity": address, "password": password})
    assert old.status_code == 400
    # And the link is one `_externalAuths` row
    links = api.get("/api/collections/_externalAuths/records", headers=root,
                    params={"filter": f"recordRef = '{created['id']}'"}).json()["items"]
    assert [(link["provider"], link["collectionRef"]) for link in links] == [("google", members["id"])]


def test_unverified_provider_email_never_links(api: httpx.Client, fake: FakeProviders,
                                              members: dict[str, Any]) -> None:
    # Given a record, and a Google account claiming its email without Google having verified it
    address = mail()
    api.post(f"/api/collections/{COLLECTION}/records", json={
        "email": address, "password": "Someone-else-1234", "passwordConfirm": "Someone-else-1234"})
    # When it signs in, Then it is not that record: a new one would have no email, which the field requires
    response = sign_in(api, fake, "google", google_profile(address, verified=False))
    assert response.status_code == 400
    assert response.json()["data"] == {"email": {"code": "validation_required", "message": "Cannot be blank."}}
    # And with createData naming another address, a new record, unverified (not the provider's email)
    other = mail()
    response = sign_in(api, fake, "google", google_profile(address, verified=False), createData={"email": other})
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["isNew"] is True
    assert (response.json()["record"]["email"], response.json()["record"]["verified"]) == (other, False)


def test_a_deleted_record_leaves_no_link_behind(api: httpx.Client, root: dict[str, str], fake: FakeProviders,
                                                members: dict[str, Any]) -> None:
    # Given an account signed up with Google, whose record a superuser then deletes
    profile = google_profile(mail())
    first = sign_in(api, fake, "google", profile).json()["record"]
    assert api.delete(f"/api/collections/{COLLECTION}/records/{first['id']}", headers=root).status_code == 204
    # When the same Google account signs in again
    again = sign_in(api, fake, "google", profile)
    # Then it gets a new record rather than a dead end
    assert again.status_code == 200, again.text
    assert again.json()["meta"]["isNew"] is True and again.json()["record"]["id"] != first["id"]


def test_avatar_is_downloaded_into_a_file_field(api: httpx.Client, root: dict[str, str], fake: FakeProviders,
                                               members: dict[str, Any]) -> None:
    # Given a collection whose mapped avatar field is a file field (as the default `users` collection's)
    name = f"oa_pics_{uuid.uuid4().hex[:6]}"
    google = next(p for p in providers_of(fake) if p["name"] == "google")
    created = api.post("/api/collections", headers=root, json={
        "name": name, "type": "auth", "createRule": "",
        "fields": [{"name": "avatar", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png", "image/jpeg"]}],
        "oauth2": {"enabled": True, "providers": [google], "mappedFields": {"avatarURL": "avatar"}}})
    assert created.status_code == 200, created.text
    # When a Google account whose picture is a PNG signs up
    info = {p["name"]: p for p in api.get(f"/api/collections/{name}/auth-methods").json()["oauth2"]["providers"]}
    code = fake.issue_code("google", info["google"]["authURL"], REDIRECT,
                           {**google_profile(mail()), "picture": fake.url + "/avatar.png"})
    response = api.post(f"/api/collections/{name}/auth-with-oauth2", json={
        "provider": "google", "code": code, "codeVerifier": info["google"]["codeVerifier"], "redirectURL": REDIRECT})
    # Then the record holds the picture as its own file, served back byte for byte
    assert response.status_code == 200, response.text
    record = response.json()["record"]
    assert record["avatar"].startswith("avatar") and record["avatar"].endswith(".png")
    served = api.get(f"/api/files/{name}/{record['id']}/{record['avatar']}")
    assert served.status_code == 200 and served.content == AVATAR_PNG


def test_signed_in_caller_links_the_provider_to_itself(api: httpx.Client, fake: FakeProviders,
                                                       members: dict[str, Any]) -> None:
    # Given a signed-in, verified record
    first = sign_in(api, fake, "google", google_profile(mail())).json()
    # When it signs in with GitHub (an account without a verified email) while sending its token
    fake.emails[:] = []
    response = sign_in(api, fake, "github", github_profile("link" + uuid.uuid4().hex[:6]),
                       headers={"Authorization": first["token"]})
    # Then GitHub is linked to the same record
    assert response.status_code == 200, response.text
    assert response.json()["record"]["id"] == first["record"]["id"] and response.json()["meta"]["isNew"] is False


def test_oidc_verifies_the_id_token_and_checks_the_user_info(api: httpx.Client, fake: FakeProviders,
                                                             members: dict[str, Any]) -> None:
    # Given an OpenID account, When it signs in through the issuer (discovery, JWKS, signed id_token)
    profile = {"sub": uuid.uuid4().hex, "email": mail(), "email_verified": True, "name": "Olive",
               "preferred_username": "olive"}
    response = sign_in(api, fake, "oidc", profile)
    # Then a new verified record
    assert response.status_code == 200, response.text
    assert response.json()["record"]["verified"] is True and response.json()["meta"]["username"] == "olive"


def test_rotated_issuer_key_is_fetched_by_its_kid(api: httpx.Client, fake: FakeProviders,
                                                  members: dict[str, Any]) -> None:
    # Given the issuer's key set already cached, When the issuer rotates to a new key
    assert sign_in(api, fake, "oidc", oidc_profile()).status_code == 200
    fake.rotate()
    # Then a token signed with the new key still verifies (the set is refetched for the unknown kid)
    assert sign_in(api, fake, "oidc", oidc_profile()).status_code == 200


@pytest.mark.parametrize("tamper", ["other-key", "hs256", "none", "es256-as-rsa-kid", "wrong-aud", "wrong-nonce",
                                    "expired"])
def test_untrusted_id_token_is_refused(api: httpx.Client, fake: FakeProviders, members: dict[str, Any],
                                       tamper: str) -> None:
    # Given an issuer handing out an id_token that is forged, for another client, another flow, or expired
    fake.tamper = tamper
    try:
        response = sign_in(api, fake, "oidc", {"sub": uuid.uuid4().hex, "email": mail(), "email_verified": True})
    finally:
        fake.tamper = ""
    # Then PocketBase's 400, and no record
    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": "Failed to fetch OAuth2 user.", "data": {}}


@pytest.mark.parametrize("tamper", ["es256", "no-nonce"])
def test_trusted_id_token_variants_verify(api: httpx.Client, fake: FakeProviders, members: dict[str, Any],
                                         tamper: str) -> None:
    # Given an ES256 token (its P-256 key), or one without a nonce (answering a request that sent none)
    fake.tamper = tamper
    try:
        # Then it verifies: PKCE binds the code to this flow either way
        assert sign_in(api, fake, "oidc", oidc_profile()).status_code == 200
    finally:
        fake.tamper = ""


@pytest.mark.parametrize("case", ["wrong verifier", "other redirect URI", "replayed code"])
def test_code_exchange_refusals(api: httpx.Client, fake: FakeProviders, members: dict[str, Any], case: str) -> None:
    profile = google_profile(mail())
    if case == "replayed code":
        info = methods(api)["google"]
        code = fake.issue_code("google", info["authURL"], REDIRECT, profile)
        body = {"provider": "google", "code": code, "codeVerifier": info["codeVerifier"], "redirectURL": REDIRECT}
        assert api.post(f"/api/collections/{COLLECTION}/auth-with-oauth2", json=body).status_code == 200
        response = api.post(f"/api/collections/{COLLECTION}/auth-with-oauth2", json=body)
    elif case == "wrong verifier":
        response = sign_in(api, fake, "google", profile, verifier="x" * 43)
    else:
        response = sign_in(api, fake, "google", profile, redirect="http://127.0.0.1:5173/elsewhere")
    assert response.status_code == 400
    assert response.json() == {"status": 400, "message": "Failed to fetch OAuth2 token.", "data": {}}


@pytest.mark.parametrize(("body", "data"), [
    ({}, {"provider": "validation_required", "code": "validation_required"}),
    ({"provider": "discord", "code": "c"}, {"provider": "validation_invalid_provider"}),
])
def test_form_errors(api: httpx.Client, members: dict[str, Any], body: dict[str, Any], data: dict[str, str]) -> None:
    response = api.post(f"/api/collections/{COLLECTION}/auth-with-oauth2", json=body)
    assert response.status_code == 400
    assert response.json()["message"] == "An error occurred while loading the submitted data."
    assert {k: v["code"] for k, v in response.json()["data"].items()} == data


def test_not_a_string_is_a_load_error(api: httpx.Client, members: dict[str, Any]) -> None:
    response = api.post(f"/api/collections/{COLLECTION}/auth-with-oauth2", json={"provider": 1, "code": "c"})
    assert response.json() == {"status": 400, "message": "An error occurred while loading the submitted data.",
                               "data": {}}


def test_disabled_oauth2_is_403(api: httpx.Client) -> None:
    response = api.post("/api/collections/users/auth-with-oauth2", json={"provider": "github", "code": "c"})
    assert response.status_code == 403
    assert response.json()["message"] == "The collection is not configured to allow OAuth2 authentication."


def test_unreachable_private_provider_is_refused(api: httpx.Client, root: dict[str, str],
                                                 stack: InProcessStack, fake: FakeProviders,
                                                 members: dict[str, Any]) -> None:
    # Given the deployment default (no loopback), When a sign-in would call the provider on 127.0.0.1
    with stack.configured(LB_OAUTH2_ALLOW_LOOPBACK="false"):
        client = stack.client()
        info = client.get(f"/api/collections/{COLLECTION}/auth-methods").json()["oauth2"]["providers"]
        google = next(p for p in info if p["name"] == "google")
        code = fake.issue_code("google", google["authURL"], REDIRECT, google_profile(mail()))
        response = client.post(f"/api/collections/{COLLECTION}/auth-with-oauth2", json={
            "provider": "google", "code": code, "codeVerifier": google["codeVerifier"], "redirectURL": REDIRECT})
    # Then the call is never made, and the code is still unused
    assert response.status_code == 400 and response.json()["message"] == "Failed to fetch OAuth2 token."
    assert fake.grants[code].used is False


def test_apple_client_secret_is_made_for_superusers_only(api: httpx.Client, root: dict[str, str]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    body = {"clientId": "com.example.web", "teamId": "TEAM123456", "keyId": "KEY1234567", "privateKey": pem,
            "duration": 86400}
    path = "/api/settings/apple/generate-client-secret"
    # Given a guest, Then 401; Given the superuser, Then the JWT (routed to the auth function, not settings)
    assert api.post(path, json=body).status_code == 401
    response = api.post(path, json=body, headers=root)
    assert response.status_code == 200, response.text
    assert jwt.get_unverified_header(response.json()["secret"]) == {"alg": "ES256", "kid": "KEY1234567",
                                                                    "typ": "JWT"}
