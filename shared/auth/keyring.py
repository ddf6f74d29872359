"""The JWT signing keyring: parsing the secret config and loading it once per cold start."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, model_validator

from shared.auth.errors import AuthConfigurationError
from shared.auth.settings import AuthSecret

DEFAULT_KID = "default"
MIN_SECRET_LENGTH = 32  # 256 bits of ASCII entropy at best; shorter keys are brute-forceable offline.
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class Keyring(BaseModel):
    """Secrets by key id; new tokens are signed with `active`, the others only verify until they age out."""

    model_config = ConfigDict(frozen=True)

    active: str
    keys: dict[str, SecretStr]

    @model_validator(mode="after")
    def _check(self) -> Keyring:
        if self.active not in self.keys:
            raise ValueError(f"active kid {self.active!r} is not among the keys")
        for kid, secret in self.keys.items():
            if not _KID.match(kid):
                raise ValueError(f"invalid kid {kid!r}")
            if len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
                raise ValueError(f"secret of kid {kid!r} is shorter than {MIN_SECRET_LENGTH} characters")
        return self

    def secret(self, kid: str) -> bytes | None:
        """The secret of one kid, or None when the kid is unknown."""
        value = self.keys.get(kid)
        return value.get_secret_value().encode() if value is not None else None

    def active_secret(self) -> bytes:
        return self.keys[self.active].get_secret_value().encode()


def parse_keyring(raw: str) -> Keyring:
    """Parse the secret config: JSON {"active", "keys"} or a plain string (one key, kid "default")."""
    text = raw.strip()
    if not text:
        raise AuthConfigurationError("auth secret is empty")
    data: Any
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise AuthConfigurationError("auth secret looks like JSON but does not parse") from exc
    else:
        data = {"active": DEFAULT_KID, "keys": {DEFAULT_KID: text}}
    try:
        return Keyring.model_validate(data)
    except ValidationError as exc:
        # Only the error types and locations are logged, never the input values (they are secrets).
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise AuthConfigurationError(f"invalid auth keyring: {problems}") from None


def load_keyring(settings: AuthSecret | None = None) -> Keyring:
    """Return the keyring from LB_AUTH_SECRET_ARN (Secrets Manager) or LB_AUTH_SECRET, cached per process."""
    settings = settings or AuthSecret()
    inline = settings.auth_secret.get_secret_value() if settings.auth_secret else None
    return _load(settings.auth_secret_arn, inline)


@lru_cache(maxsize=4)
def _load(secret_arn: str | None, inline: str | None) -> Keyring:
    if secret_arn:
        return parse_keyring(_fetch_secret(secret_arn))
    if inline:
        return parse_keyring(inline)
    raise AuthConfigurationError(
        "no JWT signing secret configured: set LB_AUTH_SECRET_ARN (Secrets Manager) or LB_AUTH_SECRET"
    )


def _fetch_secret(secret_arn: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    from shared import aws

    try:
        response = aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)
    except (ClientError, BotoCoreError) as exc:
        raise AuthConfigurationError(f"cannot read auth secret {secret_arn}: {exc}") from exc
    value = response.get("SecretString")
    if not value:
        raise AuthConfigurationError(f"auth secret {secret_arn} has no SecretString")
    return str(value)


def clear_keyring_cache() -> None:
    """Forget the loaded keyring (tests, or after a rotation without a cold start)."""
    _load.cache_clear()
