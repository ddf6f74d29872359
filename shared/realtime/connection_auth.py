"""Who a realtime connection acts as: the `auth` command, and the re-check of that auth whenever it is used.

A token is verified exactly as on HTTP (shared/auth/caller.py): signature and tokenKey, expiry, a live session
for a token bound to one (`sid`), and `superuserIPs` for superusers, against the connection's source IP. An API
token (`lb_…`) is verified as on HTTP too (shared/auth/api_tokens_owner.py): the connection acts as its owner,
limited by its scopes. What is kept is a RealtimeAuth, never the token: it is enough to re-check, later, that
the token would still be valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.errors import ApiError, NotFoundError, UnauthorizedError
from shared.realtime.deps import RealtimeDeps
from shared.realtime.standing_auth import standing_owner
from shared.realtime.subscriptions import RealtimeAuth, key_hash, secret_digest

if TYPE_CHECKING:
    from shared.records.context import AuthState

# PocketBase's answer to a `POST /api/realtime` for a client id it does not know.
UNKNOWN_CONNECTION = "Missing or invalid client id."
# The stored expiry of an API token made without one (every token this version makes has one).
NO_EXPIRY = 2**53


def apply_auth(deps: RealtimeDeps, connection_id: str, token_or_header: str | None,
               source_ip: str) -> RealtimeAuth | None:
    """Verify a token (or an `Authorization` value) and make the connection act as its record; `""` makes it a
    guest. An invalid token raises PocketBase's 401 (a refused superuser IP its 403) and changes nothing; an
    unknown connection is PocketBase's 404 for an unknown client id."""
    if deps.store.connection(connection_id) is None:
        raise NotFoundError(UNKNOWN_CONNECTION)
    return authenticate(deps, connection_id, token_or_header, source_ip)


def authenticate(deps: RealtimeDeps, connection_id: str, token_or_header: str | None,
                 source_ip: str) -> RealtimeAuth | None:
    """`apply_auth` for a connection known to exist (the `auth` message has just read it)."""
    from shared.auth.api_tokens import is_api_token
    from shared.auth.caller import bearer_token, is_session_live, refuse_superuser_ip, token_key_of
    from shared.auth.tokens import SESSION_CLAIM

    token = bearer_token(token_or_header)
    if not token:
        deps.store.set_auth(connection_id, None)
        return None
    if is_api_token(token):
        return _authenticate_api_token(deps, connection_id, token, source_ip)
    authenticator = deps.authenticator
    found = authenticator.token_owner(token, "auth")
    if found is None:
        # On HTTP an invalid token makes a guest; here it is refused, so a client learns its refresh failed and
        # keeps the auth it had rather than silently losing what it subscribed to.
        raise UnauthorizedError()
    owner, claims = found
    sid = (claims.model_extra or {}).get(SESSION_CLAIM)
    session_id = sid if isinstance(sid, str) else None
    if session_id and not is_session_live(authenticator.families, owner.collection.id, owner.record.id, session_id,
                                          now=deps.clock()):
        raise UnauthorizedError()
    refuse_superuser_ip(owner.is_superuser, source_ip)
    auth = RealtimeAuth(collection_id=owner.collection.id, record_id=owner.record.id, expires_at=claims.exp,
                        key_hash=key_hash(token_key_of(owner.collection, owner.record.data)), session_id=session_id)
    deps.store.set_auth(connection_id, auth)
    return auth


def _authenticate_api_token(deps: RealtimeDeps, connection_id: str, token: str, source_ip: str) -> RealtimeAuth:
    from shared.auth.api_tokens_owner import api_token_and_owner
    from shared.auth.api_tokens_usage import usage_over
    from shared.auth.caller import refuse_superuser_ip, token_key_of

    authenticator = deps.authenticator
    repository = authenticator.api_tokens
    found = None if repository is None else api_token_and_owner(
        token, repository, authenticator.collections, authenticator.records, now=deps.clock())
    if repository is None or found is None:
        raise UnauthorizedError()  # as a JWT: refused, the previous auth kept
    stored, owner = found
    refuse_superuser_ip(owner.is_superuser, source_ip)
    # the token's id and a digest of its stored hash, never the secret: enough to see a revocation or rotation
    auth = RealtimeAuth(collection_id=owner.collection.id, record_id=owner.record.id,
                        expires_at=stored.expires_at or NO_EXPIRY,
                        key_hash=key_hash(token_key_of(owner.collection, owner.record.data)),
                        token_id=stored.id, secret_digest=secret_digest(stored.secret_hash))
    deps.store.set_auth(connection_id, auth)
    usage_over(repository).touch(stored.id, source_ip)  # an `auth` is one use; the events it gets are not
    return auth


def auth_state(deps: RealtimeDeps, auth: RealtimeAuth | None, source_ip: str) -> AuthState | None:
    """The auth record a stored auth still stands for (shared/realtime/standing_auth.py), or None (a guest); a
    superuser's also only while the connection's IP is still allowed. An API token's auth that no longer stands
    (revoked, rotated, expired) raises PocketBase's 401."""
    if auth is None:
        return None
    from shared.auth.caller import is_session_live, refuse_superuser_ip
    from shared.records.model import ReadMeter

    authenticator = deps.authenticator
    owner = standing_owner(
        auth, now=deps.clock(), find_collection=deps.collections.find,
        load_record=lambda collection_id, record_id: authenticator.records.get(collection_id, record_id, ReadMeter()),
        session_live=lambda a: is_session_live(authenticator.families, a.collection_id, a.record_id,
                                               a.session_id or "", now=deps.clock()),
        load_token=authenticator.api_tokens.get if authenticator.api_tokens is not None else lambda _id: None)
    if owner is None and auth.token_id:
        # an ended API token is a 401 as on HTTP, never a guest: its connection must authenticate again
        raise UnauthorizedError()
    if owner is None:
        return None
    try:
        refuse_superuser_ip(owner.is_superuser, source_ip)
    except ApiError:
        return None
    return owner


def auth_json(auth: RealtimeAuth | None) -> dict[str, Any] | None:
    """How a connection's auth is shown to clients (acks, publish `from`, presence members): ids only."""
    return {"collectionId": auth.collection_id, "recordId": auth.record_id} if auth else None
