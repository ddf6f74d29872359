"""Conversion between plain Python values and DynamoDB attribute values, used by every data-access module."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Integral numbers above this come back as float, as JSON (and JavaScript) can only carry them that way.
_MAX_SAFE_INT = 2**53


def _storable(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dict):
        return {str(k): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < _MAX_SAFE_INT else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def to_attribute(value: Any) -> dict[str, Any]:
    """One plain value (numbers, text, bools, None, lists, dicts) as a DynamoDB attribute value."""
    return dict(_serializer.serialize(_storable(value)))


def _plain_number(text: str) -> Any:
    digits = text[1:] if text[:1] == "-" else text
    if digits.isdigit() and len(digits) < 16:  # an integer below 2**53: what the Decimal path gives, directly
        return int(text)
    return _plain(_deserializer.deserialize({"N": text}))


def from_attribute(value: dict[str, Any]) -> Any:
    """One DynamoDB attribute value as a plain, JSON-safe value (integral numbers become int)."""
    # One pass for the common types (every record read goes through here); sets, binary and odd numbers
    # through boto3's deserializer, as before.
    if len(value) == 1:
        kind, inner = next(iter(value.items()))
        if kind == "S":
            return inner
        if kind == "N":
            return _plain_number(inner)
        if kind == "M":
            return {k: from_attribute(v) for k, v in inner.items()}
        if kind == "L":
            return [from_attribute(v) for v in inner]
        if kind == "BOOL":
            return inner
        if kind == "NULL":
            return None
    return _plain(_deserializer.deserialize(value))  # type: ignore[arg-type]


def plain_value(value: Any) -> Any:
    """An already deserialized DynamoDB value (Decimal, set, bytes) as a plain, JSON-safe value."""
    return _plain(value)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: to_attribute(v) for k, v in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: from_attribute(v) for k, v in item.items()}
