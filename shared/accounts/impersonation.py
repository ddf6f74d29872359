"""`impersonate/{id}`: a superuser gets a non-refreshable auth token of any auth record, and it is logged."""

from __future__ import annotations

from typing import Any

from shared.accounts.auth_events import auth_envelope
from shared.accounts.auth_records import VALIDATION_FAILED, check_auth_rule, load, require_superuser
from shared.accounts.collaborators import Accounts
from shared.accounts.signin import issue_auth_token, record_response
from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, NotFoundError, field_error
from shared.events.catalogue import AUTH_IMPERSONATED
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.scope import RecordScope

MAX_DURATION_S = 10 * 365 * 86_400  # far beyond any sane use; keeps `exp` a sane number


def _duration(body: dict[str, Any]) -> int:
    raw = body.get("duration", 0)
    if raw in (None, ""):
        return 0
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise BadRequestError(VALIDATION_FAILED, {"duration": field_error("validation_invalid_value",
                                                                          "Must be a number.")})
    try:
        duration = int(float(raw))
    except ValueError as exc:
        raise BadRequestError(VALIDATION_FAILED, {"duration": field_error(
            "validation_invalid_value", "Must be a number.")}) from exc
    if duration < 0:
        raise BadRequestError(VALIDATION_FAILED, {"duration": {**field_error(
            "validation_min_greater_equal_than_required", "Must be no less than 0."), "params": {"threshold": 0}}})
    return min(duration, MAX_DURATION_S)


def impersonate(service: RecordScope, accounts: Accounts, stored: StoredCollection, record_id: str,
                auth: AuthState | None, body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """{token, record}: a static token (refreshable: false, no session) for `duration` seconds, or the
    collection's auth token duration when 0."""
    superuser = require_superuser(auth)
    record = load(service, stored, record_id)
    if record is None:
        raise NotFoundError()
    duration = _duration(body) or stored.collection.auth_token.duration
    check_auth_rule(service, stored, record)
    token = issue_auth_token(accounts.tokens, stored, record, refreshable=False, duration_s=duration,
                             impersonator_id=superuser.record.id)
    # Impersonation is an audited superuser action (ASVS 16.3.x: log security-relevant events).
    logger.warning("impersonation token issued", extra={
        "superuser_id": superuser.record.id, "collection_id": stored.collection.id, "record_id": record.id,
        "duration_s": duration, "ip": service.request.ip})
    accounts.events.emit(auth_envelope(AUTH_IMPERSONATED, service, stored, record, actor=superuser,
                                       durationSeconds=duration))
    return record_response(service, stored, record, token, params, as_owner=False)
