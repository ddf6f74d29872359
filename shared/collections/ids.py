"""Identifiers as PocketBase makes them: record ids, field ids ("text" + crc32) and collection ids ("pbc_")."""

from __future__ import annotations

import re
import secrets
import time
import zlib
from collections.abc import Container

RECORD_ID_LENGTH = 15
RECORD_ID_PATTERN = "^[a-z0-9]+$"
RECORD_ID_AUTOGENERATE_PATTERN = "[a-z0-9]{15}"
LOWERCASE_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"
ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

_RECORD_ID_REGEX = re.compile(RECORD_ID_PATTERN)
# PocketBase tries suffixes 2..999 before giving up on a unique checksum id
_MAX_ID_SUFFIX = 1000


def random_string(length: int, alphabet: str = ALPHANUMERIC) -> str:
    """A cryptographically random string (PocketBase's security.RandomString)."""
    # One draw below len(alphabet) ** length, read as `length` digits: uniform over every string, as
    # `length` separate draws are, for one call to the system's random source instead of one a character
    base = len(alphabet)
    number = secrets.randbelow(base ** length)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, base)
        chars.append(alphabet[digit])
    return "".join(chars)


# Generated ids start with the creation time in base 36 (8 chars, ms, good until 2059) and end in 7 random chars
# (36^7 per millisecond), so the records table's id order, our default list order, follows creation order.
_TIME_CHARS = 8


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rem = divmod(number, 36)
        digits.append(LOWERCASE_ALPHANUMERIC[26 + rem] if rem < 10 else LOWERCASE_ALPHANUMERIC[rem - 10])
    return "".join(reversed(digits))


def new_record_id(now_ms: int | None = None) -> str:
    """A fresh 15 character [a-z0-9] record id, ordered by creation time."""
    stamp = int(time.time() * 1000) if now_ms is None else now_ms
    return _base36(stamp, _TIME_CHARS) + random_string(RECORD_ID_LENGTH - _TIME_CHARS, LOWERCASE_ALPHANUMERIC)


def id_time_ms(record_id: str) -> int | None:
    """The creation millisecond a generated id starts with, or None for an id that cannot be one."""
    if not is_valid_record_id(record_id):
        return None
    return int(record_id[:_TIME_CHARS], 36)


def is_valid_record_id(value: object) -> bool:
    """Whether a client supplied id satisfies the default id field (exactly 15 chars of [a-z0-9])."""
    return (isinstance(value, str) and len(value) == RECORD_ID_LENGTH
            and _RECORD_ID_REGEX.match(value) is not None)


def crc32_checksum(text: str) -> str:
    """Decimal IEEE crc32, as PocketBase uses to derive stable ids from names."""
    return str(zlib.crc32(text.encode()))


def default_field_id(field_type: str, field_name: str, taken: Container[str] = ()) -> str:
    """The id PocketBase gives a field added without one, e.g. "text3208210256" for a text field "id"."""
    base = field_type + crc32_checksum(field_name)
    return _first_free(base, taken)


def new_collection_id(collection_type: str, name: str, taken: Container[str] = ()) -> str:
    """The id PocketBase gives a new collection: "pbc_" + crc32(type + name), suffixed 2, 3... if taken."""
    return _first_free("pbc_" + crc32_checksum(collection_type + name), taken)


def _first_free(base: str, taken: Container[str]) -> str:
    candidate = base
    for suffix in range(2, _MAX_ID_SUFFIX):
        if candidate not in taken:
            return candidate
        candidate = base + str(suffix)
    return candidate
