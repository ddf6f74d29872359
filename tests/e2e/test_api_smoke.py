"""A smoke scenario or two per API area over the real `lambdabase run` process; tests/api holds the full tables."""

from __future__ import annotations

import pytest

from tests.support.records_api import ANY, GUEST, Api, Scenario, error, field_error, run, unique
from tests.support.records_world import OPEN_RULES, rid

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def names(api: Api) -> dict[str, str]:
    """A public `notes` collection and an owner-only `diaries` one, each with a seed record."""
    notes, diaries = unique("notes"), unique("diaries")
    api.create_collection({"name": notes, "type": "base", **OPEN_RULES,
                           "fields": [{"name": "title", "type": "text", "required": True}]})
    rule = "owner = @request.auth.id"
    api.create_collection({"name": diaries, "type": "base", "listRule": rule, "viewRule": rule, "fields": [
        {"name": "text", "type": "text"}, {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_"}]})
    api.create_record(notes, {"id": rid("note", 1), "title": "first"})
    api.create_record(diaries, {"id": rid("diary", 1), "text": "mine", "owner": api.users["user"]["id"]})
    return {"notes": notes, "diaries": diaries, "note1": rid("note", 1), "diary1": rid("diary", 1)}


SMOKE = [
    # collections
    Scenario("collections: a superuser views one", "GET", "/api/collections/${notes}", 200,
             {"name": "${notes}", "type": "base"}),
    Scenario("collections: a guest may not list them", "GET", "/api/collections", 401, error(401), role=GUEST),
    # records
    Scenario("records: create", "POST", "/api/collections/${notes}/records", 200, {"id": ANY, "title": "second"},
             body={"title": "second"}, role=GUEST),
    Scenario("records: a required field", "POST", "/api/collections/${notes}/records", 400,
             error(400, data={"title": field_error("validation_required")}), body={}),
    Scenario("records: filter and sort", "GET", "/api/collections/${notes}/records", 200,
             {"items": [{"id": "${note1}"}]}, params={"filter": "title = 'first'", "sort": "-title"}),
    Scenario("records: a bad filter", "GET", "/api/collections/${notes}/records", 400, error(400),
             params={"filter": "title ="}),
    # batch
    Scenario("batch: all or nothing", "POST", "/api/batch", 400, error(400), body={"requests": [
        {"method": "POST", "url": "/api/collections/${notes}/records", "body": {"title": "ok"}},
        {"method": "POST", "url": "/api/collections/${notes}/records", "body": {}}]}),
    # rules
    Scenario("rules: the owner sees their record", "GET", "/api/collections/${diaries}/records", 200,
             {"totalItems": 1, "items": [{"id": "${diary1}"}]}, role="user"),
    Scenario("rules: a guest sees none", "GET", "/api/collections/${diaries}/records", 200,
             {"items": []}, role=GUEST),
    # auth
    Scenario("auth: methods", "GET", "/api/collections/users/auth-methods", 200, {"password": {"enabled": True}},
             role=GUEST),
    Scenario("auth: refresh a user token", "POST", "/api/collections/users/auth-refresh", 200,
             {"token": ANY, "record": {"collectionName": "users"}}, role="user"),
]


@pytest.mark.parametrize("scenario", SMOKE, ids=str)
def test_api_smoke(api: Api, names: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, names)


def test_unfiltered_totals_come_from_the_stream_maintained_counter(api: Api) -> None:
    # Given records written through the real process
    name = unique("counted")
    api.create_collection({"name": name, "type": "base", **OPEN_RULES, "fields": [{"name": "n", "type": "number"}]})
    for n in range(3):
        api.create_record(name, {"n": n})
    # When the stream poller has fed the changes function, Then the total settles on the count
    assert api.wait_total(name, 3)["totalItems"] == 3
