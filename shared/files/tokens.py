"""File tokens (PocketBase's `type: "file"` JWT): issuing one for an auth record, and finding whose a token is.

Claims are PocketBase's (`id`, `collectionId`, `type`, `exp`), signed with the record's tokenKey, valid for the
auth collection's `fileToken.duration` (180 s by default).
"""

from __future__ import annotations

import time

from shared.auth.caller import Authenticator, Caller, token_key_of
from shared.records.context import AuthState

# The claim naming the API token a file token was issued to: its scopes go on with it.
API_TOKEN_CLAIM = "atk"


def issue_file_token(authenticator: Authenticator, caller: Caller) -> str:
    """A new file token of the caller's auth record."""
    collection = caller.collection
    extra = {API_TOKEN_CLAIM: caller.grant.token_id} if caller.grant is not None else None
    return authenticator.tokens.issue_token("file", caller.record.id, collection.id,
                                            token_key_of(collection, caller.record.data),
                                            collection.file_token.duration, extra)


def file_token_owner(authenticator: Authenticator, token: str) -> AuthState | None:
    """The auth record a valid file token belongs to; None for any invalid, expired or other-type token."""
    found = authenticator.token_owner(token, "file") if token else None
    if found is None:
        return None
    owner, claims = found
    api_token_id = (claims.model_extra or {}).get(API_TOKEN_CLAIM)
    if api_token_id is None:
        return owner
    # a file token of an API token keeps its scopes, and ends with it
    stored = authenticator.api_tokens.get(str(api_token_id)) if authenticator.api_tokens else None
    if stored is None or stored.expired(time.time()) or stored.record_id != owner.record.id:
        return None
    owner.grant = stored.grant()
    return owner
