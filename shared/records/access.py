"""Who the caller is: the Authorization header's token verified against its auth record."""

from __future__ import annotations

from typing import Any

from shared.auth.errors import InvalidTokenError
from shared.auth.tokens import TokenService
from shared.catalog.repository import CollectionRepository
from shared.collections.model import Collection
from shared.collections.records import TOKEN_KEY_FIELD
from shared.records.context import AuthState
from shared.records.model import ReadMeter
from shared.records.repository import RecordRepository


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


def authenticate(header: str | None, tokens: TokenService, collections: CollectionRepository,
                 records: RecordRepository) -> AuthState | None:
    """The authenticated auth record, or None for a guest; an invalid token is treated as no token."""
    token = bearer_token(header)
    if not token:
        return None
    try:
        claims = tokens.peek_claims(token)
        stored = collections.find(claims.collection_id)
        if stored is None or not stored.collection.is_auth:
            return None
        record = records.get(stored.collection.id, claims.id, ReadMeter())
        if record is None:
            return None
        tokens.verify_token(token, "auth", token_key_of(stored.collection, record.data))
    except InvalidTokenError:
        return None
    return AuthState(record=record, collection=stored.collection)
