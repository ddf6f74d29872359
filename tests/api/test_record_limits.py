"""Storage limits as a client meets them: a record over DynamoDB's item size is a clear 400, and nothing is stored."""

from __future__ import annotations

from tests.support.records_api import Api, unique
from tests.support.records_world import OPEN_RULES


def test_a_record_over_the_item_size_limit_is_a_400_naming_the_limit(api: Api) -> None:
    # Given a collection whose json field allows large values
    name = unique("big")
    api.create_collection({"name": name, "type": "base", **OPEN_RULES,
                           "fields": [{"name": "blob", "type": "json", "maxSize": 2_000_000}]})
    # When a client creates a record of about 450 KB
    response = api.request("POST", f"/api/collections/{name}/records", json={"blob": {"text": "x" * 450_000}})
    # Then it is PocketBase's error shape, a 400 that names the 400 KB limit, and nothing was written
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"status", "message", "data"} and "400 KB" in body["message"]
    assert api.list_records(name)["items"] == []


def test_an_update_that_would_outgrow_the_limit_is_refused_and_the_record_is_unchanged(api: Api) -> None:
    name = unique("grow")
    api.create_collection({"name": name, "type": "base", **OPEN_RULES,
                           "fields": [{"name": "blob", "type": "json", "maxSize": 2_000_000}]})
    record = api.create_record(name, {"blob": {"text": "small"}})
    path = f"/api/collections/{name}/records/{record['id']}"
    response = api.request("PATCH", path, json={"blob": {"text": "x" * 450_000}})
    assert response.status_code == 400 and "400 KB" in response.json()["message"]
    assert api.ok("GET", path)["blob"] == {"text": "small"}
