"""OAuth2's configuration on the in-process stack: the provider options validated as PocketBase, client secrets
never answered and sealed at rest, `auth-methods` with state and PKCE, the form's and the gate's errors, the
SSRF refusal of private providers, and Apple's client secret generator."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from shared import resources
from shared.aws import client
from shared.catalog.repository import CATALOG_PK
from tests.support import oauth2_world as world
from tests.support.fake_oauth2 import CLIENT_SECRET, FakeProviders
from tests.support.in_process import InProcessStack
from tests.support.oauth2_world import REDIRECT, google_profile, mail

pytestmark = pytest.mark.api

COLLECTION = "oa_options"



def methods(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return world.methods(api, COLLECTION)


def sign_in(api: httpx.Client, fake: FakeProviders, provider: str, profile: dict[str, Any], **options: Any
            ) -> httpx.Response:
    return world.sign_in(api, fake, COLLECTION, provider, profile, **options)


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
