"""Conversion between plain Python values and DynamoDB attribute values, used by every data-access module."""

from __future__ import annotations

from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from functools import cache
from typing import Any

# Integral numbers above this come back as float, as JSON (and JavaScript) can only carry them that way.
_MAX_SAFE_INT = 2**53
# DynamoDB's numbers: 38 significant digits, magnitudes 1E-130 to 9.9E+125; anything else is refused, not rounded.
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])
_INT_DIGITS = 10**38


@cache
def _boto3_types() -> tuple[Any, Any]:
    """boto3's serializer and deserializer, for the values the one-pass conversions leave to them (sets,
    binary): importing boto3 costs a cold start tens of milliseconds that plain values never need."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


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


def _number(value: Decimal) -> dict[str, str]:
    number = _NUMBERS.create_decimal(value)
    if not number.is_finite():
        raise TypeError("Infinity and NaN not supported")
    return {"N": str(number)}


def to_attribute(value: Any) -> dict[str, Any]:
    """One plain value (numbers, text, bools, None, lists, dicts) as a DynamoDB attribute value."""
    # One pass for the common types, as from_attribute reads them; sets and binary through boto3's serializer.
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, int):
        return {"N": str(value)} if -_INT_DIGITS < value < _INT_DIGITS else _number(Decimal(value))
    if isinstance(value, float):
        return _number(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dict):
        return {"M": {str(k): to_attribute(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(v) for v in value]}
    return dict(_boto3_types()[0].serialize(_storable(value)))


def _plain_number(text: str) -> Any:
    digits = text[1:] if text[:1] == "-" else text
    if digits.isdigit() and len(digits) < 16:  # an integer below 2**53: what the Decimal path gives, directly
        return int(text)
    return _plain(_NUMBERS.create_decimal(text))


def from_attribute(value: dict[str, Any]) -> Any:
    """One DynamoDB attribute value as a plain, JSON-safe value (integral numbers become int)."""
    # One pass for the common types (every record read goes through here); sets and binary through boto3's
    # deserializer.
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
    return _plain(_boto3_types()[1].deserialize(value))


def plain_value(value: Any) -> Any:
    """An already deserialized DynamoDB value (Decimal, set, bytes) as a plain, JSON-safe value."""
    return _plain(value)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: to_attribute(v) for k, v in values.items()}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: from_attribute(v) for k, v in item.items()}
