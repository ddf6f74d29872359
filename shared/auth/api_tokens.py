"""API tokens: their `lb_<id>_<secret>` format, the stored model, and the scope check a request is held to.

A token is `lb_` + a 15-character id + `_` + 43 characters of base64url (256 random bits). The prefix lets
secret scanners recognise a leaked one; the id lets the server read the stored item by key, with no scan.
Scopes are `collection:action` strings, either side `*`: `posts:list`, `posts:*`, `*:view`, `*:*`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

PREFIX = "lb_"
ID_LENGTH = 15
SECRET_BYTES = 32
ACTIONS = ("list", "view", "create", "update", "delete")
READ_ACTIONS = frozenset({"list", "view"})
WILDCARD = "*"
# HTTP methods a read-only token may send to the superuser APIs.
READ_METHODS = frozenset({"GET", "HEAD"})

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_TOKEN_PATTERN = re.compile(r"lb_([a-z0-9]{15})_([A-Za-z0-9_-]{43})")


class MalformedApiTokenError(ValueError):
    """A value that starts like an API token but is not one."""


def is_api_token(token: str) -> bool:
    """Whether an Authorization value is meant as an API token (not a JWT), well-formed or not."""
    return token.startswith(PREFIX)


def new_token_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_LENGTH))


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def format_token(token_id: str, secret: str) -> str:
    return f"{PREFIX}{token_id}_{secret}"


def parse_token(token: str) -> tuple[str, str]:
    """The (id, secret) of a well-formed API token; MalformedApiTokenError otherwise."""
    match = _TOKEN_PATTERN.fullmatch(token)
    if match is None:
        raise MalformedApiTokenError("malformed API token")
    return match.group(1), match.group(2)


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    # SHA-256 without salt or stretching is right here: the secret is 256 random bits, not a guessable password.
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def key_fingerprint(token_key: str) -> str:
    """What a token keeps of its owner's tokenKey: a new tokenKey (new password or email, "sign out
    everywhere") ends the token at once, as it ends the owner's JWTs."""
    return hashlib.sha256(b"lambdabase/api-token/key\x00" + token_key.encode()).hexdigest()


def normalize_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Scopes deduplicated, in the order given; ValueError names the first one that is not `collection:action`."""
    out: list[str] = []
    for scope in scopes:
        collection, sep, action = scope.partition(":") if isinstance(scope, str) else ("", "", "")
        if not sep or not collection or (action != WILDCARD and action not in ACTIONS) or ":" in action:
            raise ValueError(f"invalid scope {scope!r}: expected collection:action, action one of "
                             f"{', '.join(ACTIONS)} or *")
        if scope not in out:
            out.append(scope)
    return tuple(out)


class ApiToken(BaseModel):
    """One stored token: only the secret's hash, its scopes, and how it was last used."""

    # Built on first use: a cold start whose caller has no API token never reads one.
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    collection_id: str
    record_id: str
    name: str
    secret_hash: str
    scopes: tuple[str, ...]
    read_only: bool = False
    created: int
    # 0: none (never stored by this version, which always sets one; kept for items written by hand)
    expires_at: int = 0
    key_hash: str
    last_used: int = 0
    last_ip: str = ""
    uses: int = 0

    def expired(self, now: float) -> bool:
        return bool(self.expires_at) and self.expires_at <= now

    def grant(self) -> ApiTokenGrant:
        return ApiTokenGrant(token_id=self.id, scopes=self.scopes, read_only=self.read_only)


class ApiTokenGrant(BaseModel):
    """What a request made with an API token may do, on top of its owner's rules."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    token_id: str
    scopes: tuple[str, ...]
    read_only: bool = False

    def allows(self, collection_id: str, collection_name: str, action: str) -> bool:
        """Whether the scopes name this collection (by id or name, or `*`) with this action (or `*`)."""
        if self.read_only and action not in READ_ACTIONS:
            return False
        for scope in self.scopes:
            collection, _, granted = scope.partition(":")
            if collection in (WILDCARD, collection_id, collection_name) and granted in (WILDCARD, action):
                return True
        return False

    def allows_admin(self, method: str) -> bool:
        """Whether a superuser's token may use the superuser APIs (collections, settings, logs, ...)."""
        # Only a token scoped to everything (`*:*`) reaches them: a narrower token reaches only its records.
        if "*:*" not in self.scopes:
            return False
        return not self.read_only or method.upper() in READ_METHODS
