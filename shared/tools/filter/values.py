"""Compares two scalar values the way PocketBase's SQL does on SQLite, in three-valued logic.

- `=` / `!=`: null and `''` are the same value (PocketBase wraps both sides in `COALESCE(x, '')`), and
  the answer is always True or False; with `null_fallback=False` (a JSON operand) null is only equal to
  null, as SQL's `IS` / `IS NOT`.
- `<`, `<=`, `>`, `>=`, `~`, `!~`: a null side gives None (SQL's unknown), which never matches.
- Booleans are the integers 1 and 0 (SQLite stores them so), `Decimal` (DynamoDB) is a number, lists and
  dicts compare as their compact JSON text, NaN is null.
- A number against a text: if the text looks numeric the two compare as numbers, otherwise the number is
  smaller (SQLite orders INTEGER/REAL before TEXT). Two texts compare as texts, even if both look numeric
  (`"10" < "9"`), as SQLite does for two TEXT values; datetimes are texts in PocketBase's
  `2006-01-02 15:04:05.000Z` format, so they order correctly as texts.
"""

from __future__ import annotations

import json
import math
import re
from contextlib import suppress
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from shared.tools.filter.ast import format_number
from shared.tools.filter.like import like_match, wrap_field_pattern, wrap_literal_pattern

Scalar = str | int | float | None

_NUMERIC_TEXT = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


class LikeOperand(Enum):
    """How the right side of `~` becomes a pattern (PocketBase differs for parameters and columns)."""

    LITERAL = "literal"  # quoted text, number, macro or @request.* value: escaped and wrapped unless it has `%`
    FIELD = "field"  # a record column: wrapped as `%value%`, its own `%` and `_` stay wildcards


def normalize(value: Any) -> Scalar:
    """Reduce any resolver value to None, int, float or str."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None if value.is_nan() else float(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return format_datetime_value(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple | dict):
        try:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
        except (TypeError, ValueError, RecursionError):  # circular, too deep or unserializable
            return str(value)
    return str(value)


def format_datetime_value(value: date) -> str:
    """PocketBase's datetime text, `2006-01-02 15:04:05.000Z`, for a date or (UTC) datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            # Within a day of year 1 or 9999 the conversion overflows; keep the wall clock then.
            with suppress(OverflowError):
                value = value.astimezone(UTC)
        clock = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}Z"
    else:
        clock = "00:00:00.000Z"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {clock}"


def as_text(value: Scalar) -> str:
    """The text SQLite would use for a value in LIKE or string functions."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))  # as Go's FormatFloat(v, 'f', -1, 64): 5.0 -> "5"
    return format_number(value) if math.isfinite(value) else str(value)


def to_number(value: Scalar) -> int | float | None:
    """The numeric value of a number or numeric-looking text, else None."""
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value):
        stripped = value.strip()
        if re.fullmatch(r"[+-]?\d+", stripped):
            try:
                return int(stripped)
            except ValueError:  # beyond int()'s digit limit
                return float(stripped)
        return float(stripped)
    return None


def compare_values(left: Any, op: str, right: Any, like_operand: LikeOperand,
                   null_fallback: bool = True) -> bool | None:
    """`left op right` with `op` one of `= != > >= < <= ~ !~`; None means SQL's unknown."""
    a, b = normalize(left), normalize(right)
    if op in ("=", "!=") and not null_fallback and (a is None or b is None):
        equal = a is None and b is None
        return equal if op == "=" else not equal
    if op in ("=", "!="):
        equal = _order("" if a is None else a, "" if b is None else b) == 0
        return equal if op == "=" else not equal
    if a is None or b is None:
        return None
    if op in ("~", "!~"):
        text = as_text(b)
        pattern = wrap_literal_pattern(text) if like_operand is LikeOperand.LITERAL else wrap_field_pattern(text)
        matched = like_match(as_text(a), pattern)
        return matched if op == "~" else not matched
    order = _order(a, b)
    if op == ">":
        return order > 0
    if op == ">=":
        return order >= 0
    if op == "<":
        return order < 0
    return order <= 0


def _order(a: int | float | str, b: int | float | str) -> int:
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    a_number, b_number = to_number(a), to_number(b)
    if a_number is None:
        return 1  # a is a non-numeric text: texts sort after numbers
    if b_number is None:
        return -1
    return (a_number > b_number) - (a_number < b_number)
