"""`request-verification` and `confirm-verification`: prove an auth record owns its email address."""

from __future__ import annotations

import secrets
from typing import Any

from shared.accounts.auth_events import auth_envelope
from shared.accounts.auth_records import (
    VALIDATION_FAILED,
    TokenCheckError,
    email_errors,
    email_of,
    find_by_email,
    is_superusers,
    record_from_token,
    require_fields,
    system_update,
    text,
    value,
)
from shared.accounts.collaborators import Accounts
from shared.accounts.emails import send_template
from shared.auth.caller import token_key_of
from shared.auth.errors import InvalidTokenError
from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, field_error
from shared.events.catalogue import AUTH_VERIFICATION_REQUESTED, AUTH_VERIFIED
from shared.observability import logger
from shared.records.scope import RecordScope

SUPERUSERS_VERIFIED = "All superusers are verified by default."


def request_verification(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                         body: dict[str, Any]) -> None:
    """Mail a verification link; answers the same (204) whether or not the account exists or is verified."""
    if is_superusers(stored):
        raise BadRequestError(SUPERUSERS_VERIFIED)
    email = text(body, "email")
    if errors := email_errors(email):
        raise BadRequestError(VALIDATION_FAILED, errors)
    record = find_by_email(service, stored, email)
    if record is None or value(stored, record, "verified"):
        # Basic measure against email enumeration: the same 204, and only a log line tells them apart.
        logger.info("verification not sent", extra={"reason": "unknown" if record is None else "verified"})
        return
    collection = stored.collection
    address = email_of(stored, record)
    token = accounts.tokens.issue_token("verification", record.id, collection.id,
                                        token_key_of(collection, record.data),
                                        collection.verification_token.duration, {"email": address})
    send_template(accounts, stored, record, collection.verification_template, token, address, "verification")
    accounts.events.emit(auth_envelope(AUTH_VERIFICATION_REQUESTED, service, stored, record))


def confirm_verification(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                         body: dict[str, Any]) -> None:
    """Mark the token's record verified, if the token is valid and the record's email is still the one mailed."""
    if is_superusers(stored):
        raise BadRequestError(SUPERUSERS_VERIFIED)
    require_fields(body, "token")
    token = text(body, "token")
    try:
        claimed = str(accounts.tokens.peek_claims(token).email or "")
    except (InvalidTokenError, ValueError):  # ValueError: claims of the wrong shape
        claimed = ""  # as PocketBase: what cannot be read has no email claim either
    if not claimed:
        raise TokenCheckError(field_error("validation_invalid_token_claims", "Missing email token claim."))
    record, _ = record_from_token(service, accounts.tokens, stored, token, "verification")
    if email_of(stored, record) != claimed:
        raise TokenCheckError(field_error("validation_token_email_mismatch",
                                          "The record email doesn't match with the requested token claims."))
    if value(stored, record, "verified"):
        return
    changes: dict[str, Any] = {"verified": True}
    if not stored.collection.password_auth.enabled:
        # As PocketBase: a random password guards against pre-hijacking if password auth is enabled later.
        random = secrets.token_urlsafe(24)
        changes.update(password=random, passwordConfirm=random)
    system_update(service, stored, record.id, changes, "An error occurred while saving the verified state.")
    accounts.events.emit(auth_envelope(AUTH_VERIFIED, service, stored, record))
