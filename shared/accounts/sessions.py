"""Signed-in sessions (refresh-token families): list and revoke them, and bind auth tokens to them.

An auth token issued with a session carries its id in the `sid` claim. Such a token is accepted only while
its family is live, so revoking a session (or all of them) ends its access tokens at once, not at their expiry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.accounts.auth_records import new_token_key, require_auth, system_update
from shared.accounts.collaborators import Accounts
from shared.auth.caller import session_of
from shared.auth.refresh_models import RefreshSession
from shared.catalog.repository import StoredCollection
from shared.errors import ForbiddenError, NotFoundError
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.scope import RecordScope


def _date(epoch: int) -> str:
    """PocketBase's datetime format."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.000Z")


def session_json(session: RefreshSession, current: str | None) -> dict[str, Any]:
    return {"id": session.id, "created": _date(session.created), "lastUsed": _date(session.last_used),
            "expires": _date(session.expires_at), "userAgent": session.user_agent, "ip": session.ip,
            "current": session.id == current}


def current_session(accounts: Accounts, authorization: str | None) -> str | None:
    """The session id of the caller's token (already verified by the caller), if it has one."""
    return session_of(accounts.tokens, authorization)


def _owner_or_superuser(auth: AuthState | None, stored: StoredCollection, record_id: str) -> AuthState:
    auth = require_auth(auth)
    if auth.is_superuser:
        return auth
    if auth.collection.id != stored.collection.id or auth.record.id != record_id:
        raise ForbiddenError()
    return auth


def list_sessions(accounts: Accounts, stored: StoredCollection, record_id: str, auth: AuthState | None,
                  authorization: str | None) -> list[dict[str, Any]]:
    """The record's live sessions, most recently used first (its owner or a superuser)."""
    _owner_or_superuser(auth, stored, record_id)
    current = current_session(accounts, authorization)
    return [session_json(s, current) for s in accounts.refresh.list_sessions(stored.collection.id, record_id)]


def revoke_session(accounts: Accounts, stored: StoredCollection, record_id: str, session_id: str,
                   auth: AuthState | None) -> None:
    """End one session: its refresh token and every auth token bound to it stop working."""
    caller = _owner_or_superuser(auth, stored, record_id)
    accounts.refresh.revoke(stored.collection.id, record_id, session_id)
    logger.info("session revoked", extra={"collection_id": stored.collection.id, "record_id": record_id,
                                          "session_id": session_id, "by": caller.record.id})


def revoke_all_sessions(service: RecordScope, accounts: Accounts, stored: StoredCollection, record_id: str,
                        auth: AuthState | None) -> None:
    """Sign out everywhere: revoke every family and give the record a new tokenKey, which also ends the auth
    tokens that belong to no session (from `auth-refresh` of old tokens or impersonation)."""
    caller = _owner_or_superuser(auth, stored, record_id)
    if service.records.get(stored.collection.id, record_id, service.meter) is None:
        raise NotFoundError()
    count = accounts.refresh.revoke_all(stored.collection.id, record_id)
    system_update(service, stored, record_id, new_token_key(stored), "Failed to revoke the sessions.")
    logger.info("all sessions revoked", extra={"collection_id": stored.collection.id, "record_id": record_id,
                                               "sessions": count, "by": caller.record.id})
