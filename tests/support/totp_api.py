"""What the TOTP API suites share: a signed-in user, the routes, codes of the current steps, an enrolled factor."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pyotp

PASSWORD = "Plum-Orchard-4471"
INVALID = {"status": 400, "message": "Invalid or expired code.",
           "data": {"code": {"code": "validation_invalid_code", "message": "Invalid or expired code."}}}


def new_user(api: httpx.Client) -> tuple[str, str, dict[str, str]]:
    """A signed-in user: (email, record id, auth headers)."""
    address = f"t-{uuid.uuid4().hex[:10]}@example.com"
    created = api.post("/api/collections/users/records",
                       json={"email": address, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert created.status_code == 200, created.text
    signed = api.post("/api/collections/users/auth-with-password", json={"identity": address, "password": PASSWORD})
    return address, created.json()["id"], {"Authorization": signed.json()["token"]}


def path(record_id: str, action: str = "") -> str:
    return f"/api/collections/users/records/{record_id}/totp" + (f"/{action}" if action else "")


def code(secret: str, steps: int = 0) -> str:
    """The code of the step `steps` away from now (within the server's ±1 window for -1, 0 and 1)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def wrong_code(secret: str) -> str:
    """A well-formed code no step of the window accepts."""
    valid = {code(secret, s) for s in (-2, -1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(1_000_000)) if c not in valid)


def away_from_step_edge() -> None:
    """Codes computed here are checked a moment later by the server: not across a step boundary."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)


def enrolled(api: httpx.Client, record_id: str, headers: dict[str, str]) -> tuple[str, list[str]]:
    """Enrol and confirm with the previous step's code; (secret, recovery codes). The current and next steps'
    codes stay usable: only a step later than the last accepted one passes."""
    away_from_step_edge()
    secret = api.post(path(record_id, "enroll"), headers=headers).json()["secret"]
    confirmed = api.post(path(record_id, "confirm"), json={"code": code(secret, -1)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recoveryCodes"]


def status(api: httpx.Client, record_id: str, headers: dict[str, str]) -> dict[str, Any]:
    response = api.get(path(record_id), headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())
