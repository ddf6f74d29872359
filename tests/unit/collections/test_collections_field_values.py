"""Each field type's normalize() and validate(), table driven."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shared.collections.field_errors import FieldError
from shared.collections.fields import (
    AutodateField,
    BaseField,
    BoolField,
    DateField,
    EditorField,
    EmailField,
    FileField,
    GeoPointField,
    JSONField,
    NumberField,
    PasswordField,
    RelationField,
    SelectField,
    TextField,
    URLField,
)

SINGLE_SELECT = SelectField(name="s", values=["a", "b", "c"])
MULTI_SELECT = SelectField(name="m", values=["a", "b", "c"], max_select=2)

NORMALIZE_CASES: list[tuple[str, BaseField, Any, Any]] = [
    ("text from string", TextField(name="t"), "hi", "hi"),
    ("text from number", TextField(name="t"), 12, "12"),
    ("text from float keeps Go formatting", TextField(name="t"), 1.5, "1.5"),
    ("text from bool", TextField(name="t"), True, "true"),
    ("text from null", TextField(name="t"), None, ""),
    ("text from list is empty like cast.ToString", TextField(name="t"), ["a"], ""),
    ("number from multipart string", NumberField(name="n"), "12", 12),
    ("number from decimal string", NumberField(name="n"), "1.25", 1.25),
    ("number integral float becomes int", NumberField(name="n"), 3.0, 3),
    ("number from garbage is zero", NumberField(name="n"), "abc", 0),
    ("number rejects padded string", NumberField(name="n"), " 5", 0),
    ("number from bool", NumberField(name="n"), True, 1),
    ("bool from 'true'", BoolField(name="b"), "true", True),
    ("bool from '1'", BoolField(name="b"), "1", True),
    ("bool from 'yes' is false", BoolField(name="b"), "yes", False),
    ("bool from number", BoolField(name="b"), 2, True),
    ("email from string", EmailField(name="e"), "a@b.co", "a@b.co"),
    ("url from string", URLField(name="u"), "https://x.io", "https://x.io"),
    ("editor from number", EditorField(name="e"), 5, "5"),
    ("date from ISO", DateField(name="d"), "2024-01-02T03:04:05Z", "2024-01-02 03:04:05.000Z"),
    ("date invalid becomes empty", DateField(name="d"), "not a date", ""),
    ("autodate from stored", AutodateField(name="a"), "2024-01-02 03:04:05.123Z", "2024-01-02 03:04:05.123Z"),
    ("single select keeps last", SINGLE_SELECT, ["a", "b"], "b"),
    ("single select empty", SINGLE_SELECT, None, ""),
    ("multi select from repeated keys", MULTI_SELECT, ["a", "b", "a", ""], ["a", "b"]),
    ("multi select from JSON string", MULTI_SELECT, '["a","c"]', ["a", "c"]),
    ("multi select does not split commas", MULTI_SELECT, "a,b", ["a,b"]),
    ("multi select from scalar", MULTI_SELECT, "a", ["a"]),
    ("json from multipart object", JSONField(name="j"), '{"a":1}', {"a": 1}),
    ("json from multipart number", JSONField(name="j"), "12", 12),
    ("json 'true'", JSONField(name="j"), "true", True),
    ("json 'null'", JSONField(name="j"), "null", None),
    ("json plain string stays string", JSONField(name="j"), "hello", "hello"),
    ("json quoted string decoded", JSONField(name="j"), '"hi"', "hi"),
    ("json invalid bracket text stays string", JSONField(name="j"), "[oops", "[oops"),
    ("json native value", JSONField(name="j"), [1, 2], [1, 2]),
    ("relation single", RelationField(name="r", collection_id="c"), ["x", "y"], "y"),
    ("relation multi", RelationField(name="r", collection_id="c", max_select=5), "x", ["x"]),
    ("geo point object", GeoPointField(name="g"), {"lon": 1, "lat": 2.5}, {"lon": 1, "lat": 2.5}),
    ("geo point JSON text", GeoPointField(name="g"), '{"lon":"3","lat":4}', {"lon": 3, "lat": 4}),
    ("geo point garbage is zero", GeoPointField(name="g"), "x", {"lon": 0, "lat": 0}),
    ("password plain", PasswordField(name="p"), 1234, "1234"),
    ("file single keeps last name", FileField(name="f", max_select=1), ["a.png", "b.png"], "b.png"),
]


@pytest.mark.parametrize(("name", "field", "raw", "expected"), NORMALIZE_CASES, ids=[c[0] for c in NORMALIZE_CASES])
def test_normalize(name: str, field: BaseField, raw: Any, expected: Any) -> None:
    # Given a field and a raw submitted value / When normalised / Then it has PocketBase's stored shape
    result = field.normalize(raw)
    assert result == expected
    assert type(result) is type(expected)


DEFAULT_CASES: list[tuple[BaseField, Any]] = [
    (TextField(name="t"), ""), (NumberField(name="n"), 0), (BoolField(name="b"), False),
    (EmailField(name="e"), ""), (URLField(name="u"), ""), (EditorField(name="e"), ""), (DateField(name="d"), ""),
    (SINGLE_SELECT, ""), (MULTI_SELECT, []), (JSONField(name="j"), None),
    (RelationField(name="r"), ""), (RelationField(name="r", max_select=2), []),
    (GeoPointField(name="g"), {"lon": 0, "lat": 0}), (FileField(name="f", max_select=3), []),
]


@pytest.mark.parametrize(("field", "expected"), DEFAULT_CASES)
def test_default_value(field: BaseField, expected: Any) -> None:
    assert field.default_value() == expected


# (name, field, value, is_new, expected error code or None)
VALIDATE_CASES: list[tuple[str, BaseField, Any, bool, str | None]] = [
    ("text ok", TextField(name="t", min=2, max=4), "abc", True, None),
    ("text required", TextField(name="t", required=True), "", True, "validation_required"),
    ("text too short", TextField(name="t", min=3), "ab", True, "validation_min_text_constraint"),
    ("text too long", TextField(name="t", max=2), "abc", True, "validation_max_text_constraint"),
    ("text default max 5000", TextField(name="t"), "x" * 5001, True, "validation_max_text_constraint"),
    ("text counts characters not bytes", TextField(name="t", max=2), "éé", True, None),
    ("text pattern", TextField(name="t", pattern="^[a-z]+$"), "ab1", True, "validation_invalid_format"),
    ("text empty skips min", TextField(name="t", min=3), "", True, None),
    ("pk forbidden char", TextField(name="id", primary_key=True, pattern="^.+$"), "a/b", True,
     "validation_forbidden_pk_character"),
    ("pk reserved name", TextField(name="id", primary_key=True, pattern="^.+$"), "nul", True,
     "validation_reserved_pk"),
    ("pk default pattern checks the pattern first", TextField(name="id", primary_key=True, pattern="^[a-z0-9]+$"),
     "a/b", True, "validation_invalid_format"),
    ("number ok", NumberField(name="n", min=1, max=10), 5, True, None),
    ("number below min", NumberField(name="n", min=1), 0.5, True, "validation_min_number_constraint"),
    ("number above max", NumberField(name="n", max=10), 11, True, "validation_max_number_constraint"),
    ("number zero skips min", NumberField(name="n", min=1), 0, True, None),
    ("number required zero", NumberField(name="n", required=True), 0, True, "validation_required"),
    ("number only int", NumberField(name="n", only_int=True), 1.5, True, "validation_only_int_constraint"),
    ("number not finite", NumberField(name="n"), float("inf"), True, "validation_not_a_number"),
    ("bool required false", BoolField(name="b", required=True), False, True, "validation_required"),
    ("bool required true", BoolField(name="b", required=True), True, True, None),
    ("email invalid", EmailField(name="e"), "nope", True, "validation_is_email"),
    ("email only domains", EmailField(name="e", only_domains=["a.com"]), "x@b.com", True,
     "validation_email_domain_not_allowed"),
    ("email except domains", EmailField(name="e", except_domains=["b.com"]), "x@b.com", True,
     "validation_email_domain_not_allowed"),
    ("email ok", EmailField(name="e", only_domains=["b.com"]), "x@b.com", True, None),
    ("url invalid", URLField(name="u"), "not a url", True, "validation_invalid_url"),
    ("url only domains", URLField(name="u", only_domains=["a.io"]), "https://b.io/x", True,
     "validation_url_domain_not_allowed"),
    ("url ok", URLField(name="u", only_domains=["a.io"]), "https://a.io/x", True, None),
    ("editor size", EditorField(name="e", max_size=3), "abcd", True, "validation_content_size_limit"),
    ("date required", DateField(name="d", required=True), "", True, "validation_required"),
    ("date before min", DateField(name="d", min="2024-01-01 00:00:00.000Z"), "2023-12-31 00:00:00.000Z", True,
     "validation_min_greater_equal_than_required"),
    ("date after max", DateField(name="d", max="2024-01-01"), "2024-01-02 00:00:00.000Z", True,
     "validation_max_less_equal_than_required"),
    ("select invalid value", SINGLE_SELECT, "z", True, "validation_invalid_value"),
    ("select too many", MULTI_SELECT, ["a", "b", "c"], True, "validation_too_many_values"),
    ("select required", SelectField(name="s", values=["a"], required=True), "", True, "validation_required"),
    ("json required empty object", JSONField(name="j", required=True), {}, True, "validation_required"),
    ("json required zero is fine", JSONField(name="j", required=True), 0, True, None),
    ("json size", JSONField(name="j", max_size=5), "abcdef", True, "validation_json_size_limit"),
    ("relation not enough", RelationField(name="r", min_select=2, max_select=3), ["a"], True,
     "validation_not_enough_values"),
    ("relation too many", RelationField(name="r", max_select=2), ["a", "b", "c"], True,
     "validation_too_many_values"),
    ("geo point latitude", GeoPointField(name="g"), {"lon": 0, "lat": 91}, True, "validation_invalid_latitude"),
    ("geo point longitude", GeoPointField(name="g"), {"lon": 181, "lat": 1}, True, "validation_invalid_longitude"),
    ("geo point required", GeoPointField(name="g", required=True), {"lon": 0, "lat": 0}, True,
     "validation_required"),
    ("password too short", PasswordField(name="p", min=8), "1234", True, "validation_min_text_constraint"),
    ("password too long", PasswordField(name="p"), "x" * 72, True, "validation_max_text_constraint"),
    ("password pattern", PasswordField(name="p", pattern="[0-9]"), "abcdefgh", True, "validation_invalid_format"),
    ("file too many", FileField(name="f", max_select=1), ["a", "b"], True, "validation_too_many_files"),
]


@pytest.mark.parametrize(("name", "field", "value", "is_new", "expected_code"), VALIDATE_CASES,
                         ids=[c[0] for c in VALIDATE_CASES])
def test_validate(name: str, field: BaseField, value: Any, is_new: bool, expected_code: str | None) -> None:
    # Given a normalised value / When validated / Then it passes or fails with PocketBase's code
    if expected_code is None:
        field.validate(value, is_new=is_new)
        return
    with pytest.raises(FieldError) as caught:
        field.validate(value, is_new=is_new)
    assert caught.value.code == expected_code


MESSAGE_CASES: list[tuple[BaseField, Any, dict[str, Any]]] = [
    (TextField(name="t", required=True), "", {"code": "validation_required", "message": "Cannot be blank."}),
    (TextField(name="t", min=3), "ab", {"code": "validation_min_text_constraint",
                                        "message": "Must be at least 3 character(s).", "params": {"min": 3}}),
    (NumberField(name="n", min=5), 4, {"code": "validation_min_number_constraint",
                                       "message": "Must be greater or equal than 5.", "params": {"min": 5}}),
    (NumberField(name="n", max=2.5), 3, {"code": "validation_max_number_constraint",
                                         "message": "Must be less or equal than 2.5.", "params": {"max": 2.5}}),
    (FileField(name="f", max_select=2), ["a", "b", "c"], {"code": "validation_too_many_files",
                                                          "message": "The maximum allowed files is 2.",
                                                          "params": {"maxSelect": 2}}),
    (SINGLE_SELECT, "z", {"code": "validation_invalid_value", "message": "Invalid value z.",
                          "params": {"value": "z"}}),
    (EmailField(name="e"), "x", {"code": "validation_is_email", "message": "Must be a valid email address."}),
    (DateField(name="d", min="2024-01-01"), "2023-01-01",
     {"code": "validation_min_greater_equal_than_required",
      "message": "Must be no less than 2024-01-01 00:00:00 +0000 UTC.",
      "params": {"threshold": "2024-01-01T00:00:00Z"}}),
    (DateField(name="d", max="2024-01-01 10:00:00.5Z"), "2025-01-01",
     {"code": "validation_max_less_equal_than_required",
      "message": "Must be no greater than 2024-01-01 10:00:00.5 +0000 UTC.",
      "params": {"threshold": "2024-01-01T10:00:00.5Z"}}),
]


@pytest.mark.parametrize(("field", "value", "expected"), MESSAGE_CASES)
def test_error_payload_matches_pocketbase(field: BaseField, value: Any, expected: dict[str, Any]) -> None:
    with pytest.raises(FieldError) as caught:
        field.validate(value, is_new=True)
    assert caught.value.as_data() == expected


@pytest.mark.parametrize(("field", "expected"), [
    (TextField(name="t"), False), (MULTI_SELECT, True), (SINGLE_SELECT, False),
    (RelationField(name="r", max_select=2), True), (FileField(name="f", max_select=1), False),
])
def test_is_multiple(field: BaseField, expected: bool) -> None:
    assert field.is_multiple() is expected


def test_multi_value_reads_single_stored_value_after_becoming_multiple() -> None:
    # Given a value stored while the field held one value / When the field is multiple / Then it reads as a list
    assert MULTI_SELECT.from_stored("a") == ["a"]
    assert SINGLE_SELECT.from_stored(["a", "b"]) == "b"


@pytest.mark.parametrize(("field", "stored", "expected"), [
    (NumberField(name="n"), Decimal("12"), 12),
    (NumberField(name="n"), Decimal("1.5"), 1.5),
    (BoolField(name="b"), Decimal("1"), True),
    (TextField(name="t"), Decimal("2.50"), "2.5"),
])
def test_from_stored_accepts_dynamodb_decimals(field: BaseField, stored: Any, expected: Any) -> None:
    assert field.from_stored(stored) == expected
