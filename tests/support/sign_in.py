"""Signing users up and in over plain HTTP, for the suites that watch the auth endpoints' limits."""

from __future__ import annotations

import uuid

import httpx

PASSWORD = "Plum-Orchard-4471"


def email(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def new_user(api: httpx.Client, collection: str = "users") -> str:
    address = email()
    response = api.post(f"/api/collections/{collection}/records",
                        json={"email": address, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert response.status_code == 200, response.text
    return address


def sign_in(api: httpx.Client, identity: str, password: str = PASSWORD, collection: str = "users"
            ) -> httpx.Response:
    return api.post(f"/api/collections/{collection}/auth-with-password",
                    json={"identity": identity, "password": password})
