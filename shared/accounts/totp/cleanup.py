"""A deleted auth record takes its TOTP factor with it, so a record created later with the same id (ids may be
chosen on create) never inherits a second factor, recovery codes or remembered devices."""

from __future__ import annotations

from shared.records.hooks import RecordEvent


def forget_totp_of_deleted_record(event: RecordEvent) -> None:
    if not event.collection.is_auth:
        return
    from shared.accounts.totp.composition import totp_service

    totp_service().forget(event.collection.id, event.record.id)
