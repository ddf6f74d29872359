"""Auth records for the account flows: the collection, lookups by id, email and token, rule checks, updates."""

from __future__ import annotations

from typing import Any

from shared.accounts.identity import find_by_identity
from shared.auth.caller import token_key_of
from shared.auth.errors import InvalidTokenError
from shared.auth.tokens import TokenClaims, TokenService, TokenType
from shared.catalog.repository import StoredCollection
from shared.collections.fields.formats import is_email
from shared.collections.model import TOKEN_KEY_FIELD
from shared.collections.system import SUPERUSERS_COLLECTION_NAME
from shared.errors import BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError, field_error
from shared.records.context import AuthState, RequestContext
from shared.records.model import StoredRecord
from shared.records.rules import parse_rule
from shared.records.scope import RecordScope

VALIDATION_FAILED = "An error occurred while validating the submitted data."
LOAD_FAILED = "An error occurred while loading the submitted data."
REQUIRED = field_error("validation_required", "Cannot be blank.")
INVALID_TOKEN = field_error("validation_invalid_token", "Invalid or expired token.")
TOKEN_COLLECTION_MISMATCH = field_error("validation_token_collection_mismatch",
                                        "The provided token is for different auth collection.")
AUTH_RULE_FAILED = "The request doesn't satisfy the collection requirements to authenticate."


class TokenCheckError(BadRequestError):
    """A submitted token (verification, reset, email change) that does not hold; data names the field."""

    def __init__(self, error: dict[str, str], message: str = VALIDATION_FAILED, field: str = "token") -> None:
        super().__init__(message, {field: error})


MISSING_COLLECTION = "Missing or invalid collection context."
MISSING_AUTH_COLLECTION = "Missing or invalid auth collection context."


def path_collection(service: RecordScope, id_or_name: str) -> StoredCollection:
    """The collection of the path, of any type: PocketBase's collection middleware 404s before an endpoint runs."""
    stored = service.collections.find(id_or_name)
    if stored is None:
        raise NotFoundError(MISSING_COLLECTION)
    return stored


def auth_collection(service: RecordScope, id_or_name: str) -> StoredCollection:
    """The auth collection of the path; 404 for an unknown or non-auth collection, as PocketBase."""
    stored = path_collection(service, id_or_name)
    if not stored.collection.is_auth:
        raise NotFoundError(MISSING_AUTH_COLLECTION)
    return stored


def superuser_auth_collection(service: RecordScope, id_or_name: str) -> StoredCollection:
    """The auth collection of a superuser-only path, checked after the caller: one 404 for missing and non-auth."""
    stored = service.collections.find(id_or_name)
    if stored is None or not stored.collection.is_auth:
        raise NotFoundError(MISSING_AUTH_COLLECTION)
    return stored


def is_superusers(stored: StoredCollection) -> bool:
    return stored.collection.name == SUPERUSERS_COLLECTION_NAME


def require_auth(auth: AuthState | None, stored: StoredCollection | None = None) -> AuthState:
    """The caller's auth record: 401 without one, 403 when it belongs to another collection than `stored`
    (PocketBase names the caller's own collection, which the caller knows already)."""
    if auth is None:
        raise UnauthorizedError()
    if stored is not None and auth.collection.id != stored.collection.id:
        raise ForbiddenError(f"The request requires auth record from {auth.collection.name} collection.")
    return auth


def require_superuser(auth: AuthState | None) -> AuthState:
    if auth is None:
        raise UnauthorizedError()
    if not auth.is_superuser:
        raise ForbiddenError()
    return auth


def value(stored: StoredCollection, record: StoredRecord, name: str) -> Any:
    """A record's stored value of the field with this name ('' when the collection has no such field)."""
    field = stored.collection.field_by_name(name)
    return record.data.get(field.id) if field else ""


def email_of(stored: StoredCollection, record: StoredRecord) -> str:
    return str(value(stored, record, "email") or "")


def load(service: RecordScope, stored: StoredCollection, record_id: str) -> StoredRecord | None:
    return service.records.get(stored.collection.id, record_id, service.meter)


def find_by_email(service: RecordScope, stored: StoredCollection, email: str) -> StoredRecord | None:
    return find_by_identity(service, stored, email, ["email"]) if email else None


def email_errors(email: str, field: str = "email") -> dict[str, Any]:
    """PocketBase's checks of a submitted address: required, at most 255 characters, an email."""
    if not email:
        return {field: field_error("validation_required", "Cannot be blank.")}
    if len(email) > 255:
        return {field: length_error(1, 255)}
    if not is_email(email):
        return {field: field_error("validation_is_email", "Must be a valid email address.")}
    return {}


def require_fields(body: dict[str, Any], *names: str) -> None:
    """400 in PocketBase's validation shape when a required string field is blank."""
    missing = {n: field_error("validation_required", "Cannot be blank.") for n in names if not _text(body.get(n))}
    if missing:
        raise BadRequestError(VALIDATION_FAILED, missing)


def length_error(minimum: int, maximum: int) -> dict[str, Any]:
    """ozzo-validation's Length error, with the params PocketBase sends along."""
    return {**field_error("validation_length_out_of_range", f"The length must be between {minimum} and {maximum}."),
            "params": {"max": maximum, "min": minimum}}


def text(body: dict[str, Any], name: str) -> str:
    return _text(body.get(name))


def _text(raw: Any) -> str:
    """A string field of a form; as PocketBase's binding into Go strings, any other JSON type (a number, an
    object) fails to load, so it is never silently turned into text."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadRequestError(LOAD_FAILED)
    return raw


def record_from_token(service: RecordScope, tokens: TokenService, stored: StoredCollection, token: str,
                      kind: TokenType) -> tuple[StoredRecord, TokenClaims]:
    """The record a token of `kind` was issued for, verified with that record's tokenKey."""
    try:
        claims = tokens.peek_claims(token)
    except InvalidTokenError as exc:
        raise TokenCheckError(INVALID_TOKEN) from exc
    if claims.collection_id != stored.collection.id:
        target = service.collections.find(claims.collection_id)
        # Only a token that verifies for its own collection earns the more specific message.
        raise TokenCheckError(TOKEN_COLLECTION_MISMATCH if target else INVALID_TOKEN)
    record = load(service, stored, claims.id)
    if record is None:
        raise TokenCheckError(INVALID_TOKEN)
    try:
        verified = tokens.verify_token(token, kind, token_key_of(stored.collection, record.data))
    except InvalidTokenError as exc:
        raise TokenCheckError(INVALID_TOKEN) from exc
    return record, verified


def passes_auth_rule(service: RecordScope, stored: StoredCollection, record: StoredRecord) -> bool:
    """The collection's authRule, evaluated with the record as @request.auth (PocketBase's recordAuthResponse);
    a null rule lets no one in, an empty one everyone."""
    collection = stored.collection
    rule = collection.auth_rule
    if rule is None:
        return False
    if not rule.strip():
        return True
    previous = service.request.auth
    service.request.auth = AuthState(record=record, collection=collection)
    try:
        return service.rules.matches(parse_rule(rule), collection, record)
    finally:
        service.request.auth = previous


def check_auth_rule(service: RecordScope, stored: StoredCollection, record: StoredRecord) -> None:
    """PocketBase's 403 for a record its collection's authRule keeps out (refresh, impersonation)."""
    if not passes_auth_rule(service, stored, record):
        raise ForbiddenError(AUTH_RULE_FAILED)


def system_service(service: RecordScope) -> RecordScope:
    """The request's records scope acting with superuser rights (for the flows' own validated updates)."""
    ctx = RequestContext(method="PATCH", system=True, ip=service.request.ip, user_agent=service.request.user_agent,
                         request_id=service.request.request_id)
    return service.acting_as(ctx)


def system_update(service: RecordScope, stored: StoredCollection, record_id: str, changes: dict[str, Any],
                  failure: str) -> dict[str, Any]:
    """Apply validated changes with superuser rights; a validation failure answers `failure` with its data."""
    try:
        system = system_service(service)
        updated = system.writer.update(stored.collection.id, record_id, changes)
        return system.presenter.one(stored.collection, updated.record)
    except BadRequestError as exc:
        raise BadRequestError(failure, exc.data) from exc


def new_token_key(stored: StoredCollection) -> dict[str, str]:
    """A body that gives the record a fresh tokenKey, which invalidates every token it was issued."""
    from shared.collections.fields import TextField

    field = stored.collection.field_by_name(TOKEN_KEY_FIELD)
    return {TOKEN_KEY_FIELD: field.autogenerate()} if isinstance(field, TextField) else {}
