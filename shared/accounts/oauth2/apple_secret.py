"""PocketBase's `POST /api/settings/apple/generate-client-secret`: Sign in with Apple's client secret, an ES256 JWT
signed with the team's private key, made for a superuser to paste into the provider's `clientSecret`.

The private key is used for this one signature and never stored: only the JWT (sealed at rest) is kept.
"""

from __future__ import annotations

import re
import time
from typing import Any

import jwt

from shared.errors import BadRequestError, field_error

APPLE_AUDIENCE = "https://appleid.apple.com"
MAX_DURATION_S = 15_777_000  # about six months, Apple's limit
_PRIVATE_KEY = re.compile(r"-----BEGIN PRIVATE KEY----[\s\S]+-----END PRIVATE KEY-----", re.MULTILINE)
INVALID = "Invalid client secret data."
LOAD_FAILED = "An error occurred while loading the submitted data."


def apple_client_secret(body: dict[str, Any], now: int | None = None) -> str:
    """The client secret JWT; PocketBase's 400s for a body that does not bind or validate."""
    texts = {name: body.get(name) for name in ("clientId", "teamId", "keyId", "privateKey")}
    duration = body.get("duration")
    if any(v is not None and not isinstance(v, str) for v in texts.values()) or \
            (duration is not None and (not isinstance(duration, int) or isinstance(duration, bool))):
        raise BadRequestError(LOAD_FAILED)
    client_id, team_id, key_id, private_key = (str(texts[k] or "") for k in ("clientId", "teamId", "keyId",
                                                                             "privateKey"))
    seconds = int(duration or 0)
    errors: dict[str, Any] = {}
    if not client_id:
        errors["clientId"] = _required()
    for name, value in (("teamId", team_id), ("keyId", key_id)):
        if not value:
            errors[name] = _required()
        elif len(value) != 10:
            errors[name] = {**field_error("validation_length_invalid", "The length must be exactly 10."),
                            "params": {"max": 10, "min": 10}}
    if not private_key:
        errors["privateKey"] = _required()
    elif not _PRIVATE_KEY.search(private_key):
        errors["privateKey"] = field_error("validation_match_invalid", "Must be in a valid format.")
    if not seconds:
        errors["duration"] = _required()
    elif seconds < 1:
        errors["duration"] = {**field_error("validation_min_greater_equal_than_required", "Must be no less than 1."),
                              "params": {"threshold": 1}}
    elif seconds > MAX_DURATION_S:
        errors["duration"] = {**field_error("validation_max_less_equal_than_required",
                                            f"Must be no greater than {MAX_DURATION_S}."),
                              "params": {"threshold": MAX_DURATION_S}}
    if errors:
        raise BadRequestError(INVALID, dict(sorted(errors.items())))
    issued = int(time.time()) if now is None else now
    try:
        return jwt.encode({"aud": [APPLE_AUDIENCE], "sub": client_id, "iss": team_id, "iat": issued,
                           "exp": issued + seconds}, private_key.strip(), algorithm="ES256",
                          headers={"kid": key_id})
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        # the key's own text is never echoed back, only why it did not load
        raise BadRequestError(f"Failed to generate client secret. Raw error: \n{type(exc).__name__}: "
                              "the key must be a PEM encoded PKCS8 EC key.") from exc


def _required() -> dict[str, str]:
    return field_error("validation_required", "Cannot be blank.")
