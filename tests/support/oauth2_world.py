"""What the OAuth2 API tests share: the fake providers' configuration, the browser's round trip, and profiles."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.fake_oauth2 import CLIENT_ID, CLIENT_SECRET, FakeProviders

ROOT_EMAIL, ROOT_PASSWORD = "root@example.com", "Root-pass-1234567"
REDIRECT = "http://127.0.0.1:5173/oauth2-callback"


def superuser_headers(api: httpx.Client) -> dict[str, str]:
    response = api.post("/api/collections/_superusers/auth-with-password",
                        json={"identity": ROOT_EMAIL, "password": ROOT_PASSWORD})
    return {"Authorization": response.json()["token"]}


def providers_of(fake: FakeProviders) -> list[dict[str, Any]]:
    """GitHub, Google (with a display name) and an OpenID issuer configured by its URL, all on the fakes."""
    secret = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
    return [
        {"name": "github", **secret, "authURL": fake.url + "/github/login/oauth/authorize",
         "tokenURL": fake.url + "/github/login/oauth/access_token", "userInfoURL": fake.url + "/github/api/user"},
        {"name": "google", **secret, "displayName": "Google Workspace", "authURL": fake.url + "/google/auth",
         "tokenURL": fake.url + "/google/token", "userInfoURL": fake.url + "/google/userinfo"},
        {"name": "oidc", **secret, "extra": {"issuer": fake.issuer}},
    ]


def create_members(api: httpx.Client, root: dict[str, str], fake: FakeProviders, name: str) -> dict[str, Any]:
    """An auth collection anyone may sign up to, with the three providers and name/avatar/username mapped."""
    response = api.post("/api/collections", headers=root, json={
        "name": name, "type": "auth", "createRule": "",
        "fields": [{"name": "name", "type": "text"}, {"name": "avatar", "type": "url"},
                   {"name": "handle", "type": "text"}],
        "oauth2": {"enabled": True, "providers": providers_of(fake),
                   "mappedFields": {"name": "name", "avatarURL": "avatar", "username": "handle"}}})
    assert response.status_code == 200, response.text
    return dict(response.json())


def methods(api: httpx.Client, collection: str) -> dict[str, dict[str, Any]]:
    response = api.get(f"/api/collections/{collection}/auth-methods")
    assert response.status_code == 200, response.text
    return {p["name"]: p for p in response.json()["oauth2"]["providers"]}


def sign_in(api: httpx.Client, fake: FakeProviders, collection: str, provider: str, profile: dict[str, Any], *,
            verifier: str | None = None, redirect: str = REDIRECT, headers: dict[str, str] | None = None,
            **body: Any) -> httpx.Response:
    """The browser's round trip: auth-methods, the provider's consent (a code), then auth-with-oauth2."""
    info = methods(api, collection)[provider]
    code = fake.issue_code(provider, info["authURL"], REDIRECT, profile)
    return api.post(f"/api/collections/{collection}/auth-with-oauth2", headers=headers, json={
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
