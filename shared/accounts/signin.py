"""Password sign-in: `auth-with-password`, throttled per account and IP, answering {token, record, refreshToken}."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from shared.accounts.auth_records import check_auth_rule
from shared.accounts.components import Accounts
from shared.accounts.identity import find_by_identity
from shared.auth.caller import token_key_of
from shared.auth.tokens import SESSION_CLAIM, TokenService
from shared.catalog.repository import StoredCollection
from shared.collections.fields.password import hash_password, verify_password
from shared.errors import BadRequestError, TooManyRequestsError
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

FAILED = "Failed to authenticate."


def issue_auth_token(tokens: TokenService, stored: StoredCollection, record: StoredRecord, *,
                     refreshable: bool = True, duration_s: int | None = None, session_id: str | None = None) -> str:
    """A PocketBase auth token; `sid` binds it to a refresh family, so ending that session ends the token."""
    collection = stored.collection
    claims: dict[str, Any] = {"refreshable": refreshable}
    if session_id:
        claims[SESSION_CLAIM] = session_id
    return tokens.issue_token("auth", record.id, collection.id, token_key_of(collection, record.data),
                              duration_s or collection.auth_token.duration, claims)


LOAD_FAILED = "An error occurred while loading the submitted data."


def password_sign_in(service: RecordScope, accounts: Accounts, stored: StoredCollection, identity: str,
                     password: object, identity_field: str = "") -> StoredRecord:
    """The record whose identity and password match; one generic 400 otherwise (no account enumeration).

    The throttle decides and counts the attempt (as a failure) before any password work, in one conditional
    write, and takes the count back on success; keyed by the identity as typed, so an unknown identity is
    throttled exactly like a real one.
    """
    if password is None:
        password = ""
    if not isinstance(password, str):
        # As PocketBase, which cannot bind a number or an object into its string field: no cast, so 12345678
        # never signs in as "12345678".
        raise BadRequestError(LOAD_FAILED)
    collection = stored.collection
    if not collection.password_auth.enabled:
        raise BadRequestError("The collection is not configured to allow password authentication.")
    fields = list(collection.password_auth.identity_fields)
    if identity_field:
        if identity_field not in fields:
            raise BadRequestError(FAILED)
        fields = [identity_field]
    ip = service.request.ip
    try:
        # Decided and counted in one conditional write, so a parallel burst cannot share one stale count.
        attempt = accounts.throttle.begin_attempt(collection.id, identity, ip)
    except TooManyRequestsError:
        logger.warning("sign-in throttled", extra={"collection_id": collection.id, "ip": ip})
        raise
    record = find_by_identity(service, stored, identity, fields) if identity and password else None
    pwd = collection.field_by_name("password")
    stored_hash = str(record.data.get(pwd.id) or "") if record and pwd else ""
    # Verify even without a record, so timing does not tell whether the account exists.
    ok = verify_password(stored_hash or _dummy_hash(), password or "x")
    if record is None or not ok or not stored_hash:
        accounts.throttle.failed(attempt)  # counted by begin_attempt; this starts its delay
        # Never the identity itself: logs are widely read and a mistyped password often lands there.
        logger.info("sign-in failed", extra={"collection_id": collection.id, "ip": ip,
                                             "known_account": record is not None})
        raise BadRequestError(FAILED)
    accounts.throttle.succeeded(attempt)
    logger.info("sign-in succeeded", extra={"collection_id": collection.id, "record_id": record.id, "ip": ip})
    # The generic 400 also for a failed authRule: a 403 here would confirm that the password was right.
    check_auth_rule(service, stored, record, error=BadRequestError)
    return record


def auth_response(service: RecordScope, accounts: Accounts, stored: StoredCollection, record: StoredRecord,
                  params: dict[str, str]) -> dict[str, Any]:
    """PocketBase's {token, record}, plus a new session's opaque `refreshToken` (a Lambdabase extension)."""
    issued = accounts.refresh.issue(record.id, stored.collection.id, user_agent=service.request.user_agent,
                                    ip=service.request.ip)
    token = issue_auth_token(accounts.tokens, stored, record, session_id=issued.session.id)
    return {**record_response(service, stored, record, token, params), "refreshToken": issued.token}


def record_response(service: RecordScope, stored: StoredCollection, record: StoredRecord, token: str,
                    params: dict[str, str], *, as_owner: bool = True) -> dict[str, Any]:
    """{token, record}; the record serialised as its owner sees it (email included) unless `as_owner` is off."""
    if as_owner:
        service.request.auth = AuthState(record=record, collection=stored.collection)
    return {"token": token, "record": service.presenter.for_params(stored.collection, record, params)}


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("lambdabase-timing-equaliser")
