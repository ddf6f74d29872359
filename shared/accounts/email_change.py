"""`request-email-change` (signed in) and `confirm-email-change` (token from the mail to the new address plus the
current password). The confirmed change verifies the new address and ends every token and session."""

from __future__ import annotations

from typing import Any

from shared.accounts.auth_events import auth_envelope
from shared.accounts.auth_records import (
    REQUIRED,
    VALIDATION_FAILED,
    TokenCheckError,
    email_errors,
    email_of,
    find_by_email,
    is_superusers,
    length_error,
    new_token_key,
    record_from_token,
    require_auth,
    system_update,
    text,
)
from shared.accounts.collaborators import Accounts
from shared.accounts.emails import send_template
from shared.auth.caller import token_key_of
from shared.auth.errors import InvalidTokenError
from shared.catalog.repository import StoredCollection
from shared.collections.fields.password import verify_password
from shared.errors import BadRequestError, field_error
from shared.events.catalogue import AUTH_EMAIL_CHANGE_REQUESTED, AUTH_EMAIL_CHANGED
from shared.records.context import AuthState
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

SUPERUSERS_DIRECT = "All superusers can change their emails directly."
MAX_PASSWORD = 100  # PocketBase's Length(1, 100) on the confirming password
INVALID_NEW_EMAIL = field_error("validation_invalid_new_email", "Invalid new email address.")


def request_email_change(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                         auth: AuthState | None, body: dict[str, Any]) -> None:
    """Mail a confirmation link to the new address (never to the old one: it must prove the new mailbox)."""
    if is_superusers(stored):
        raise BadRequestError(SUPERUSERS_DIRECT)
    caller = require_auth(auth, stored)
    record = caller.record
    new_email = text(body, "newEmail")
    errors = email_errors(new_email, "newEmail")
    if not errors and new_email == email_of(stored, record):
        errors = {"newEmail": field_error("validation_not_in_invalid", "Must not be in list.")}
    if not errors:
        other = find_by_email(service, stored, new_email)
        if other is not None and other.id != record.id:
            errors = {"newEmail": INVALID_NEW_EMAIL}
    if errors:
        raise BadRequestError(VALIDATION_FAILED, errors)
    collection = stored.collection
    token = accounts.tokens.issue_token("emailChange", record.id, collection.id,
                                        token_key_of(collection, record.data), collection.email_change_token.duration,
                                        {"email": email_of(stored, record), "newEmail": new_email})
    send_template(accounts, stored, record, collection.confirm_email_change_template, token, new_email,
                  "emailChange")
    accounts.events.emit(auth_envelope(AUTH_EMAIL_CHANGE_REQUESTED, service, stored, record))


def confirm_email_change(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                         body: dict[str, Any]) -> None:
    """Switch to the new email after checking the token and the current password (re-authentication)."""
    if is_superusers(stored):
        raise BadRequestError(SUPERUSERS_DIRECT)
    token, password = text(body, "token"), text(body, "password")
    # As PocketBase's form: both fields are checked, and their errors are answered together.
    errors: dict[str, Any] = {}
    found: tuple[StoredRecord, str] | None = None
    if not token:
        errors["token"] = REQUIRED
    else:
        try:
            found = _email_change_token(service, accounts, stored, token)
        except TokenCheckError as exc:
            errors.update(exc.data)
    if not password:
        errors["password"] = REQUIRED
    elif len(password) > MAX_PASSWORD:
        errors["password"] = length_error(1, MAX_PASSWORD)
    elif found is None or not _password_matches(stored, found[0], password):
        errors["password"] = field_error("validation_invalid_password", "Missing or invalid auth record password.")
    if errors or found is None:
        raise BadRequestError(VALIDATION_FAILED, errors)
    record, new_email = found
    changes: dict[str, Any] = {"email": new_email, "verified": True, **new_token_key(stored)}
    system_update(service, stored, record.id, changes, "Failed to confirm email change.")
    accounts.events.emit(auth_envelope(AUTH_EMAIL_CHANGED, service, stored, record))


def _email_change_token(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                        token: str) -> tuple[StoredRecord, str]:
    """The record an email-change token is for, and the new address it carries, in PocketBase's order of checks."""
    try:
        new_email = str(accounts.tokens.peek_claims(token).new_email or "")
    except (InvalidTokenError, ValueError):  # ValueError: claims of the wrong shape
        new_email = ""  # as PocketBase: what cannot be read carries no newEmail either
    if not new_email:
        raise TokenCheckError(field_error("validation_invalid_token_payload",
                                          "Invalid token payload - newEmail must be set."))
    record, _ = record_from_token(service, accounts.tokens, stored, token, "emailChange")
    if find_by_email(service, stored, new_email) is not None:
        raise TokenCheckError(field_error("validation_invalid_token_email", "The new email address is invalid."))
    return record, new_email


def _password_matches(stored: StoredCollection, record: StoredRecord, password: str) -> bool:
    password_field = stored.collection.field_by_name("password")
    stored_hash = str(record.data.get(password_field.id) or "") if password_field else ""
    return bool(stored_hash) and verify_password(stored_hash, password)
