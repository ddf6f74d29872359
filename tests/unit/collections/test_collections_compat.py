"""Collection bodies read as PocketBase 0.40.6 reads them: malformed specs, JSON nulls, duplicates, settings errors.

Every expected answer here was first observed on the real PocketBase server with the same body.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.collections.model import Collection
from shared.collections.validate import validate_collection
from shared.errors import BadRequestError
from shared.records.validation import prepare_record, record_to_json

NOW = "2024-01-01 00:00:00.000Z"
TYPE_DATA_ERROR = "Failed to load the collection type data due to invalid formatting."
SUBMITTED_DATA_ERROR = "Failed to load the submitted data due to invalid formatting."


def create(body: Any) -> Collection:
    return validate_collection(body, existing=None, find_collection=lambda _: None, check_rule=lambda _: None,
                               now=NOW)


def update(original: Collection, body: Any) -> Collection:
    return validate_collection(body, existing=original, find_collection=lambda _: None,
                               check_rule=lambda _: None, now=NOW)


def failure(call: Any) -> BadRequestError:
    with pytest.raises(BadRequestError) as caught:
        call()
    return caught.value


def user_fields(collection: Collection) -> list[dict[str, Any]]:
    return [field.to_json() for field in collection.fields if field.name != "id"]


MALFORMED_CREATE_CASES: list[tuple[str, Any, str]] = [
    ("body is a list", [1, 2], TYPE_DATA_ERROR),
    ("name is a number", {"name": 5}, TYPE_DATA_ERROR),
    ("type is a number", {"name": "c", "type": 5}, TYPE_DATA_ERROR),
    ("lone surrogate in the name", {"name": "c\ud800"}, TYPE_DATA_ERROR),
    ("lone surrogate in a field", {"name": "c", "fields": [{"name": "a\udc00", "type": "text"}]}, TYPE_DATA_ERROR),
    ("field is a string", {"name": "c", "fields": ["abc"]}, SUBMITTED_DATA_ERROR),
    ("field is a number", {"name": "c", "fields": [5]}, SUBMITTED_DATA_ERROR),
    ("field is null", {"name": "c", "fields": [None]}, SUBMITTED_DATA_ERROR),
    ("fields is a string", {"name": "c", "fields": "x"}, SUBMITTED_DATA_ERROR),
    ("fields is an object", {"name": "c", "fields": {"a": 1}}, SUBMITTED_DATA_ERROR),
    ("field without type", {"name": "c", "fields": [{"name": "a"}]}, SUBMITTED_DATA_ERROR),
    ("unknown field type", {"name": "c", "fields": [{"name": "a", "type": "nope"}]}, SUBMITTED_DATA_ERROR),
    ("field type is a number", {"name": "c", "fields": [{"name": "a", "type": 5}]}, SUBMITTED_DATA_ERROR),
    ("max is a string", {"name": "c", "fields": [{"name": "a", "type": "text", "max": "x"}]}, SUBMITTED_DATA_ERROR),
    ("int option is a float", {"name": "c", "fields": [{"name": "a", "type": "text", "max": 1.5}]},
     SUBMITTED_DATA_ERROR),
    ("bool option is a string", {"name": "c", "fields": [{"name": "a", "type": "text", "required": "yes"}]},
     SUBMITTED_DATA_ERROR),
    ("list option is a string", {"name": "c", "fields": [{"name": "a", "type": "select", "values": "x"}]},
     SUBMITTED_DATA_ERROR),
    ("field name is a number", {"name": "c", "fields": [{"name": 5, "type": "text"}]}, SUBMITTED_DATA_ERROR),
    ("indexes is a string", {"name": "c", "indexes": "x"}, SUBMITTED_DATA_ERROR),
    ("rule is a number", {"name": "c", "listRule": 5}, SUBMITTED_DATA_ERROR),
    ("auth option of the wrong shape", {"name": "c", "type": "auth", "passwordAuth": "x"}, SUBMITTED_DATA_ERROR),
    ("token duration is a string", {"name": "c", "type": "auth", "authToken": {"duration": "x"}},
     SUBMITTED_DATA_ERROR),
]


@pytest.mark.parametrize(("name", "body", "message"), MALFORMED_CREATE_CASES,
                         ids=[c[0] for c in MALFORMED_CREATE_CASES])
def test_malformed_create_body_is_pocketbases_400(name: str, body: Any, message: str) -> None:
    # Given a body PocketBase cannot unmarshal / When created / Then the same 400, with empty data
    error = failure(lambda: create(body))
    assert (error.status, error.message, error.data) == (400, message, {})


@pytest.mark.parametrize("body", [{"name": "c\ud800"}, {"listRule": "id = '\ud800'"}, [1], {"fields": 5}])
def test_malformed_update_body_is_a_submitted_data_400(body: Any) -> None:
    original = create({"name": "c"})
    error = failure(lambda: update(original, body))
    assert (error.message, error.data) == (SUBMITTED_DATA_ERROR, {})


def test_a_repeated_field_name_replaces_the_earlier_field_and_keeps_its_id() -> None:
    # Given two fields named "a" / When created / Then one field: the later one, with the earlier one's id
    collection = create({"name": "c", "fields": [{"name": "a", "type": "text"}, {"name": "a", "type": "number"}]})
    assert [(f["name"], f["type"], f["id"]) for f in user_fields(collection)] == [("a", "number", "text3904355907")]


def test_a_repeated_field_id_replaces_the_earlier_field() -> None:
    collection = create({"name": "c", "fields": [{"name": "a", "id": "x1", "type": "text"},
                                                 {"name": "b", "id": "x1", "type": "number"}]})
    assert [(f["name"], f["type"], f["id"]) for f in user_fields(collection)] == [("b", "number", "x1")]


def test_json_nulls_read_as_go_reads_them() -> None:
    # Given nulls for a bool, an int, a string, a list and a rule / When created / Then defaults and a null rule
    collection = create({"name": "c", "indexes": None, "system": None, "listRule": None, "fields": [
        {"name": "a", "type": "text", "required": None, "max": None, "help": None},
        {"name": "e", "type": "email", "onlyDomains": None}]})
    text, email = user_fields(collection)
    assert (text["required"], text["max"], text["help"]) == (False, 0, "")
    assert email["onlyDomains"] == [] and email["exceptDomains"] == []
    assert collection.indexes == [] and collection.system is False and collection.list_rule is None


def test_fields_null_leaves_only_the_system_fields() -> None:
    collection = create({"name": "c", "fields": None})
    assert [f.name for f in collection.fields] == ["id"]


SETTINGS_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("number max below min", {"name": "n", "type": "number", "min": 5, "max": 1},
     {"max": {"code": "validation_min_number_constraint", "message": "Must be greater or equal than 5.",
              "params": {"min": 5}}}),
    ("number max zero below min", {"name": "n", "type": "number", "min": 5, "max": 0},
     {"max": {"code": "validation_min_number_constraint", "message": "Must be greater or equal than 5.",
              "params": {"min": 5}}}),
    ("file thumbs", {"name": "f", "type": "file", "thumbs": ["abc", "100x100", "0x0", "10x20f"]},
     {"thumbs": {"0": {"code": "validation_match_invalid", "message": "Must be in a valid format."},
                 "2": {"code": "validation_not_in_invalid", "message": "Must not be in list."}}}),
    ("help too long", {"name": "t", "type": "text", "help": "x" * 301},
     {"help": {"code": "validation_length_out_of_range", "message": "The length must be between 1 and 300.",
               "params": {"min": 1, "max": 300}}}),
]


@pytest.mark.parametrize(("name", "field", "expected"), SETTINGS_CASES, ids=[c[0] for c in SETTINGS_CASES])
def test_field_settings_errors_match_pocketbase(name: str, field: dict[str, Any], expected: dict[str, Any]) -> None:
    error = failure(lambda: create({"name": "c", "fields": [field]}))
    assert error.message == "Failed to create collection."
    assert error.data == {"fields": {"1": expected}}


def test_plain_file_names_are_invalid_new_files() -> None:
    # Given a file field / When a client sends names instead of uploads / Then PocketBase's invalid file error
    collection = create({"name": "c", "fields": [{"name": "f", "type": "file", "maxSelect": 2}]})
    error = failure(lambda: prepare_record(collection, {"f": ["a.txt", "b.txt"]}, None, is_superuser=True))
    assert error.data == {"f": {"code": "validation_invalid_file", "message": "Invalid new files: [a.txt b.txt].",
                                "params": {"invalidFiles": ["a.txt", "b.txt"]}}}


def test_kept_file_names_are_valid_on_update() -> None:
    collection = create({"name": "c", "fields": [{"name": "f", "type": "file", "maxSelect": 2}]})
    field = collection.field_by_name("f")
    assert field is not None
    stored = {collection.id_field().id: "abcdefghij12345", field.id: ["a.txt", "b.txt"]}
    prepared = prepare_record(collection, {"f": ["b.txt"]}, stored, is_superuser=True)
    assert prepared.merged_by_field_id[field.id] == ["b.txt"]
    error = failure(lambda: prepare_record(collection, {"f": ["b.txt", "c.txt"]}, stored, is_superuser=True))
    assert error.data["f"]["params"] == {"invalidFiles": ["c.txt"]}


def test_a_base_collection_password_reads_as_empty_text() -> None:
    # Given a base collection with a visible password field and a stored hash / When shown / Then ""
    collection = create({"name": "c", "fields": [{"name": "p", "type": "password"}]})
    field = collection.field_by_name("p")
    assert field is not None
    prepared = prepare_record(collection, {"p": "secret-words"}, None, is_superuser=True)
    assert str(prepared.merged_by_field_id[field.id]).startswith("$argon2")
    shown = record_to_json(collection, prepared.merged_by_field_id, can_see_hidden=True, show_email=True)
    assert shown["p"] == ""


def test_an_index_on_a_missing_column_is_sqlites_error() -> None:
    error = failure(lambda: create({"name": "c", "fields": [{"name": "title", "type": "text"}],
                                    "indexes": ["CREATE INDEX idx_t ON c (title)", "CREATE INDEX x ON c (nope)"]}))
    assert error.data == {"indexes": {"1": {
        "code": "validation_invalid_index_expression",
        "message": "Failed to create index x - SQL logic error: no such column: nope (1)."}}}


@pytest.mark.parametrize(("body", "expected"), [
    ({"name": None}, {"name": {"code": "validation_required", "message": "Cannot be blank."}}),
    ({"type": None}, {"type": {"code": "validation_collection_type_change",
                               "message": "Collection type cannot be changed."}}),
    ({"authToken": {"duration": None}}, {"authToken": {"duration": {"code": "validation_required",
                                                                     "message": "Cannot be blank."}}}),
])
def test_a_null_option_on_update_is_its_zero_value(body: dict[str, Any], expected: dict[str, Any]) -> None:
    # Given an auth collection / When an option is sent as null / Then it reads as Go's zero value
    original = create({"name": "members", "type": "auth"})
    assert failure(lambda: update(original, body)).data == expected
