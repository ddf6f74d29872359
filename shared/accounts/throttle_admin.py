"""Superuser action: clear the sign-in failure counters of an account and/or an IP (never a permanent lock)."""

from __future__ import annotations

from typing import Any

from shared.accounts.auth_records import VALIDATION_FAILED, require_superuser, text
from shared.accounts.collaborators import Accounts
from shared.catalog.repository import StoredCollection
from shared.errors import BadRequestError, field_error
from shared.observability import logger
from shared.records.context import AuthState


def clear_sign_in_failures(accounts: Accounts, stored: StoredCollection, auth: AuthState | None,
                           body: dict[str, Any]) -> None:
    """Forget the failures counted for `identity` (in this collection) and/or `ip`."""
    superuser = require_superuser(auth)
    identity, ip = text(body, "identity").strip(), text(body, "ip").strip()
    if not identity and not ip:
        raise BadRequestError(VALIDATION_FAILED, {"identity": field_error(
            "validation_required", "Identity or ip is required.")})
    if identity:
        accounts.throttle.clear(stored.collection.id, identity)
    if ip:
        accounts.throttle.clear_ip(ip)
    logger.warning("sign-in failure counters cleared", extra={
        "superuser_id": superuser.record.id, "collection_id": stored.collection.id,
        "identity_cleared": bool(identity), "ip": ip or None})
