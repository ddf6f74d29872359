"""What an audit entry says changed: each changed field's old and new value as the API shows them, secrets redacted.

Redacted: every password field (whose stored value is a hash), an auth collection's tokenKey, and every
hidden field (the `_webhooks` signing secret among them): the entry still says the field changed. A value
whose JSON is over MAX_VALUE_BYTES is replaced by a note of its size, so that an entry stays one small item
(a 200 KB text field changed is logged as changed, not copied twice into the log).
"""

from __future__ import annotations

import json
from typing import Any

from shared.audit.model import FieldChange
from shared.collections.fields import BaseField, PasswordField
from shared.collections.model import TOKEN_KEY_FIELD, Collection

REDACTED = "[redacted]"
MAX_VALUE_BYTES = 1024


def is_secret(collection: Collection, field: BaseField) -> bool:
    return (isinstance(field, PasswordField) or field.hidden
            or (collection.is_auth and field.name == TOKEN_KEY_FIELD))


def shown_value(collection: Collection, field: BaseField, stored: Any) -> Any:
    """A field's value as the entry keeps it: redacted, cut to a size note, or as the API shows it."""
    if stored is None:
        return None
    if is_secret(collection, field):
        return REDACTED
    value = field.from_stored(stored)
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
    return value if size <= MAX_VALUE_BYTES else f"[{size} bytes, not kept]"


def field_changes(collection: Collection, old: dict[str, Any] | None,
                  new: dict[str, Any] | None) -> dict[str, FieldChange]:
    """Changed fields by name, in schema order: on create every field set, on delete every field that was set."""
    before, after = old or {}, new or {}
    out: dict[str, FieldChange] = {}
    for field in collection.fields:
        was, now = before.get(field.id), after.get(field.id)
        if was == now:
            continue
        out[field.name] = FieldChange(old=shown_value(collection, field, was) if old is not None else None,
                                      new=shown_value(collection, field, now) if new is not None else None)
    return out
