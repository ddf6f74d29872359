"""Password sign-in: `auth-with-password`, throttled per account and IP, answering {token, record, refreshToken}."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import msgspec

from shared.accounts.auth_alerts import alert_new_origin
from shared.accounts.auth_events import auth_envelope
from shared.accounts.auth_records import (
    LOAD_FAILED,
    VALIDATION_FAILED,
    check_auth_rule,
    is_superusers,
    length_error,
    passes_auth_rule,
)
from shared.accounts.collaborators import Accounts
from shared.accounts.identity import find_by_identity
from shared.accounts.mfa import check_mfa
from shared.auth.caller import refuse_superuser_ip, token_key_of
from shared.auth.tokens import IMPERSONATOR_CLAIM, SESSION_CLAIM, TokenService
from shared.catalog.repository import StoredCollection
from shared.collections.fields.password import hash_password, verify_password
from shared.errors import BadRequestError, ForbiddenError, TooManyRequestsError, field_error
from shared.events.catalogue import AUTH_SIGNIN, AUTH_SIGNIN_FAILED
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope
from shared.tools.filter import apply_fields
from shared.tools.list_query import ListQueryError, parse_fields_param

FAILED = "Failed to authenticate."


def issue_auth_token(tokens: TokenService, stored: StoredCollection, record: StoredRecord, *,
                     refreshable: bool = True, duration_s: int | None = None, session_id: str | None = None,
                     impersonator_id: str | None = None) -> str:
    """A PocketBase auth token; `sid` binds it to a refresh family, so ending that session ends the token."""
    collection = stored.collection
    claims: dict[str, Any] = {"refreshable": refreshable}
    if session_id:
        claims[SESSION_CLAIM] = session_id
    if impersonator_id:
        claims[IMPERSONATOR_CLAIM] = impersonator_id
    return tokens.issue_token("auth", record.id, collection.id, token_key_of(collection, record.data),
                              duration_s or collection.auth_token.duration, claims)


PASSWORD_AUTH_DISABLED = "The collection is not configured to allow password authentication."
MAX_FORM_TEXT = 255  # PocketBase's Length(1, 255) on identity, password and identityField


class PasswordForm(msgspec.Struct, frozen=True):
    """The `auth-with-password` body, bound and validated as PocketBase's authWithPasswordForm."""

    identity: str
    password: str
    identity_field: str


def password_form(stored: StoredCollection, body: dict[str, Any]) -> PasswordForm:
    """Bind the body (only strings, as Go's string fields: 12345678 never signs in as "12345678"), then
    PocketBase's per-field validation errors."""
    raw = {name: body.get(name) for name in ("identity", "password", "identityField")}
    if any(v is not None and not isinstance(v, str) for v in raw.values()):
        raise BadRequestError(LOAD_FAILED)
    identity, password, identity_field = (str(raw[name] or "") for name in ("identity", "password", "identityField"))
    errors: dict[str, Any] = {}
    for name, text in (("identity", identity), ("password", password)):
        if not text:
            errors[name] = field_error("validation_required", "Cannot be blank.")
        elif len(text) > MAX_FORM_TEXT:
            errors[name] = _too_long()
    if len(identity_field) > MAX_FORM_TEXT:
        errors["identityField"] = _too_long()
    elif identity_field and identity_field not in stored.collection.password_auth.identity_fields:
        errors["identityField"] = field_error("validation_in_invalid", "Must be a valid value.")
    if errors:
        raise BadRequestError(VALIDATION_FAILED, errors)
    return PasswordForm(identity, password, identity_field)


def _too_long() -> dict[str, Any]:
    return length_error(1, MAX_FORM_TEXT)


def password_sign_in(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                     body: dict[str, Any]) -> StoredRecord:
    """The record whose identity and password match; one generic 400 otherwise (no account enumeration).

    The throttle decides and counts the attempt (as a failure) before any password work, in one conditional
    write, and takes the count back on success; keyed by the identity as typed, so an unknown identity is
    throttled exactly like a real one.
    """
    collection = stored.collection
    if not collection.password_auth.enabled:
        raise ForbiddenError(PASSWORD_AUTH_DISABLED)
    form = password_form(stored, body)
    fields = [form.identity_field] if form.identity_field else list(collection.password_auth.identity_fields)
    ip = service.request.ip
    try:
        # Decided and counted in one conditional write, so a parallel burst cannot share one stale count.
        attempt = accounts.throttle.begin_attempt(collection.id, form.identity, ip)
    except TooManyRequestsError:
        logger.warning("sign-in throttled", extra={"collection_id": collection.id, "ip": ip})
        accounts.events.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, None, method="password",
                                           reason="throttled"))
        raise
    record = find_by_identity(service, stored, form.identity, fields)
    pwd = collection.field_by_name("password")
    stored_hash = str(record.data.get(pwd.id) or "") if record and pwd else ""
    # Verify even without a record, so timing does not tell whether the account exists.
    ok = verify_password(stored_hash or _dummy_hash(), form.password)
    # A failed authRule after the right password is the same generic 400, counted as a failure like a wrong
    # password: a 403 (PocketBase), or a throttle that forgets, would confirm that the password was right.
    if record is None or not ok or not stored_hash or not passes_auth_rule(service, stored, record):
        accounts.throttle.failed(attempt)  # counted by begin_attempt; this starts its delay
        # Never the identity itself: logs are widely read and a mistyped password often lands there.
        logger.info("sign-in failed", extra={"collection_id": collection.id, "ip": ip,
                                             "known_account": record is not None})
        # Never the identity nor which of the account, password or rule failed: receivers are as widely read.
        accounts.events.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, None, method="password",
                                           reason="invalid_credentials"))
        raise BadRequestError(FAILED)
    accounts.throttle.succeeded(attempt)
    logger.info("sign-in succeeded", extra={"collection_id": collection.id, "record_id": record.id, "ip": ip})
    accounts.events.emit(auth_envelope(AUTH_SIGNIN, service, stored, record, method="password"))
    return record


def auth_response(service: RecordScope, accounts: Accounts, stored: StoredCollection, record: StoredRecord,
                  params: dict[str, str], *, method: str = "", body: dict[str, Any] | None = None,
                  meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """PocketBase's {token, record[, meta]}, plus a new session's opaque `refreshToken` (a Lambdabase extension).

    The one completion of every sign-in method, as PocketBase's recordAuthResponse: `method` names the method that
    just succeeded ("password", "otp", "oauth2", "totp"; "" skips the MFA check and the new-device alert), `body`
    is the request body (it may carry `mfaId`, as may `params`), `meta` is added as `meta` (OAuth2's).

    In PocketBase's order: the superuser IP allowlist, the collection's authRule (403), the MFA check
    (shared/accounts/mfa.py: 401 `{mfaId}` or its 400s, before any session exists), then the session and token,
    then the new-device alert (shared/accounts/auth_alerts.py, never failing the sign-in).
    """
    refuse_superuser_ip(is_superusers(stored), service.request.ip)  # before any session
    check_auth_rule(service, stored, record)
    check_mfa(service, stored, record, method, params, body, accounts.mfa_overrides)
    issued = accounts.refresh.issue(record.id, stored.collection.id, user_agent=service.request.user_agent,
                                    ip=service.request.ip)
    token = issue_auth_token(accounts.tokens, stored, record, session_id=issued.session.id)
    if method and stored.collection.auth_alert.enabled:
        alert_new_origin(service, accounts, stored, record)
    extra: dict[str, Any] = {"refreshToken": issued.token}
    if meta is not None:
        extra["meta"] = meta
    return record_response(service, stored, record, token, params, extra=extra)


def record_response(service: RecordScope, stored: StoredCollection, record: StoredRecord, token: str,
                    params: dict[str, str], *, as_owner: bool = True,
                    extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """{token, record, **extra}; the record serialised as its owner sees it (email included) unless `as_owner` is
    off. As PocketBase, `fields` picks from the whole answer (`fields=token,record.email`), `expand` the record."""
    refuse_superuser_ip(is_superusers(stored), service.request.ip)
    if as_owner:
        service.request.auth = AuthState(record=record, collection=stored.collection)
    record_params = {k: v for k, v in params.items() if k != "fields"}
    body = {"token": token, "record": service.presenter.for_params(stored.collection, record, record_params),
            **(extra or {})}
    try:
        fields = parse_fields_param(params)
    except ListQueryError as exc:
        raise BadRequestError(f"Invalid {exc.param} parameter.", {exc.param: {
            "code": exc.code, "message": exc.message}}) from exc
    return apply_fields(body, fields) if fields is not None else body


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("lambdabase-timing-equaliser")
