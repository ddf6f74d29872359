"""Password sign-in: `auth-with-password` returns PocketBase's {token, record}."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from shared.accounts.identity import find_by_identity
from shared.auth.tokens import TokenService
from shared.catalog.repository import StoredCollection
from shared.collections.fields.password import hash_password, verify_password
from shared.errors import BadRequestError
from shared.records.access import token_key_of
from shared.records.context import AuthState
from shared.records.model import StoredRecord
from shared.records.service import RecordService

FAILED = "Failed to authenticate."


def auth_collection(service: RecordService, id_or_name: str) -> StoredCollection:
    stored = service.collection(id_or_name)
    if not stored.collection.is_auth:
        raise BadRequestError("The collection is not an auth collection.")
    return stored


def issue_auth_token(tokens: TokenService, stored: StoredCollection, record: StoredRecord, *,
                     refreshable: bool = True, duration_s: int | None = None) -> str:
    collection = stored.collection
    return tokens.issue_token("auth", record.id, collection.id, token_key_of(collection, record.data),
                              duration_s or collection.auth_token.duration, {"refreshable": refreshable})


def password_sign_in(service: RecordService, stored: StoredCollection, identity: str, password: str,
                     identity_field: str = "") -> StoredRecord:
    """The record whose identity and password match; one generic 400 otherwise (no account enumeration)."""
    collection = stored.collection
    if not collection.password_auth.enabled:
        raise BadRequestError("The collection is not configured to allow password authentication.")
    fields = list(collection.password_auth.identity_fields)
    if identity_field:
        if identity_field not in fields:
            raise BadRequestError(FAILED)
        fields = [identity_field]
    record = find_by_identity(service, stored, identity, fields) if identity and password else None
    pwd = collection.field_by_name("password")
    stored_hash = str(record.data.get(pwd.id) or "") if record and pwd else ""
    # Verify even without a record, so timing does not tell whether the account exists.
    ok = verify_password(stored_hash or _dummy_hash(), password or "x")
    if record is None or not ok or not stored_hash:
        raise BadRequestError(FAILED)
    if collection.auth_rule is not None and collection.auth_rule.strip():
        service.request.auth = AuthState(record=record, collection=collection)
        from shared.records.rules import parse_rule

        if not service._matches(parse_rule(collection.auth_rule), collection, record):
            raise BadRequestError(FAILED)
    elif collection.auth_rule is None:
        raise BadRequestError(FAILED)
    return record


def auth_response(service: RecordService, tokens: TokenService, stored: StoredCollection, record: StoredRecord,
                  params: dict[str, str]) -> dict[str, Any]:
    service.request.auth = AuthState(record=record, collection=stored.collection)
    return {"token": issue_auth_token(tokens, stored, record), "record": service.finish_one(stored, record, params)}



@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("lambdabase-timing-equaliser")
