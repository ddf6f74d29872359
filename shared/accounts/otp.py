"""Email OTP, as PocketBase 0.40.6: `request-otp` mails a one-time code, `auth-with-otp` signs in with it.

The codes live in the `_otps` system collection (collectionRef, recordRef, password, sentTo), written through the
records engine as the system: the `password` field stores the code hashed, so it is never readable back. A code
is single-use (consumed by a conditional delete), expires after the collection's `otp.duration`, and its
attempts are throttled per account and per IP by the sign-in throttle.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import Any

import msgspec

from shared.accounts.auth_events import auth_envelope
from shared.accounts.auth_records import (
    LOAD_FAILED,
    VALIDATION_FAILED,
    email_errors,
    email_of,
    find_by_email,
    length_error,
    load,
    system_service,
    system_update,
    text,
    value,
)
from shared.accounts.collaborators import Accounts
from shared.accounts.emails import compose
from shared.auth.throttle import BurstRule
from shared.catalog.repository import StoredCollection
from shared.collections.datetime import format_datetime, parse_datetime
from shared.collections.fields.password import hash_password, verify_password
from shared.collections.ids import is_valid_record_id, new_record_id
from shared.collections.system import OTPS_COLLECTION_NAME
from shared.errors import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
    TooManyRequestsError,
    field_error,
)
from shared.events.catalogue import AUTH_OTP_REQUESTED, AUTH_SIGNIN, AUTH_SIGNIN_FAILED
from shared.mail.sender import send_mail
from shared.observability import logger
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

OTP_DISABLED = "The collection is not configured to allow OTP authentication."
INVALID_OTP = "Invalid or expired OTP."
TOO_MANY_ATTEMPTS = "Too many attempts, please try again later with a new OTP."
# PocketBase's extra OTP rule (5 attempts per 180 s per record), on top of the sign-in throttle's growing delays.
OTP_GUESSES = BurstRule(max_attempts=5, window_s=180)
OTP_MAIL_KIND = "otp"
DIGITS = "1234567890"
MAX_RECENT_OTPS = 9  # PocketBase: past this many live codes of a record, the newest is answered again
MAX_OTP_ID = 255
MAX_OTP_PASSWORD = 71  # PocketBase's Length(1, 71) on the submitted code


class OtpForm(msgspec.Struct, frozen=True):
    """The `auth-with-otp` body, bound and validated as PocketBase's authWithOTPForm."""

    otp_id: str
    password: str


def require_otp(stored: StoredCollection) -> None:
    """PocketBase's 403 while the collection has OTP off (checked before the body is read)."""
    if not stored.collection.otp.enabled:
        raise ForbiddenError(OTP_DISABLED)


def request_otp(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                body: dict[str, Any] | None) -> dict[str, str]:
    """Mail a new code to the account with this email; `{otpId}` whether or not such an account exists.

    `body` None: the request's body could not be read as an object (PocketBase's load error, after the 403).
    """
    require_otp(stored)
    if body is None:
        raise BadRequestError(LOAD_FAILED)
    email = text(body, "email")
    if errors := email_errors(email):
        raise BadRequestError(VALIDATION_FAILED, errors)
    record = find_by_email(service, stored, email)
    if record is None:
        # A well-formed id that leads nowhere, as PocketBase: the answer does not tell whether the account exists;
        # hashing a code as a real one is hashed keeps the answer's time from telling it either (the write and the
        # mail still take one DynamoDB and one SES call longer: docs/compatibility.md).
        hash_password(_new_code(stored.collection.otp.length))
        logger.info("otp not sent", extra={"collection_id": stored.collection.id, "reason": "unknown"})
        return {"otpId": new_record_id()}
    recent = _live_otps(service, stored, record)
    if len(recent) > MAX_RECENT_OTPS:
        # As PocketBase: a flood of requests gets the newest live code's id again, and no new mail.
        logger.warning("too many OTP requests: reusing the last issued", extra={
            "collection_id": stored.collection.id, "record_id": record.id})
        return {"otpId": str(recent[0]["id"])}
    return {"otpId": _issue(service, accounts, stored, record)}


def _live_otps(service: RecordScope, stored: StoredCollection, record: StoredRecord) -> list[dict[str, Any]]:
    """The record's codes younger than `otp.duration`, newest first (at most one more than the reuse limit)."""
    cutoff = format_datetime(datetime.fromtimestamp(time.time() - stored.collection.otp.duration, UTC))
    # Ids are [a-z0-9_] by the id field's pattern, and the cutoff is our own text: nothing breaks the quotes.
    page = system_service(service).reader.list_page(OTPS_COLLECTION_NAME, {
        "filter": f"collectionRef = '{stored.collection.id}' && recordRef = '{record.id}' && created > '{cutoff}'",
        "sort": "-created", "perPage": str(MAX_RECENT_OTPS + 1), "skipTotal": "1", "fields": "id"})
    return list(page["items"])


def _issue(service: RecordScope, accounts: Accounts, stored: StoredCollection, record: StoredRecord) -> str:
    """A new code for `record`, stored hashed and mailed; its id (a deleted one's, when the mail failed)."""
    collection = stored.collection
    code = _new_code(collection.otp.length)
    address = email_of(stored, record)
    system = system_service(service)
    # sentTo is written with the code (PocketBase adds it after sending): a code whose mail fails is deleted.
    created = system.writer.create(OTPS_COLLECTION_NAME, {
        "collectionRef": collection.id, "recordRef": record.id, "password": code, "sentTo": address})
    otp_id = created.record.id
    message = compose(accounts, stored, record, collection.otp.email_template, address, OTP_MAIL_KIND,
                      {"{OTP}": code, "{OTP_ID}": otp_id})
    try:
        send_mail(accounts.mail, message, accounts.config)
    except Exception:
        # As PocketBase: the code is deleted, and the answer still carries its id (it says nothing either way).
        logger.exception("OTP mail failed", extra={"collection_id": collection.id, "record_id": record.id})
        _consume(service, otp_id, None)
        return otp_id
    # Never the code nor its id in the event: receivers are widely read.
    accounts.events.emit(auth_envelope(AUTH_OTP_REQUESTED, service, stored, record))
    return otp_id


def _new_code(length: int) -> str:
    return "".join(secrets.choice(DIGITS) for _ in range(length))


def otp_form(body: dict[str, Any] | None) -> OtpForm:
    """Bind (strings only) and validate `{otpId, password}` with PocketBase's per-field errors."""
    if body is None:
        raise BadRequestError(LOAD_FAILED)
    otp_id, password = text(body, "otpId"), text(body, "password")
    errors: dict[str, Any] = {}
    for name, given, limit in (("otpId", otp_id, MAX_OTP_ID), ("password", password, MAX_OTP_PASSWORD)):
        if not given:
            errors[name] = field_error("validation_required", "Cannot be blank.")
        elif len(given) > limit:
            errors[name] = length_error(1, limit)
    if errors:
        raise BadRequestError(VALIDATION_FAILED, errors)
    return OtpForm(otp_id, password)


def otp_sign_in(service: RecordScope, accounts: Accounts, stored: StoredCollection,
                body: dict[str, Any] | None) -> StoredRecord:
    """The record a valid, live code belongs to, its code consumed; one generic 400 for every way it fails."""
    require_otp(stored)
    form = otp_form(body)
    collection = stored.collection
    otps = service.collections.get(OTPS_COLLECTION_NAME)
    otp = (service.records.get(otps.collection.id, form.otp_id, service.meter)
           if is_valid_record_id(form.otp_id) else None)
    # One generic 400 for an unknown, foreign, expired or orphaned code: PocketBase's OTP enumeration protection.
    if (otp is None or value(otps, otp, "collectionRef") != collection.id
            or _expired(otps, otp, collection.otp.duration)):
        raise _refused(service, accounts, stored, "invalid_otp")
    record = load(service, stored, str(value(otps, otp, "recordRef") or ""))
    if record is None:
        raise _refused(service, accounts, stored, "invalid_otp")
    ip = service.request.ip
    try:
        # Codes are short digit strings: every guess at one account's codes is counted before it is checked.
        attempt = accounts.throttle.begin_attempt(collection.id, f"otp:{record.id}", ip, burst=OTP_GUESSES)
    except TooManyRequestsError as exc:
        logger.warning("otp sign-in throttled", extra={"collection_id": collection.id, "ip": ip})
        accounts.events.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, None, method="otp",
                                           reason="throttled"))
        raise TooManyRequestsError(TOO_MANY_ATTEMPTS, headers=exc.headers) from exc
    if not verify_password(str(value(otps, otp, "password") or ""), form.password):
        accounts.throttle.failed(attempt)
        raise _refused(service, accounts, stored, "invalid_credentials")
    # Single use: of two requests racing with one code, only the one whose delete lands signs in.
    if not _consume(service, otp.id, otp.etag):
        raise _refused(service, accounts, stored, "invalid_otp")
    accounts.throttle.succeeded(attempt)
    record = _mark_verified(service, stored, record, str(value(otps, otp, "sentTo") or ""))
    logger.info("otp sign-in succeeded", extra={"collection_id": collection.id, "record_id": record.id, "ip": ip})
    accounts.events.emit(auth_envelope(AUTH_SIGNIN, service, stored, record, method="otp"))
    return record


def _expired(otps: StoredCollection, otp: StoredRecord, duration_s: int) -> bool:
    created = parse_datetime(value(otps, otp, "created"))
    return created is None or time.time() - created.timestamp() > duration_s


def _refused(service: RecordScope, accounts: Accounts, stored: StoredCollection, reason: str) -> BadRequestError:
    # Never the code nor the otpId in logs or events: either would help whoever reads them sign in.
    logger.info("otp sign-in failed", extra={"collection_id": stored.collection.id, "ip": service.request.ip,
                                             "reason": reason})
    accounts.events.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, None, method="otp", reason=reason))
    return BadRequestError(INVALID_OTP)


def _consume(service: RecordScope, otp_id: str, etag: str | None) -> bool:
    """Delete the code (only the version read, when `etag` is given); False when it was gone already."""
    try:
        system_service(service).writer.delete(OTPS_COLLECTION_NAME, otp_id, if_match=etag)
    except (NotFoundError, PreconditionFailedError):
        return False
    except ApiError:
        logger.warning("failed to delete an OTP", extra={"otp_id": otp_id})
        return False
    return True


def _mark_verified(service: RecordScope, stored: StoredCollection, record: StoredRecord,
                   sent_to: str) -> StoredRecord:
    """As PocketBase: a code mailed to the record's current address proves it owns that address."""
    if value(stored, record, "verified") or not sent_to or email_of(stored, record) != sent_to:
        return record
    changes: dict[str, Any] = {"verified": True}
    if not stored.collection.mfa.enabled:
        # As PocketBase: a code used on its own resets the password, against pre-hijacking of unverified accounts.
        random = secrets.token_urlsafe(24)
        changes.update(password=random, passwordConfirm=random)
    try:
        system_update(service, stored, record.id, changes, "Failed to update the verified state.")
    except ApiError:
        logger.exception("otp: failed to mark the record verified", extra={"record_id": record.id})
        return record
    return load(service, stored, record.id) or record
