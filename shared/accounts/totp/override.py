"""The MFA override of TOTP (an `Accounts.mfa_overrides` entry): a record that enrolled TOTP needs a second factor
at every sign-in, even where its collection's MFA is off, unless the sign-in presents a remembered device."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.accounts.totp.service import TotpService
    from shared.catalog.repository import StoredCollection
    from shared.records.model import StoredRecord
    from shared.records.scope import RecordScope

# The sign-in body's (or query's) field carrying a remembered device's token.
DEVICE_TOKEN = "deviceToken"

Override = Callable[["RecordScope", "StoredCollection", "StoredRecord", dict[str, Any]], "bool | None"]


def _process_service() -> TotpService:
    from shared.accounts.totp.composition import totp_service

    return totp_service()


def totp_override(service_of: Callable[[], TotpService] = _process_service) -> Override:
    """True for an enrolled record, False when the sign-in presents a live remembered device of its current factor,
    None (PocketBase's mfa options decide) for a record without TOTP. One GetItem per sign-in; no KMS call."""

    def requires_totp(scope: RecordScope, stored: StoredCollection, record: StoredRecord,
                      request: dict[str, Any]) -> bool | None:
        totp = service_of()
        enrolment = totp.enrolment(stored.collection.id, record.id)
        if enrolment is None:
            return None
        # Only a token of this record's current factor skips it: another record's, a forged or an expired one not.
        return not totp.device_remembered(enrolment, request.get(DEVICE_TOKEN))

    return requires_totp
