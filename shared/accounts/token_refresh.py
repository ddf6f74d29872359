"""`auth-refresh` (PocketBase: a valid token for a new one) and `auth-with-refresh-token` (rotating refresh tokens)."""

from __future__ import annotations

from typing import Any

from shared.accounts.auth_records import check_auth_rule, is_superusers, load, require_auth, require_fields, text
from shared.accounts.collaborators import Accounts
from shared.accounts.signin import issue_auth_token, record_response
from shared.auth.caller import bearer_token, refuse_superuser_ip
from shared.auth.errors import InvalidRefreshTokenError, InvalidTokenError
from shared.auth.tokens import SESSION_CLAIM
from shared.catalog.repository import StoredCollection
from shared.errors import ForbiddenError, UnauthorizedError
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.scope import RecordScope

NOT_REFRESHABLE = "The current auth token is not refreshable."


def refresh_auth_token(service: RecordScope, accounts: Accounts, stored: StoredCollection, auth: AuthState | None,
                       authorization: str | None, params: dict[str, str]) -> dict[str, Any]:
    """A new token for the caller's valid, refreshable one; it stays bound to the same session, if any."""
    auth = require_auth(auth, stored)
    try:
        claims = accounts.tokens.peek_claims(bearer_token(authorization))
    except InvalidTokenError as exc:  # cannot happen after a successful auth, but never trust it
        raise UnauthorizedError() from exc
    if claims.refreshable is not True:
        raise ForbiddenError(NOT_REFRESHABLE)
    check_auth_rule(service, stored, auth.record)
    session_id = (claims.model_extra or {}).get(SESSION_CLAIM)
    token = issue_auth_token(accounts.tokens, stored, auth.record,
                             session_id=session_id if isinstance(session_id, str) else None)
    return record_response(service, stored, auth.record, token, params)


def sign_in_with_refresh_token(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                               body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """Rotate a refresh token: {token, record, refreshToken}; a replayed old token revokes its whole family."""
    require_fields(body, "refreshToken")
    presented = text(body, "refreshToken")
    family_id = presented.partition(".")[0]
    # Check the family's collection before rotating: a token sent to the wrong collection must not be used up.
    family = accounts.families.get(family_id) if family_id else None
    if family is None or family.collection_id != stored.collection.id:
        raise InvalidRefreshTokenError("unknown_family")
    refuse_superuser_ip(is_superusers(stored), service.request.ip)  # before using it up
    issued = accounts.refresh.rotate(presented, user_agent=service.request.user_agent, ip=service.request.ip)
    record = load(service, stored, issued.session.record_id)
    if record is None:
        accounts.refresh.revoke(stored.collection.id, issued.session.record_id, issued.session.id)
        logger.info("refresh family of a deleted record revoked", extra={"family_id": issued.session.id})
        raise InvalidRefreshTokenError("record_gone")
    check_auth_rule(service, stored, record)
    token = issue_auth_token(accounts.tokens, stored, record, session_id=issued.session.id)
    return record_response(service, stored, record, token, params, extra={"refreshToken": issued.token})
