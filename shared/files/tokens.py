"""File tokens (PocketBase's `type: "file"` JWT): issuing one for an auth record, and finding whose a token is.

Claims are PocketBase's (`id`, `collectionId`, `type`, `exp`), signed with the record's tokenKey, valid for the
auth collection's `fileToken.duration` (180 s by default).
"""

from __future__ import annotations

from shared.auth.caller import Authenticator, Caller, token_key_of
from shared.auth.errors import InvalidTokenError
from shared.records.context import AuthState
from shared.records.model import ReadMeter


def issue_file_token(authenticator: Authenticator, caller: Caller) -> str:
    """A new file token of the caller's auth record."""
    collection = caller.collection
    return authenticator.tokens.issue_token("file", caller.record.id, collection.id,
                                            token_key_of(collection, caller.record.data),
                                            collection.file_token.duration)


def file_token_owner(authenticator: Authenticator, token: str) -> AuthState | None:
    """The auth record a valid file token belongs to; None for any invalid, expired or other-type token."""
    if not token:
        return None
    try:
        claims = authenticator.tokens.peek_claims(token)
        stored = authenticator.collections.find(claims.collection_id)
        if stored is None or not stored.collection.is_auth:
            return None
        record = authenticator.records.get(stored.collection.id, claims.id, ReadMeter())
        if record is None:
            return None
        authenticator.tokens.verify_token(token, "file", token_key_of(stored.collection, record.data))
    except InvalidTokenError:
        return None
    return AuthState(record=record, collection=stored.collection)
