"""Collections and record validation over HTTP, answering what PocketBase 0.40.6 answers to the same requests.

Every expected body was first observed on the real PocketBase server (see tests/unit/collections for the
captured system collections).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.records_api import ABSENT, ANY, Api, Scenario, Where, error, run, unique

pytestmark = pytest.mark.e2e

GENERIC = "Something went wrong while processing your request."
TYPE_DATA_ERROR = "Failed to load the collection type data due to invalid formatting."
SUBMITTED_DATA_ERROR = "Failed to load the submitted data due to invalid formatting."

CONSTRAINED_FIELDS: list[dict[str, Any]] = [
    {"name": "t", "type": "text", "min": 3, "max": 5, "pattern": "^[a-z]+$"},
    {"name": "treq", "type": "text", "required": True},
    {"name": "n", "type": "number", "min": 1, "max": 10, "onlyInt": True},
    {"name": "nf", "type": "number", "min": 1.5, "max": 2.5},
    {"name": "e", "type": "email", "onlyDomains": ["example.com"]},
    {"name": "ed", "type": "editor", "maxSize": 10},
    {"name": "d", "type": "date", "min": "2024-01-01 00:00:00.000Z"},
    {"name": "s", "type": "select", "values": ["a", "b", "c"], "maxSelect": 2},
    {"name": "j", "type": "json", "maxSize": 10},
    {"name": "g", "type": "geoPoint"},
    {"name": "p", "type": "password", "min": 5},
    {"name": "f", "type": "file", "maxSelect": 2},
]


@pytest.fixture(scope="module")
def names(api: Api) -> dict[str, str]:
    constrained = unique("constrained")
    api.create_collection({"name": constrained, "fields": CONSTRAINED_FIELDS, "createRule": ""})
    return {"constrained": constrained, "fresh": unique("fresh")}


SCENARIOS = [
    Scenario("the auth system collections are listed first, in PocketBase's order", "GET", "/api/collections", 200,
             {"items": [{"name": n, "system": True} for n in ("_mfas", "_otps", "_externalAuths", "_authOrigins",
                                                              "_superusers")] + [{"name": "users"}]},
             params={"perPage": 6, "fields": "name,system"}),
    Scenario("fields projects the list items only", "GET", "/api/collections", 200,
             {"page": 1, "items": [{"name": "_mfas", "id": "pbc_2279338944", "type": ABSENT}]},
             params={"perPage": 1, "fields": "id,name"}),
    Scenario("fields projects a view", "GET", "/api/collections/_otps", 200,
             {"name": "_otps", "indexes": ["CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` "
                                           "(collectionRef, recordRef)"], "fields": ABSENT},
             params={"fields": "name,indexes"}),
    Scenario("the users auth token lasts 5 days", "GET", "/api/collections/users", 200,
             {"authToken": {"duration": 432000}, "verificationToken": {"duration": 86400},
              "mfa": {"duration": 600}}, params={"fields": "authToken,verificationToken,mfa"}),
    Scenario("an unknown sort key", "GET", "/api/collections", 400, error(400, GENERIC, {}), params={"sort": "foo"}),
    Scenario("a filter on a non-listable key", "GET", "/api/collections", 400, error(400, GENERIC, {}),
             params={"filter": "listRule = null"}),
    Scenario("page is not a number", "GET", "/api/collections", 400, error(400, GENERIC, {}), params={"page": "abc"}),
    Scenario("perPage is not a number", "GET", "/api/collections", 400, error(400, GENERIC, {}),
             params={"perPage": "x"}),
    Scenario("a field that is a string", "POST", "/api/collections", 400, error(400, SUBMITTED_DATA_ERROR, {}),
             body={"name": "${fresh}", "fields": ["abc"]}),
    Scenario("an option of the wrong type", "POST", "/api/collections", 400, error(400, SUBMITTED_DATA_ERROR, {}),
             body={"name": "${fresh}", "fields": [{"name": "a", "type": "text", "required": "yes"}]}),
    # Refused by the strict JSON decoder every function shares, before the collection is read: its message says
    # why (docs/compatibility.md); PocketBase's Go decoder would turn the surrogate into U+FFFD.
    Scenario("a lone surrogate in the name", "POST", "/api/collections", 400,
             error(400, Where(lambda m: "surrogate" in m, "a message naming the surrogate"), {}),
             raw=b'{"name": "bad\\ud800name"}'),
    Scenario("a body that is not an object", "POST", "/api/collections", 400, error(400, TYPE_DATA_ERROR, {}),
             raw=b"[1, 2]"),
    Scenario("an import that is not a list", "PUT", "/api/collections/import", 400,
             error(400, "An error occurred while loading the submitted data.", {}), body={"collections": "x"}),
    Scenario("a user gets the generic 403", "GET", "/api/collections", 403,
             error(403, "The authorized record is not allowed to perform this action.", {}), role="user"),
    Scenario("a system collection cannot be deleted", "DELETE", "/api/collections/_mfas", 400,
             error(400, "Failed to delete collection.", {})),
    Scenario("a JSON null body is no data", "POST", "/api/collections", 400,
             error(400, "Failed to create collection.", {"name": {"code": "validation_required",
                                                                  "message": "Cannot be blank."}}), raw=b"null"),
    Scenario("identity fields are checked only once the other auth options are valid", "POST", "/api/collections",
             400, error(400, "Failed to create collection.", {
                 "authToken": {"duration": {"code": "validation_required", "message": "Cannot be blank."}},
                 "passwordAuth": ABSENT}),
             body={"name": "${fresh}", "type": "auth", "authToken": {"duration": 0},
                   "passwordAuth": {"identityFields": ["nope"]}}),
    Scenario("a repeated field name keeps the last definition", "POST", "/api/collections", 200,
             {"fields": [{"name": "id"}, {"name": "a", "type": "number", "id": "text3904355907"}]},
             body={"name": "${fresh}", "fields": [{"name": "a", "type": "text"}, {"name": "a", "type": "number"}]}),
    Scenario("every invalid value is reported at once, as PocketBase words it", "POST",
             "/api/collections/${constrained}/records", 400, error(400, "Failed to create record.", {
                 "t": {"code": "validation_min_text_constraint", "message": "Must be at least 3 character(s).",
                       "params": {"min": 3}},
                 "treq": {"code": "validation_required", "message": "Cannot be blank."},
                 "n": {"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."},
                 "nf": {"code": "validation_max_number_constraint", "message": "Must be less or equal than 2.5.",
                        "params": {"max": 2.5}},
                 "e": {"code": "validation_email_domain_not_allowed", "message": "Email domain is not allowed."},
                 "ed": {"code": "validation_content_size_limit",
                        "message": "The maximum allowed content size is 10 bytes.", "params": {"maxSize": 10}},
                 "d": {"code": "validation_min_greater_equal_than_required",
                       "message": "Must be no less than 2024-01-01 00:00:00 +0000 UTC.",
                       "params": {"threshold": "2024-01-01T00:00:00Z"}},
                 "s": {"code": "validation_too_many_values", "message": "Select no more than 2.",
                       "params": {"maxSelect": 2}},
                 "j": {"code": "validation_json_size_limit", "message": "The maximum allowed JSON size is 10 bytes.",
                       "params": {"maxSize": 10}},
                 "g": {"code": "validation_invalid_longitude",
                       "message": "Longitude must be between -180 and 180 degrees."},
                 "p": {"code": "validation_min_text_constraint", "message": "Must be at least 5 character(s)."},
                 "f": {"code": "validation_invalid_file", "message": "Invalid new files: [a.txt].",
                       "params": {"invalidFiles": ["a.txt"]}},
             }), body={"t": "AB", "n": 0.5, "nf": 3, "e": "x@other.com", "ed": "x" * 11, "d": "2023-01-01",
                       "s": ["a", "b", "c"], "j": {"a": "xxxxxxxxxx"}, "g": {"lon": 200, "lat": 0}, "p": "ab",
                       "f": ["a.txt"]}),
    Scenario("a number below min", "POST", "/api/collections/${constrained}/records", 400,
             error(400, "Failed to create record.", {"n": {
                 "code": "validation_min_number_constraint", "message": "Must be greater or equal than 1.",
                 "params": {"min": 1}}}), body={"treq": "x", "n": -5}),
    Scenario("a base collection's password reads as empty text", "POST", "/api/collections/${constrained}/records",
             200, {"p": "", "treq": "x"}, body={"treq": "x", "p": "long-enough"}),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_collections_compat(api: Api, names: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, {**names, "fresh": unique("fresh")})


def test_import_resolves_a_relation_to_a_later_collection(api: Api) -> None:
    # Given an import whose first collection relates to the second
    first, second = unique("imp"), unique("imp")
    second_id = "pbc_" + second[-8:] + "0000000"
    run(api, Scenario("import", "PUT", "/api/collections/import", 204, body={"collections": [
        {"name": first, "fields": [{"name": "link", "type": "relation", "collectionId": second_id}]},
        {"id": second_id, "name": second, "fields": [{"name": "title", "type": "text"}]}]}))
    # Then both exist and the relation points at the second
    run(api, Scenario("related", "GET", f"/api/collections/{first}", 200,
                      {"fields": [ANY, {"name": "link", "collectionId": second_id}]}))
