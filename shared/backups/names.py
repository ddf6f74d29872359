"""Backup names as PocketBase forms and checks them: `pb_backup_<app>_<UTC time>.zip`, `[a-z0-9_-]+.zip`."""

from __future__ import annotations

import re
from datetime import UTC, datetime

NAME_PATTERN = re.compile(r"^[a-z0-9_-]+\.zip$")
MAX_NAME_LENGTH = 150
MANUAL_PREFIX = "pb_backup_"
AUTO_PREFIX = "@auto_pb_backup_"
# PocketBase cuts the app name so that a generated name stays well under the 150-character limit.
MAX_APP_NAME = 50

_WORD_BOUNDARY = re.compile(r"[^a-zA-Z0-9]+")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(text: str) -> str:
    """PocketBase's inflector.Snakecase: words split on non-alphanumerics and camel humps, lower-cased, `_`-joined."""
    words = _WORD_BOUNDARY.split(_CAMEL.sub(r"\1 \2", text))
    return "_".join(word.lower() for word in words if word)


def generated_name(app_name: str, prefix: str = MANUAL_PREFIX, now: datetime | None = None) -> str:
    """`pb_backup_acme_20261201135025.zip` for app "Acme": the name of a backup created without one."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{prefix}{snake_case(app_name)[:MAX_APP_NAME]}_{moment:%Y%m%d%H%M%S}.zip"


def name_error(name: str) -> dict[str, object] | None:
    """PocketBase's validation error of a requested backup name (the `name` field's), None when it is valid."""
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        return {"code": "validation_length_out_of_range", "message": "The length must be between 1 and 150.",
                "params": {"max": MAX_NAME_LENGTH, "min": 1}}
    if not NAME_PATTERN.match(name):
        return {"code": "validation_match_invalid", "message": "Must be in a valid format."}
    return None


def is_safe_key(key: str) -> bool:
    """Whether a key from a URL or an upload may name an object of the backups location (one path segment)."""
    return bool(key) and "/" not in key and "\\" not in key and key not in (".", "..") and len(key) <= 255 \
        and not key.startswith(".")


def stored_upload_name(filename: str) -> str:
    """The name PocketBase gives an uploaded file, which its upload errors quote: snake-cased, with a suffix."""
    import secrets
    import string

    alphabet = string.ascii_lowercase + string.digits
    stem, dot, ext = filename.rpartition(".")
    base = snake_case(stem if dot else filename) or "file"
    if len(base) < 3:
        base += "".join(secrets.choice(alphabet) for _ in range(10))
    suffix = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{base}_{suffix}" + (f".{ext.lower()}" if dot else "")
