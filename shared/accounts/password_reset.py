"""`request-password-reset` and `confirm-password-reset`; a reset ends every token and session of the account."""

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
    length_error,
    record_from_token,
    system_update,
    text,
    value,
)
from shared.accounts.collaborators import Accounts
from shared.accounts.emails import send_template
from shared.accounts.password_policy import password_policy
from shared.auth.caller import token_key_of
from shared.auth.tokens import TokenClaims
from shared.catalog.repository import StoredCollection
from shared.collections.fields import PasswordField
from shared.errors import BadRequestError, field_error
from shared.events.catalogue import AUTH_PASSWORD_RESET, AUTH_PASSWORD_RESET_REQUESTED
from shared.observability import logger
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

PASSWORD_AUTH_DISABLED = "The collection is not configured to allow password authentication."


def request_password_reset(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                           body: dict[str, Any]) -> None:
    """Mail a reset link; answers 204 whether or not the account exists."""
    collection = stored.collection
    if not collection.password_auth.enabled:
        raise BadRequestError(PASSWORD_AUTH_DISABLED)
    email = text(body, "email")
    if errors := email_errors(email):
        raise BadRequestError(VALIDATION_FAILED, errors)
    record = find_by_email(service, stored, email)
    if record is None:
        logger.info("password reset not sent", extra={"reason": "unknown"})  # the same 204: no enumeration
        return
    address = email_of(stored, record)
    token = accounts.tokens.issue_token("passwordReset", record.id, collection.id,
                                        token_key_of(collection, record.data),
                                        collection.password_reset_token.duration, {"email": address})
    send_template(accounts, stored, record, collection.reset_password_template, token, address, "passwordReset")
    accounts.events.emit(auth_envelope(AUTH_PASSWORD_RESET_REQUESTED, service, stored, record))


def confirm_password_reset(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                           body: dict[str, Any]) -> None:
    """Set the new password: the record gets a new tokenKey (every auth and reset token dies) and every
    session is revoked. Verifies the email too when it is still the address the link was mailed to."""
    token, password, confirm = text(body, "token"), text(body, "password"), text(body, "passwordConfirm")
    field = stored.collection.field_by_name("password")
    minimum = field.min if isinstance(field, PasswordField) and field.min > 0 else 1
    # As PocketBase's form: every field is checked, and all their errors are answered together.
    errors: dict[str, Any] = {}
    found: tuple[StoredRecord, TokenClaims] | None = None
    if not token:
        errors["token"] = REQUIRED
    else:
        try:
            found = record_from_token(service, accounts.tokens, stored, token, "passwordReset")
        except TokenCheckError as exc:
            errors.update(exc.data)
    if not password:
        errors["password"] = REQUIRED
    elif not minimum <= len(password) <= 255:
        errors["password"] = length_error(minimum, 255)
    if not confirm:
        errors["passwordConfirm"] = REQUIRED
    elif confirm != password:
        errors["passwordConfirm"] = field_error("validation_values_mismatch", "Values don't match.")
    if not errors and found is not None:
        record = found[0]
        words = [email_of(stored, record), str(value(stored, record, "username") or ""),
                 str(value(stored, record, "name") or "")]
        errors = password_policy().errors(password, words)
    if errors or found is None:
        raise BadRequestError(VALIDATION_FAILED, errors)
    record, claims = found
    changes: dict[str, Any] = {"password": password, "passwordConfirm": password}
    if not value(stored, record, "verified") and email_of(stored, record) == (claims.email or ""):
        changes["verified"] = True  # the mailbox owner proved itself, as in PocketBase
    system_update(service, stored, record.id, changes, "Failed to set new password.")
    # The owner proved control of the mailbox: lift the growing sign-in delay for that address.
    accounts.throttle.record_success(stored.collection.id, email_of(stored, record))
    accounts.resend.release(stored.collection.id, record.id, "passwordReset")
    accounts.events.emit(auth_envelope(AUTH_PASSWORD_RESET, service, stored, record))
