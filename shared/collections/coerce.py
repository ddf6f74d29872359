"""Value coercions with the semantics of Go's spf13/cast, which PocketBase applies to submitted values."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

_TRUE_STRINGS = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE_STRINGS = frozenset({"0", "f", "F", "FALSE", "false", "False"})
# floats beyond 2^53 lose integer precision, so keep them as floats
_MAX_EXACT_INT = 2**53


def format_float(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < _MAX_EXACT_INT:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def to_string(value: Any) -> str:
    """cast.ToString: scalars become text, anything else (lists, objects, null) becomes ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Decimal):
        return format_float(float(value))
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return ""


def to_float(value: Any) -> float:
    """cast.ToFloat64: numbers and numeric strings convert, anything unparsable becomes 0."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):  # DynamoDB hands numbers back as Decimal
        return float(value)
    if isinstance(value, str):
        # Go's ParseFloat rejects surrounding spaces and digit separators that Python accepts
        if value != value.strip() or "_" in value:
            return 0.0
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def to_number(value: Any) -> int | float:
    """to_float, but integral values come back as int so that JSON shows 12 rather than 12.0."""
    number = to_float(value)
    if math.isfinite(number) and number == int(number) and abs(number) < _MAX_EXACT_INT:
        return int(number)
    return number


def to_bool(value: Any) -> bool:
    """cast.ToBool: Go's ParseBool spellings for strings, non-zero for numbers, false otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value != 0
    if isinstance(value, str):
        return value in _TRUE_STRINGS
    return False


def to_unique_strings(value: Any) -> list[str]:
    """PocketBase's list.ToUniqueStringSlice: JSON array strings are decoded, empties and repeats dropped.

    Note that a plain "a,b" string stays one value: PocketBase doesn't split on commas.
    """
    items: list[str]
    if value is None:
        items = []
    elif isinstance(value, str):
        items = _strings_from_text(value)
    elif isinstance(value, list | tuple):
        items = [to_string(item) for item in value]
    else:
        items = [to_string(value)]
    return list(dict.fromkeys(item for item in items if item))


def _strings_from_text(text: str) -> list[str]:
    if not text:
        return []
    if "[" in text:
        try:
            decoded = json.loads(text)
        except ValueError:
            return [text]
        if isinstance(decoded, list) and all(isinstance(item, str) for item in decoded):
            return decoded
    return [text]
