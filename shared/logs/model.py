"""A request log as PocketBase models it (`id`, `created`, `level`, `message`, `data`), and its time-ordered id.

A log id is 15 characters of `[0-9a-z]`, like every PocketBase id, but not random throughout: the first 8 are
the creation time in epoch milliseconds in base 36 (fixed width, so text order is time order up to 2059), the
last 7 random. The id alone names the day partition and the write shard of the stored log, so
`GET /api/logs/{id}` is one GetItem and needs no index, and sorting by id is sorting by creation time.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 15
TIME_DIGITS = 8
# PocketBase's log levels (Go's slog): DEBUG -4, INFO 0, WARN 4, ERROR 8.
LEVEL_INFO = 0
LEVEL_ERROR = 8


def _base36(value: int, width: int) -> str:
    digits = []
    for _ in range(width):
        value, digit = divmod(value, 36)
        digits.append(ID_ALPHABET[digit])
    if value:
        raise ValueError("value too large for its width")
    return "".join(reversed(digits))


def id_time_prefix(epoch_ms: int) -> str:
    """The 8-character time part every log id created at `epoch_ms` starts with."""
    return _base36(max(0, epoch_ms), TIME_DIGITS)


def new_log_id(epoch_ms: int) -> str:
    """A fresh log id for a log created at `epoch_ms`."""
    # 36 random bits (crypto-grade, as PocketBase's ids) fit 7 base-36 digits: 36**7 > 2**36.
    return id_time_prefix(epoch_ms) + _base36(secrets.randbits(36), ID_LENGTH - TIME_DIGITS)


def id_epoch_ms(log_id: str) -> int | None:
    """The creation time a log id carries, or None when the text is no log id of ours."""
    if len(log_id) != ID_LENGTH or any(c not in ID_ALPHABET for c in log_id):
        return None
    return int(log_id[:TIME_DIGITS], 36)


def format_created(moment: datetime) -> str:
    """PocketBase's datetime text: `2026-12-01 13:49:15.845Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def from_epoch_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


class LogEntry(msgspec.Struct, frozen=True):
    """One log. `data` holds the request's facts (`type` "request", method, url, status, execTime, ...)."""

    id: str
    created_ms: int
    level: int
    message: str
    data: dict[str, Any] = msgspec.field(default_factory=dict)

    @property
    def created(self) -> str:
        return format_created(from_epoch_ms(self.created_ms))

    def to_api_json(self) -> dict[str, Any]:
        """The log as `GET /api/logs` shows it, in PocketBase's key order."""
        return {"id": self.id, "created": self.created, "data": self.data, "message": self.message,
                "level": self.level}
