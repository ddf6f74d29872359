"""Who is calling: the one authentication of every route and of the rate limiter.

A request's `Authorization` token is verified against its auth record's tokenKey, and a token bound to a
session (`sid`) only while that session is live, so revoking a session ends its tokens at once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shared.app_settings import provider
from shared.auth.api_tokens import is_api_token
from shared.auth.errors import InvalidTokenError
from shared.auth.refresh_repository import RefreshFamilyRepository
from shared.auth.tokens import IMPERSONATOR_CLAIM, SESSION_CLAIM, TokenService, TokenType
from shared.catalog.repository import CollectionRepository
from shared.collections.model import TOKEN_KEY_FIELD, Collection
from shared.errors import ForbiddenError
from shared.http.requests import is_ip_in_list
from shared.records.context import AuthState
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository

if TYPE_CHECKING:
    from shared.auth.api_tokens_repository import ApiTokenRepository

Caller = AuthState

# PocketBase's ForbiddenError(""), the same body whichever endpoint refuses the address.
SUPERUSER_IP_REFUSED = "You are not allowed to perform this request."


def refuse_superuser_ip(is_superuser: bool, ip: str, allowed: Sequence[str] | None = None) -> None:
    """Raise PocketBase's 403 for a superuser whose (real) IP is outside a non-empty `superuserIPs` (by default
    the instance's cached settings)."""
    if not is_superuser:
        return
    allowed = provider.current().superuser_ips if allowed is None else allowed
    # Checked on every use of a superuser token and before every superuser sign-in answer, as PocketBase's
    # middleware and auth response do: a stolen token or password is useless from elsewhere.
    if allowed and not is_ip_in_list(allowed, ip):
        raise ForbiddenError(SUPERUSER_IP_REFUSED)


def bearer_token(header: str | None) -> str:
    """The raw token from `Authorization`, with `Bearer ` optional as in PocketBase."""
    token = (header or "").strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    return token


def token_key_of(collection: Collection, data: dict[str, Any]) -> str:
    """The record's tokenKey, part of every token's signing key (a new one ends all its tokens)."""
    field = collection.field_by_name(TOKEN_KEY_FIELD)
    return str(data.get(field.id) or "") if field else ""


def session_of(tokens: TokenService, header: str | None) -> str | None:
    """The session id a token is bound to, if any (the token's signature is not checked here)."""
    try:
        claims = tokens.peek_claims(bearer_token(header))
    except InvalidTokenError:
        return None
    sid = (claims.model_extra or {}).get(SESSION_CLAIM)
    return sid if isinstance(sid, str) else None


def is_session_live(families: RefreshFamilyRepository, collection_id: str, record_id: str, session_id: str,
                    now: float | None = None) -> bool:
    """Whether a token bound to this session may still be used: its family exists, is the record's, is neither
    revoked nor past its absolute lifetime."""
    family = families.get(session_id)
    moment = int(now if now is not None else time.time())
    return (family is not None and family.record_id == record_id and family.collection_id == collection_id
            and not family.revoked and family.expires_at > moment)


class Authenticator:
    def __init__(self, tokens: TokenService, collections: CollectionRepository, records: RecordRepository,
                 families: RefreshFamilyRepository, api_tokens: ApiTokenRepository | None = None) -> None:
        self.tokens = tokens
        self.collections = collections
        self.records = records
        self.families = families
        # None where API tokens are not accepted (realtime): an `lb_` token there is no token
        self.api_tokens = api_tokens

    def authenticate(self, header: str | None) -> Caller | None:
        """The authenticated auth record, or None for a guest; an invalid token is treated as no token."""
        token = bearer_token(header)
        if is_api_token(token):
            from shared.auth.api_tokens_owner import api_token_owner

            if self.api_tokens is None:
                return None
            return api_token_owner(token, self.api_tokens, self.collections, self.records)
        found = self.token_owner(token, "auth") if token else None
        if found is None:
            return None
        owner, claims = found
        sid = (claims.model_extra or {}).get(SESSION_CLAIM)
        # a token bound to an ended session is no token
        if isinstance(sid, str) and not is_session_live(self.families, owner.collection.id, owner.record.id, sid):
            return None
        imp = (claims.model_extra or {}).get(IMPERSONATOR_CLAIM)
        if isinstance(imp, str):
            owner.impersonator_id = imp
        return owner

    def token_owner(self, token: str, token_type: TokenType) -> tuple[AuthState, Any] | None:
        """The auth record a valid token of this type belongs to, and its claims; None for any invalid token."""
        try:
            claims = self.tokens.peek_claims(token)
            stored = self.collections.find(claims.collection_id)
            if stored is None or not stored.collection.is_auth:
                return None
            record = self.records.get(stored.collection.id, claims.id, ReadMeter())
            if record is None:
                return None
            self.tokens.verify_token(token, token_type, token_key_of(stored.collection, record.data))
        except InvalidTokenError:
            return None
        return AuthState(record=record, collection=stored.collection), claims
