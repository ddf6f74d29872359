"""TOTP at sign-in: `auth-with-totp {mfaId, code}` completes PocketBase's MFA flow started by another method
(shared/accounts/totp/override.py makes an enrolled record start one at every sign-in)."""

from __future__ import annotations

from typing import Any

from shared.accounts.auth_events import auth_envelope
from shared.accounts.auth_records import VALIDATION_FAILED, load
from shared.accounts.collaborators import Accounts
from shared.accounts.mfa import INVALID_OR_EXPIRED, find_mfa_session, request_mfa_id
from shared.accounts.signin import auth_response
from shared.accounts.totp.management import required_code
from shared.accounts.totp.override import DEVICE_TOKEN
from shared.accounts.totp.service import TotpService
from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, TooManyRequestsError, field_error
from shared.events.catalogue import AUTH_SIGNIN, AUTH_SIGNIN_FAILED
from shared.records.scope import RecordScope

METHOD = "totp"
REMEMBER_DEVICE = "rememberDevice"


def auth_with_totp(service: RecordScope, accounts: Accounts, totp: TotpService, stored: StoredCollection,
                   body: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """{token, record, refreshToken[, deviceToken]} once a TOTP or recovery code of the MFA session's record passes.

    TOTP is only ever a second factor: without the `mfaId` of a first method's 401 there is no record to check.
    """
    mfa_id = request_mfa_id(params, body)
    if not mfa_id:
        raise BadRequestError(VALIDATION_FAILED, {"mfaId": field_error("validation_required", "Cannot be blank.")})
    code = required_code(body)
    remember = body.get(REMEMBER_DEVICE, False)
    if not isinstance(remember, bool):
        raise BadRequestError(VALIDATION_FAILED, {REMEMBER_DEVICE: field_error("validation_invalid_bool",
                                                                               "Must be a boolean.")})
    session = find_mfa_session(service, stored, mfa_id)
    record = load(service, stored, session.record_ref) if session is not None else None
    if session is None or record is None:
        raise BadRequestError(INVALID_OR_EXPIRED)
    try:
        enrolment = totp.verify(stored.collection.id, record.id, code, service.request.ip)
    except (BadRequestError, TooManyRequestsError) as exc:
        # Never the code: receivers are widely read, and a failed code is one digit off a valid one.
        reason = "throttled" if isinstance(exc, TooManyRequestsError) else "invalid_code"
        accounts.events.emit(auth_envelope(AUTH_SIGNIN_FAILED, service, stored, record, method=METHOD, reason=reason))
        raise
    # The MFA check inside consumes the session: same record, not expired, a method other than TOTP first.
    answer = auth_response(service, accounts, stored, record, params, method=METHOD, body=body)
    accounts.events.emit(auth_envelope(AUTH_SIGNIN, service, stored, record, method=METHOD))
    if remember:
        token = totp.remember_device(enrolment)
        if token is not None:
            answer[DEVICE_TOKEN] = token
    return answer

