"""Managing a record's TOTP factor over HTTP: who may (the record itself, or a superuser), and what each answers.

Status, enrolment, confirmation, disabling and forgetting remembered devices of `records/{id}/totp`; the sign-in
side (auth-with-totp and the MFA override) is shared/accounts/totp/signin.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.accounts.auth_records import VALIDATION_FAILED, email_of, load, require_auth, text
from shared.accounts.totp.qr import qr_images
from shared.accounts.totp.service import Status, TotpService
from shared.app_settings import provider
from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, ForbiddenError, NotFoundError, field_error
from shared.observability import logger
from shared.records.context import AuthState
from shared.records.model import StoredRecord
from shared.records.scope import RecordScope

MAX_CODE_LENGTH = 64  # a recovery code with its dashes fits easily; anything longer is not a code


def _date(epoch: int) -> str:
    """PocketBase's datetime format."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S.000Z")


def target_record(service: RecordScope, stored: StoredCollection, record_id: str) -> tuple[AuthState, StoredRecord]:
    """The caller (the record itself or a superuser: 401/403 otherwise) and the record (404 when missing)."""
    auth = require_auth(service.request.auth)
    if not auth.is_superuser and (auth.collection.id != stored.collection.id or auth.record.id != record_id):
        raise ForbiddenError()  # another user's record: never say whether it exists or has TOTP
    record = load(service, stored, record_id)
    if record is None:
        raise NotFoundError()
    return auth, record


def required_code(body: dict[str, Any]) -> str:
    """The body's `code`: a TOTP code or a recovery code (the service checks which), as a string."""
    code = optional_code(body)
    if code is None:
        raise BadRequestError(VALIDATION_FAILED, {"code": field_error("validation_required", "Cannot be blank.")})
    return code


def optional_code(body: dict[str, Any]) -> str | None:
    code = text(body, "code").strip()
    if not code:
        return None
    if len(code) > MAX_CODE_LENGTH:
        raise BadRequestError(VALIDATION_FAILED, {"code": field_error("validation_invalid_code",
                                                                      "Invalid or expired code.")})
    return code


def status_json(status: Status) -> dict[str, Any]:
    return {"enabled": status.enabled, "pending": status.pending, "recoveryCodesLeft": status.recovery_codes_left,
            "rememberedDevices": status.remembered_devices,
            "enabledAt": _date(status.enabled_at) if status.enabled_at is not None else ""}


def totp_status(service: RecordScope, totp: TotpService, stored: StoredCollection, record_id: str) -> dict[str, Any]:
    target_record(service, stored, record_id)
    return status_json(totp.status(stored.collection.id, record_id))


def totp_enroll(service: RecordScope, totp: TotpService, stored: StoredCollection, record_id: str) -> dict[str, Any]:
    """A new pending secret with its URI and QR codes; the record needs TOTP only once it is confirmed."""
    _, record = target_record(service, stored, record_id)
    issuer = provider.current().meta.app_name or "Lambdabase"
    enrolment = totp.enrol(stored.collection.id, record_id, issuer=issuer,
                           account=email_of(stored, record) or record_id)
    return {"secret": enrolment.secret, "uri": enrolment.uri, "qr": qr_images(enrolment.uri),
            "expires": _date(enrolment.expires_at)}


def totp_confirm(service: RecordScope, totp: TotpService, stored: StoredCollection, record_id: str,
                 body: dict[str, Any]) -> dict[str, Any]:
    """Activate the pending secret with a code of it; the ten recovery codes, which are never shown again."""
    target_record(service, stored, record_id)
    recovery = totp.confirm(stored.collection.id, record_id, required_code(body), service.request.ip)
    return {"recoveryCodes": recovery}


def totp_disable(service: RecordScope, totp: TotpService, stored: StoredCollection, record_id: str,
                 body: dict[str, Any]) -> None:
    """Turn the factor off with a current code or a recovery code; a superuser may reset another's without one."""
    auth, _ = target_record(service, stored, record_id)
    code = optional_code(body)
    own = auth.collection.id == stored.collection.id and auth.record.id == record_id
    # Whoever holds only a session must also prove the factor, or a stolen token could strip it; a superuser
    # resetting someone else's lost factor is the account-recovery path (logged).
    if code is None and (own or not auth.is_superuser):
        code = required_code(body)  # raises the validation error
    if code is None:
        logger.warning("totp reset by a superuser", extra={"collection_id": stored.collection.id,
                                                           "record_id": record_id, "by": auth.record.id})
    totp.disable(stored.collection.id, record_id, code, service.request.ip)


def totp_forget_devices(service: RecordScope, totp: TotpService, stored: StoredCollection, record_id: str) -> None:
    """Every remembered device asks for the second factor again at its next sign-in."""
    target_record(service, stored, record_id)
    totp.forget_devices(stored.collection.id, record_id)
