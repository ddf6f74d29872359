"""Record JWTs with PocketBase's claims, HS256 only, signed per key id, token type and record tokenKey."""

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Literal, get_args

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared import settings as shared_settings
from shared.auth.errors import AuthConfigurationError, InvalidTokenError
from shared.auth.keyring import Keyring, clear_keyring_cache, load_keyring
from shared.auth.settings import AuthSecret, TokenDurations
from shared.observability import logger

TokenType = Literal["auth", "verification", "passwordReset", "emailChange", "file"]
TOKEN_TYPES: tuple[str, ...] = get_args(TokenType)

ALGORITHM = "HS256"
RESERVED_CLAIMS = frozenset({"id", "type", "collectionId", "exp"})
# Claims a token of each type must carry besides the reserved ones, as PocketBase issues them.
REQUIRED_EXTRA_CLAIMS: dict[str, tuple[str, ...]] = {
    "auth": ("refreshable",),
    "verification": ("email",),
    "passwordReset": ("email",),
    "emailChange": ("email", "newEmail"),
    "file": (),
}
_KEY_CONTEXT = b"lambdabase/record-jwt/v1"

Clock = Callable[[], float]


# The claim binding an auth token to its session (refresh family): ending the session ends the token.
SESSION_CLAIM = "sid"
# The claim naming the superuser who issued an impersonation token: the audit log names both.
IMPERSONATOR_CLAIM = "imp"


class TokenClaims(BaseModel):
    """A token's claims; `kid` comes from the header and is never a claim."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    id: str
    type: TokenType
    collection_id: str = Field(alias="collectionId")
    exp: int
    refreshable: bool | None = None
    email: str | None = None
    new_email: str | None = Field(default=None, alias="newEmail")
    kid: str | None = None


def signing_key(secret: bytes, kind: str, token_key: str) -> bytes:
    """Derive the HMAC key of one token type and record.

    Like PocketBase's `tokenKey + collection secret`, a new tokenKey invalidates every token of the record,
    but derived through HMAC so that no concatenation of two inputs can collide with another pair.
    """
    message = b"\x00".join((_KEY_CONTEXT, kind.encode(), token_key.encode()))
    return hmac.new(secret, message, hashlib.sha256).digest()


def default_duration(kind: TokenType, durations: TokenDurations) -> int:
    """PocketBase's default lifetime of a token type, from settings."""
    return {
        "auth": durations.auth_token_duration_s,
        "verification": durations.verification_token_duration_s,
        "passwordReset": durations.password_reset_token_duration_s,
        "emailChange": durations.email_change_token_duration_s,
        "file": durations.file_token_duration_s,
    }[kind]


class TokenService:
    """Issue, peek at and verify record tokens with one keyring."""

    def __init__(self, keyring: Keyring, clock: Clock = time.time) -> None:
        self._keyring = keyring
        self._clock = clock

    def issue_token(self, kind: TokenType, record_id: str, collection_id: str, token_key: str,
                    duration_s: int, extra_claims: Mapping[str, Any] | None = None) -> str:
        """Sign a token of `kind` for a record with the active key.

        >>> service.issue_token("auth", "r1", "pbc_1", record_token_key, 3600, {"refreshable": True})
        """
        if kind not in TOKEN_TYPES:
            raise ValueError(f"unknown token type {kind!r}")
        if not token_key:
            raise ValueError("a record tokenKey is required to sign its tokens")
        if duration_s <= 0:
            raise ValueError("duration_s must be positive")
        extra = dict(extra_claims or {})
        if kind == "auth":
            extra.setdefault("refreshable", True)
        if clash := RESERVED_CLAIMS.intersection(extra):
            raise ValueError(f"extra claims may not override {sorted(clash)}")
        if missing := [c for c in REQUIRED_EXTRA_CLAIMS[kind] if c not in extra]:
            raise ValueError(f"{kind} tokens need the claims {missing}")
        claims = {
            "id": record_id,
            "type": kind,
            "collectionId": collection_id,
            **extra,
            "exp": int(self._clock()) + duration_s,
        }
        key = signing_key(self._keyring.active_secret(), kind, token_key)
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": self._keyring.active})

    def peek_claims(self, token: str) -> TokenClaims:
        """Read the claims and kid without verifying anything, to find the record whose tokenKey verifies it."""
        try:
            header = jwt.get_unverified_header(token)
            payload = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("malformed") from exc
        return _claims(payload, header)

    def verify_token(self, token: str, expected_type: TokenType, token_key: str) -> TokenClaims:
        """Verify signature, algorithm, kid, expiry and type with the record's tokenKey; return the claims."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("malformed") from exc
        # Pinning the algorithm before choosing a key rules out "none" and RS/HS confusion outright.
        if header.get("alg") != ALGORITHM:
            raise InvalidTokenError("unsupported_alg")
        kid = header.get("kid")
        secret = self._keyring.secret(kid) if isinstance(kid, str) else None
        if secret is None:
            raise InvalidTokenError("unknown_kid")
        if not token_key:
            raise InvalidTokenError("invalid_signature")
        try:
            payload = jwt.decode(
                token,
                signing_key(secret, expected_type, token_key),
                algorithms=[ALGORITHM],
                options={"require": ["exp", "id", "type", "collectionId"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidTokenError("expired") from exc
        except jwt.InvalidSignatureError as exc:
            # The key is derived from the type, so a token of another type also lands here.
            raise InvalidTokenError("invalid_signature") from exc
        except jwt.PyJWTError as exc:
            raise InvalidTokenError("malformed") from exc
        claims = _claims(payload, header)
        if claims.type != expected_type:
            raise InvalidTokenError("wrong_type")
        return claims


def _claims(payload: dict[str, Any], header: dict[str, Any]) -> TokenClaims:
    try:
        return TokenClaims.model_validate({**payload, "kid": header.get("kid")})
    except ValidationError as exc:
        raise InvalidTokenError("missing_claims") from exc


# How long a keyring read from Secrets Manager is trusted before it is read again, so that a rotation (a new
# active key) reaches warm instances too; an inline LB_AUTH_SECRET only changes with a deployment, a cold start.
KEYRING_MAX_AGE_S = 300.0


class ProcessTokenService:
    """The process's token service: its settings read once, its keyring on first use, then every few minutes.

    Built on the first request, never at import: no secret is fetched at init (or captured by a snapshot).
    """

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._service: TokenService | None = None
        self._loaded_at = 0.0

    def get(self) -> TokenService:
        service, now = self._service, self._clock()
        if service is not None and now - self._loaded_at < KEYRING_MAX_AGE_S:
            return service
        with self._lock:
            if self._service is not None and self._clock() - self._loaded_at < KEYRING_MAX_AGE_S:
                return self._service
            secret = shared_settings.load(AuthSecret)
            if self._service is not None and secret.auth_secret_arn:
                clear_keyring_cache()  # re-read the secret from Secrets Manager
                try:
                    self._service = TokenService(load_keyring(secret))
                except AuthConfigurationError:
                    # a failed re-read keeps the keyring that worked: tokens keep verifying until it recovers
                    logger.warning("auth secret re-read failed; keeping the loaded keyring", exc_info=True)
            elif self._service is None:
                self._service = TokenService(load_keyring(secret))
            self._loaded_at = self._clock()
            return self._service


@cache
def process_token_service() -> ProcessTokenService:
    """The one per process (per cold start): clearing this cache is a new cold start's token service."""
    return ProcessTokenService()


def get_token_service(settings: AuthSecret | None = None) -> TokenService:
    """A token service over the process-wide keyring; without `settings`, the process's, reused across requests."""
    if settings is None:
        return process_token_service().get()
    return TokenService(load_keyring(settings))
