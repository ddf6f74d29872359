"""An audit entry: who changed which record how, when and from where; its API JSON and its deterministic id.

The id is 8 base-36 characters of the change's time (milliseconds) then 7 of a hash of the stream record's
eventID: ids sort by time, and a redelivered stream batch rewrites the very same entries.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
TIME_DIGITS = 8
ID_LENGTH = 15


def _base36(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        digits.append(ID_ALPHABET[digit])
    return "".join(reversed(digits))


def id_time_prefix(epoch_ms: int) -> str:
    """The 8-character time part of every id created at `epoch_ms`."""
    return _base36(max(0, epoch_ms), TIME_DIGITS)


def entry_id(epoch_ms: int, stream_event_id: str) -> str:
    suffix = int(hashlib.sha256(stream_event_id.encode()).hexdigest()[:12], 16) % 36 ** (ID_LENGTH - TIME_DIGITS)
    return id_time_prefix(epoch_ms) + _base36(suffix, ID_LENGTH - TIME_DIGITS)


def id_epoch_ms(audit_id: str) -> int | None:
    """The time an audit id carries; None for text that is no audit id."""
    if len(audit_id) != ID_LENGTH or any(c not in ID_ALPHABET for c in audit_id):
        return None
    return int(audit_id[:TIME_DIGITS], 36)


def format_created(epoch_ms: int) -> str:
    """PocketBase's datetime text: `2026-12-01 13:49:15.845Z`."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class AuditActor(BaseModel):
    """Who: `kind` is auth, superuser, impersonator (then `impersonatorId` is the superuser), guest or system;
    `apiTokenId` names the API token an auth record or superuser acted through."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    kind: str = "system"
    id: str = ""
    collection_id: str = Field("", alias="collectionId")
    collection_name: str = Field("", alias="collectionName")
    impersonator_id: str = Field("", alias="impersonatorId")
    # the API token `id` acted through (Lambdabase's API tokens), when it used one
    api_token_id: str = Field("", alias="apiTokenId")


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    old: Any = None
    new: Any = None


class AuditEntry(BaseModel):
    """One record change as the audit API shows it (`GET /api/audit/{id}`)."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    id: str
    created: str
    action: str  # create | update | delete
    collection_id: str = Field(alias="collectionId")
    collection_name: str = Field(alias="collectionName")
    record: str
    actor: AuditActor
    ip: str = ""
    user_agent: str = Field("", alias="userAgent")
    request_id: str = Field("", alias="requestId")
    # the stream's sequence number: a record's entries in their true order
    sequence: str = ""
    changed_fields: list[str] = Field(default=[], alias="changedFields")
    changes: dict[str, FieldChange] = {}

    @property
    def created_ms(self) -> int:
        return id_epoch_ms(self.id) or 0

    def to_api_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)
