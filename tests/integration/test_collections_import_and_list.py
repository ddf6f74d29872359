"""Collections import (deleteMissing, field merging, relation order) and the collections list, on moto.

The expected outcomes were observed on the real PocketBase 0.40.6 with the same requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared import resources
from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.layout import plan_layout
from shared.catalog.listing import list_collections
from shared.catalog.repository import CollectionExistsError, DynamoCollectionRepository, StoredCollection
from shared.errors import BadRequestError
from tests.support.moto_cloud import running_cloud
from tests.support.record_stores import dynamo_records

# PocketBase's, then Lambdabase's own `_webhooks` (docs/api-webhooks.md), `_roles` (docs/rules.md) and `_views`
# (docs/api-views.md)
BOOTSTRAP = ["_mfas", "_otps", "_externalAuths", "_authOrigins", "_superusers", "users", "_webhooks", "_roles",
             "_views"]


def _service() -> CollectionsAdmin:
    return CollectionsAdmin(DynamoCollectionRepository(resources.SYSTEM_TABLE.physical_name),
                             dynamo_records())


@pytest.fixture
def service() -> Iterator[CollectionsAdmin]:
    """A fresh catalog, for tests that change it."""
    with running_cloud():
        yield _service()


def names(service: CollectionsAdmin) -> list[str]:
    return [c["name"] for c in service.list_json()]


def field_names(service: CollectionsAdmin, name: str) -> list[str]:
    return [f.name for f in service.get(name).collection.fields]


def import_failure(service: CollectionsAdmin, body: Any) -> BadRequestError:
    with pytest.raises(BadRequestError) as caught:
        service.import_collections(body)
    return caught.value


def test_a_fresh_catalog_lists_pocketbases_bootstrap_collections_in_creation_order(service: CollectionsAdmin) -> None:
    assert names(service) == BOOTSTRAP


def test_import_resolves_relations_to_collections_later_in_the_import(service: CollectionsAdmin) -> None:
    # Given a collection relating to one that comes after it in the import
    service.import_collections({"collections": [
        {"id": "pbc_imp_a0000001", "name": "imp_a", "fields": [
            {"name": "b", "type": "relation", "collectionId": "pbc_imp_b0000001"}]},
        {"id": "pbc_imp_b0000001", "name": "imp_b", "fields": [{"name": "title", "type": "text"}]}]})
    # Then both exist, related
    assert field_names(service, "imp_a") == ["id", "b"]
    assert field_names(service, "imp_b") == ["id", "title"]


def test_import_keeps_stored_fields_unless_delete_missing(service: CollectionsAdmin) -> None:
    # Given a stored collection with a field "title" and another collection
    service.import_collections({"collections": [
        {"id": "pbc_imp_b0000001", "name": "imp_b", "fields": [{"name": "title", "type": "text"}]}]})
    service.create({"name": "imp_keep"})
    # When imported with only a new field: the stored ones are kept after it, as PocketBase orders them
    service.import_collections({"collections": [{"id": "pbc_imp_b0000001", "fields": [
        {"name": "extra", "type": "text"}]}]})
    assert field_names(service, "imp_b") == ["extra", "id", "title"]
    # When imported with deleteMissing: only the system fields are kept, and every other non-system
    # collection (users included) is deleted
    service.import_collections({"deleteMissing": True, "collections": [
        {"id": "pbc_imp_b0000001", "name": "imp_b", "fields": [{"name": "title", "type": "text"}]}]})
    assert field_names(service, "imp_b") == ["title", "id"]
    assert set(names(service)) == {*BOOTSTRAP, "imp_b"} - {"users"}
    assert names(service)[:5] == BOOTSTRAP[:5]


IMPORT_FAILURES: list[tuple[str, Any, str, Any]] = [
    ("no collections", {"collections": []}, "An error occurred while validating the submitted data.",
     {"collections": {"code": "validation_required", "message": "Cannot be blank."}}),
    ("collections not a list", {"collections": "x"}, "An error occurred while loading the submitted data.", {}),
    ("an item not an object", {"collections": ["x"]}, "An error occurred while loading the submitted data.", {}),
    ("deleteMissing not a bool", {"collections": [{"name": "x"}], "deleteMissing": "yes"},
     "An error occurred while loading the submitted data.", {}),
    # the valid first collection proves the import is all or nothing
    ("an invalid field", {"collections": [{"name": "first_ok"}, {"name": "imp_c", "fields": [
        {"name": "n", "type": "number", "min": 5, "max": 1}]}]}, "Failed to import collections.",
     {"collections": {"code": "validation_collections_import_failure",
                      "message": 'Data validations failed for collection "imp_c" (pbc_3982715453):\n{\n  "fields": {\n'
                                 '    "1": {\n      "max": "Must be greater or equal than 5"\n    }\n  }\n}.'}}),
]


def test_import_failures_answer_as_pocketbase_and_write_nothing(service: CollectionsAdmin) -> None:
    for name, body, message, data in IMPORT_FAILURES:
        error = import_failure(service, body)
        assert (error.message, error.data) == (message, data), name
        assert names(service) == BOOTSTRAP, name


LIST_CASES: list[tuple[str, dict[str, str], list[str] | None, dict[str, Any]]] = [
    ("sorted by name descending", {"sort": "-name"}, sorted(BOOTSTRAP, reverse=True), {}),
    ("filtered by system and type", {"filter": "system = true && type = 'auth'"}, ["_superusers"], {}),
    ("paged", {"page": "2", "perPage": "4"}, BOOTSTRAP[4:8], {"page": 2, "perPage": 4, "totalPages": 3}),
    ("zero perPage means the default", {"perPage": "0"}, BOOTSTRAP, {"perPage": 30}),
    ("skipTotal", {"skipTotal": "1"}, BOOTSTRAP, {"totalItems": -1, "totalPages": -1}),
]


def test_collections_list_params(service: CollectionsAdmin) -> None:
    for name, params, expected, meta in LIST_CASES:
        page = list_collections(service.list_json(), params)
        assert [item["name"] for item in page["items"]] == expected, name
        assert {key: page[key] for key in meta} == meta, name


def test_collections_list_projects_fields(service: CollectionsAdmin) -> None:
    page = list_collections(service.list_json(), {"fields": "name,fields.name", "perPage": "1"})
    assert page["items"] == [{"name": "_mfas", "fields": [{"name": n} for n in (
        "id", "collectionRef", "recordRef", "method", "created", "updated")]}]


REJECTED_LIST_PARAMS: list[dict[str, str]] = [
    {"sort": "foo"}, {"sort": "listRule"}, {"filter": "foo = 1"}, {"filter": "fields.name = 'x'"}, {"filter": "("},
    {"page": "abc"}, {"perPage": "x"}, {"perPage": "1.5"}]


def test_collections_list_rejects_what_pocketbase_rejects(service: CollectionsAdmin) -> None:
    for params in REJECTED_LIST_PARAMS:
        with pytest.raises(BadRequestError) as caught:
            list_collections(service.list_json(), params)
        assert (caught.value.message, caught.value.data) == ("Something went wrong while processing your request.",
                                                             {}), params



def test_a_create_racing_another_of_the_same_name_is_refused_not_overwritten(service: CollectionsAdmin) -> None:
    # Given a collection just created by one instance
    first = service.create({"name": "racers", "fields": [{"name": "a", "type": "text"}]})
    # When another instance, whose name check ran before it existed, adds its own version (the same generated id)
    racing = first.model_copy(update={"fields": []})
    with pytest.raises(CollectionExistsError) as caught:
        _service().collections.add(StoredCollection(collection=racing,
                                                    layout=plan_layout(racing, None, has_records=False)))
    # Then it is PocketBase's 400 for a taken name, and the first one is intact
    assert caught.value.data["name"]["code"] == "validation_collection_name_exists"
    assert field_names(service, "racers")[-1] == "a"
