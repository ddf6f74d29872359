"""File tokens (PocketBase's `type: "file"` JWT): issuing one for an auth record, and finding whose a token is.

Claims are PocketBase's (`id`, `collectionId`, `type`, `exp`), signed with the record's tokenKey, valid for the
auth collection's `fileToken.duration` (180 s by default).
"""

from __future__ import annotations

from shared.auth.caller import Authenticator, Caller, token_key_of
from shared.records.context import AuthState


def issue_file_token(authenticator: Authenticator, caller: Caller) -> str:
    """A new file token of the caller's auth record."""
    collection = caller.collection
    return authenticator.tokens.issue_token("file", caller.record.id, collection.id,
                                            token_key_of(collection, caller.record.data),
                                            collection.file_token.duration)


def file_token_owner(authenticator: Authenticator, token: str) -> AuthState | None:
    """The auth record a valid file token belongs to; None for any invalid, expired or other-type token."""
    found = authenticator.token_owner(token, "file") if token else None
    return found[0] if found else None
