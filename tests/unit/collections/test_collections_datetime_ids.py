"""Date strings, identifiers and pattern-based random strings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.collections.datetime import format_datetime, normalize_datetime, now_string, parse_datetime
from shared.collections.ids import (
    default_field_id,
    is_valid_record_id,
    new_collection_id,
    new_record_id,
)
from shared.collections.random_by_pattern import AutogeneratePatternError, random_string_by_pattern

PB_LAYOUT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-05-06 07:08:09.123Z", "2024-05-06 07:08:09.123Z"),
    ("2024-05-06T07:08:09Z", "2024-05-06 07:08:09.000Z"),
    ("2024-05-06T07:08:09.123456789Z", "2024-05-06 07:08:09.123Z"),
    ("2024-05-06T09:08:09+02:00", "2024-05-06 07:08:09.000Z"),
    ("2024-05-06 07:08:09", "2024-05-06 07:08:09.000Z"),
    ("2024-05-06", "2024-05-06 00:00:00.000Z"),
    ("Mon, 06 May 2024 07:08:09 GMT", "2024-05-06 07:08:09.000Z"),
    (0, "1970-01-01 00:00:00.000Z"),
    ("", ""),
    ("garbage", ""),
    ("0001-01-01 00:00:00.000Z", ""),
    (None, ""),
])
def test_normalize_datetime(raw: object, expected: str) -> None:
    assert normalize_datetime(raw) == expected


def test_format_truncates_to_milliseconds_in_utc() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, 999_999, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime(moment) == "2024-01-02 02:04:05.999Z"


def test_parse_returns_aware_utc_compatible_datetime() -> None:
    assert parse_datetime("2024-01-02 03:04:05.000Z") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_now_string_uses_pocketbase_layout() -> None:
    assert PB_LAYOUT.match(now_string())


def test_record_ids() -> None:
    record_id = new_record_id()
    assert re.fullmatch(r"[a-z0-9]{15}", record_id)
    assert is_valid_record_id(record_id)


@pytest.mark.parametrize(("value", "valid"), [
    ("abcdefghij12345", True), ("ABCDEFGHIJ12345", False), ("short", False), ("abcdefghij123456", False),
    ("abcdefghij1234_", False), (123, False),
])
def test_is_valid_record_id(value: object, valid: bool) -> None:
    assert is_valid_record_id(value) is valid


def test_ids_derived_like_pocketbase() -> None:
    assert default_field_id("text", "id") == "text3208210256"
    assert default_field_id("text", "id", {"text3208210256"}) == "text32082102562"
    assert new_collection_id("auth", "_superusers") == "pbc_3142635823"
    assert new_collection_id("auth", "_superusers", {"pbc_3142635823"}) == "pbc_31426358232"


@pytest.mark.parametrize(("pattern", "full_match"), [
    ("[a-z0-9]{15}", r"[a-z0-9]{15}"),
    ("[a-zA-Z0-9]{50}", r"[a-zA-Z0-9]{50}"),
    ("abc-\\d{3}", r"abc-\d{3}"),
    ("^(yes|no)$", r"yes|no"),
    ("x[ab]?y{2,4}", r"x[ab]?y{2,4}"),
])
def test_random_string_by_pattern(pattern: str, full_match: str) -> None:
    for _ in range(20):
        assert re.fullmatch(full_match, random_string_by_pattern(pattern))


@pytest.mark.parametrize("pattern", ["[^a]", "(ab", "a{2", "\\p{L}", "*a"])
def test_random_string_by_pattern_rejects_unsupported(pattern: str) -> None:
    with pytest.raises(AutogeneratePatternError):
        random_string_by_pattern(pattern)
