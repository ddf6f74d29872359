"""Apply a create/update request body to a record's values, including PocketBase's key modifiers.

Modifiers: "field+" appends (or adds, for numbers), "+field" prepends, "field-" removes (or subtracts),
"field:autogenerate" regenerates a text field. Keys are applied in sorted order, as PocketBase does.
"""

from __future__ import annotations

from typing import Any

import msgspec

from shared.collections.coerce import to_float, to_number
from shared.collections.fields import (
    AutodateField,
    BaseField,
    ComputedField,
    FileField,
    MultiValueField,
    NumberField,
    PasswordField,
    TextField,
)
from shared.collections.model import Collection
from shared.files.uploaded import UploadedFile

AUTOGENERATE_SUFFIX = ":autogenerate"
# keys the records API reads but which are not field values
IGNORED_BODY_KEYS = frozenset({"expand", "passwordConfirm", "oldPassword"})


class AppliedBody(msgspec.Struct):
    """Field values (by name) after the body, and how each field was touched."""

    values: dict[str, Any]
    sent_names: set[str] = msgspec.field(default_factory=set)
    # numbers changed only through "+"/"-": the net delta, so storage can apply it atomically
    number_deltas: dict[str, int | float] = msgspec.field(default_factory=dict)
    autogenerate_prefixes: dict[str, str] = msgspec.field(default_factory=dict)


def apply_body(collection: Collection, body: dict[str, Any], current: dict[str, Any], *,
               allow_hidden: bool) -> AppliedBody:
    """Apply body to a copy of current (values by field name); unknown keys are ignored."""
    applied = AppliedBody(values=dict(current))
    absolute_numbers: set[str] = set()
    for key in sorted(body):
        if key in IGNORED_BODY_KEYS and collection.field_by_name(key) is None:
            continue
        resolved = _resolve_key(collection, key)
        if resolved is None:
            continue
        target, operation = resolved
        if target.hidden and not allow_hidden and not _is_auth_password(collection, target):
            continue  # only superusers may write hidden fields
        raw = body[key]
        if not isinstance(target, FileField):
            # as PocketBase, which reads file parts for file fields only: other fields see just the text parts
            raw = _without_uploads(raw)
            if raw is _NOTHING:
                continue
        name = target.name
        applied.sent_names.add(name)
        if operation == "set":
            applied.values[name] = target.normalize(raw)
            absolute_numbers.add(name)
        elif operation == "autogenerate":
            applied.autogenerate_prefixes[name] = target.normalize(raw)
        elif isinstance(target, NumberField):
            delta = to_float(raw) if operation == "append" else -to_float(raw)
            applied.values[name] = to_number(to_float(applied.values.get(name)) + delta)
            if name not in absolute_numbers:
                applied.number_deltas[name] = to_number(to_float(applied.number_deltas.get(name)) + delta)
        elif isinstance(target, MultiValueField):
            current_value = applied.values.get(name)
            if operation == "append":
                applied.values[name] = target.appended(current_value, raw)
            elif operation == "prepend":
                applied.values[name] = target.prepended(current_value, raw)
            else:
                applied.values[name] = target.subtracted(current_value, raw)
    for name in absolute_numbers:
        applied.number_deltas.pop(name, None)
    return applied


_NOTHING = object()


def _without_uploads(raw: Any) -> Any:
    if isinstance(raw, UploadedFile):
        return _NOTHING
    if isinstance(raw, list) and any(isinstance(item, UploadedFile) for item in raw):
        texts = [item for item in raw if not isinstance(item, UploadedFile)]
        return _NOTHING if not texts else texts[0] if len(texts) == 1 else texts
    return raw


def _resolve_key(collection: Collection, key: str) -> tuple[BaseField, str] | None:
    exact = collection.field_by_name(key)
    if exact is not None:
        # autodate and computed values are server owned: PocketBase's setter for autodate is a no-op
        return None if isinstance(exact, AutodateField | ComputedField) else (exact, "set")
    candidates: list[tuple[str, str]] = []
    if key.endswith(AUTOGENERATE_SUFFIX):
        candidates.append((key.removesuffix(AUTOGENERATE_SUFFIX), "autogenerate"))
    if key.endswith("+"):
        candidates.append((key[:-1], "append"))
    if key.startswith("+"):
        candidates.append((key[1:], "prepend"))
    if key.endswith("-"):
        candidates.append((key[:-1], "subtract"))
    for name, operation in candidates:
        target = collection.field_by_name(name)
        if target is not None and _supports(target, operation):
            return target, operation
    return None


def _supports(target: BaseField, operation: str) -> bool:
    if operation == "autogenerate":
        return isinstance(target, TextField)
    if operation in ("append", "subtract"):
        return isinstance(target, NumberField | MultiValueField)
    return isinstance(target, MultiValueField)


def _is_auth_password(collection: Collection, target: BaseField) -> bool:
    return collection.is_auth and isinstance(target, PasswordField) and target.name == "password"
