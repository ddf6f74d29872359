"""OAuth2 sign-in on the in-process stack against loopback fakes of GitHub, Google and an OpenID issuer:
`auth-with-oauth2` creating, finding and linking records (PocketBase's rules, its meta, avatars), and its
refusals (wrong verifier, redirect URI, replayed code, forged or misdirected id_tokens)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support import oauth2_world as world
from tests.support.fake_oauth2 import AVATAR_PNG, CLIENT_SECRET, FakeProviders
from tests.support.oauth2_world import (
    REDIRECT,
    github_profile,
    google_profile,
    mail,
    oidc_profile,
    providers_of,
)

pytestmark = pytest.mark.api

COLLECTION = "oa_members"



def methods(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return world.methods(api, COLLECTION)


def sign_in(api: httpx.Client, fake: FakeProviders, provider: str, profile: dict[str, Any], **options: Any
            ) -> httpx.Response:
    return world.sign_in(api, fake, COLLECTION, provider, profile, **options)


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


def test_oauth2_is_one_of_the_two_mfa_methods(api: httpx.Client, root: dict[str, str], fake: FakeProviders) -> None:
    # Given a collection with MFA on, password and Google sign-in, and a verified user of both
    name = f"oa_mfa_{uuid.uuid4().hex[:6]}"
    google = next(p for p in providers_of(fake) if p["name"] == "google")
    created = api.post("/api/collections", headers=root, json={
        "name": name, "type": "auth", "mfa": {"enabled": True}, "oauth2": {"enabled": True, "providers": [google]}})
    assert created.status_code == 200, created.text
    address, password = mail(), "Mfa-Orchard-55173"
    api.post(f"/api/collections/{name}/records", headers=root, json={
        "email": address, "password": password, "passwordConfirm": password, "verified": True})
    profile = google_profile(address)

    def with_google(**extra: Any) -> httpx.Response:
        return world.sign_in(api, fake, name, "google", profile, **extra)

    def with_password(**extra: Any) -> httpx.Response:
        return api.post(f"/api/collections/{name}/auth-with-password",
                        json={"identity": address, "password": password, **extra})

    # When Google signs in first, Then PocketBase's bare 401 with an mfaId, and no token
    first = with_google()
    assert first.status_code == 401 and set(first.json()) == {"mfaId"}, first.text
    # And the password with that mfaId completes the sign-in
    assert with_password(mfaId=first.json()["mfaId"]).status_code == 200
    # When the password goes first instead, Then Google with the mfaId completes it, with its meta
    done = with_google(mfaId=with_password().json()["mfaId"])
    assert done.status_code == 200, done.text
    assert done.json()["meta"]["email"] == address and done.json()["token"]
    # And Google twice is no second factor
    again = with_google(mfaId=with_google().json()["mfaId"])
    assert again.status_code == 400
    assert again.json()["message"] == "A different authentication method is required."
