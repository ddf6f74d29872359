"""The `auth-with-password` body as PocketBase binds and validates it."""

from __future__ import annotations

from typing import Any

import pytest

from shared.accounts.signin import PasswordForm, password_form
from shared.catalog.layout import plan_layout
from shared.catalog.repository import StoredCollection
from shared.collections.system import users_collection
from shared.errors import ApiError

REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
TOO_LONG = {"code": "validation_length_out_of_range", "message": "The length must be between 1 and 255.",
            "params": {"max": 255, "min": 1}}


def _users() -> StoredCollection:
    collection = users_collection()
    return StoredCollection(collection=collection, layout=plan_layout(collection, None, has_records=False))


@pytest.mark.parametrize(("body", "data"), [
    ({}, {"identity": REQUIRED, "password": REQUIRED}),
    ({"identity": "a@example.com"}, {"password": REQUIRED}),
    ({"identity": "a@example.com", "password": None}, {"password": REQUIRED}),
    ({"identity": "a" * 256, "password": "p"}, {"identity": TOO_LONG}),
    ({"identity": "a@example.com", "password": "p", "identityField": "name"},
     {"identityField": {"code": "validation_in_invalid", "message": "Must be a valid value."}}),
])
def test_an_invalid_body_gets_pocketbases_field_errors(body: dict[str, Any], data: dict[str, Any]) -> None:
    # Given the users collection / When the body misses or oversizes a field / Then every field error at once
    with pytest.raises(ApiError) as raised:
        password_form(_users(), body)
    assert raised.value.body() == {"status": 400, "message": "An error occurred while validating the submitted data.",
                                   "data": data}


@pytest.mark.parametrize("body", [
    {"identity": "a@example.com", "password": 12345678},
    {"identity": 42, "password": "secret-enough"},
    {"identity": "a@example.com", "password": "p", "identityField": ["email"]},
])
def test_a_non_string_field_fails_to_load(body: dict[str, Any]) -> None:
    # Given a field of another JSON type, Then it is no text, so 12345678 never signs in as "12345678"
    with pytest.raises(ApiError) as raised:
        password_form(_users(), body)
    assert raised.value.body() == {"status": 400, "message": "An error occurred while loading the submitted data.",
                                   "data": {}}


def test_a_valid_body_is_bound() -> None:
    form = password_form(_users(), {"identity": "a@example.com", "password": "p", "identityField": "email"})
    assert form == PasswordForm("a@example.com", "p", "email")
