"""Whether a stored realtime auth still stands: the one re-check the protocol and the fan-out both make.

A RealtimeAuth keeps what a token's validity depends on, never the token. It still stands while the token would
be accepted on HTTP (shared/auth/caller.py): not expired, its auth collection and record still there, the
record's tokenKey the one it was signed with (a password change ends it), and its session, if bound to one,
alive. An API token's auth also needs its token item: still there (not revoked), the same secret (not rotated),
the same owner and not expired; the owner it stands for then carries the token's scopes. The protocol checks
the connection's superuserIPs on top (it knows the connection's address).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shared.realtime.subscriptions import RealtimeAuth, key_hash, secret_digest

if TYPE_CHECKING:
    from shared.auth.api_tokens import ApiToken
    from shared.catalog.repository import StoredCollection
    from shared.records.context import AuthState
    from shared.records.model import StoredRecord


def standing_owner(auth: RealtimeAuth, *, now: float, find_collection: Callable[[str], StoredCollection | None],
                   load_record: Callable[[str, str], StoredRecord | None],
                   session_live: Callable[[RealtimeAuth], bool],
                   load_token: Callable[[str], ApiToken | None] = lambda _token_id: None) -> AuthState | None:
    """The auth record `auth` still stands for, or None (a guest); reads nothing once it has expired.
    `load_token` reads an API token's item by id (by default none: an API token's auth then never stands)."""
    from shared.auth.caller import token_key_of
    from shared.records.context import AuthState

    if auth.expires_at <= now:
        return None
    token = load_token(auth.token_id) if auth.token_id else None
    # a revoked, rotated, expired or re-owned API token ends the auth at its next check, as on HTTP
    if auth.token_id and (token is None or token.expired(now) or token.collection_id != auth.collection_id
                          or token.record_id != auth.record_id
                          or secret_digest(token.secret_hash) != auth.secret_digest):
        return None
    stored = find_collection(auth.collection_id)
    if stored is None or not stored.collection.is_auth:
        return None
    record = load_record(stored.collection.id, auth.record_id)
    if record is None or key_hash(token_key_of(stored.collection, record.data)) != auth.key_hash:
        return None
    if auth.session_id and not session_live(auth):
        return None
    return AuthState(record=record, collection=stored.collection, grant=token.grant() if token else None)
