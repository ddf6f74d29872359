"""What account rules add to record writes, through the records hook seam: the password policy on every new
password of an auth record, and the end of every session (and of OTP codes and known origins, otp_hooks.py)
when a record's credentials change."""

from __future__ import annotations

from typing import Any

from shared.accounts.totp.cleanup import forget_totp_of_deleted_record
from shared.collections.model import TOKEN_KEY_FIELD
from shared.observability import logger
from shared.records.hooks import RecordEvent, RecordHooks


def password_policy_errors(event: RecordEvent) -> dict[str, Any]:
    """Policy errors of the password a create or update sets, merged with the record's validation errors."""
    from shared.accounts.password_policy import new_password_errors

    return new_password_errors(event.collection, event.body, event.existing.data if event.existing else None)


def revoke_sessions_after_credential_change(event: RecordEvent) -> None:
    """A changed tokenKey (a new password, email or explicit reset) already ended the record's plain auth tokens;
    revoke its sessions too, or a refresh token would mint new ones."""
    from shared.accounts.collaborators import accounts

    field = event.collection.field_by_name(TOKEN_KEY_FIELD)
    if field is None or event.write is None or field.id not in event.write.changed:
        return
    count = accounts().refresh.revoke_all(event.collection.id, event.record.id)
    logger.info("credentials changed; sessions revoked", extra={
        "collection_id": event.collection.id, "record_id": event.record.id, "sessions": count})


def register_account_hooks(hooks: RecordHooks) -> None:
    from shared.accounts.api_tokens import register_api_token_hooks
    from shared.accounts.installer import register_installer_hooks
    from shared.accounts.otp_hooks import forget_after_credential_change, forget_deleted_auth_record

    hooks.on("validate", password_policy_errors, actions=("create", "update"), collections=())
    hooks.on("after", revoke_sessions_after_credential_change, actions=("update",))
    hooks.on("after", forget_after_credential_change, actions=("update",))
    hooks.on("after", forget_deleted_auth_record, actions=("delete",))
    register_api_token_hooks(hooks)
    hooks.on("after", forget_totp_of_deleted_record, actions=("delete",))
    register_installer_hooks(hooks)
