"""The audit log API over the in-process stack: superusers list, filter, page and view entries; nothing else."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.records_api import GUEST, Api, unique

OPEN = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}


def wait_history(api: Api, record_id: str, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        page = api.ok("GET", "/api/audit", params={"filter": f"record = '{record_id}'", "sort": "created"})
        if len(page["items"]) >= count or time.monotonic() > deadline:
            return list(page["items"])
        time.sleep(0.2)


@pytest.fixture(scope="module")
def trail(api: Api) -> dict[str, Any]:
    """A post created by the user, updated by a superuser impersonating the user, deleted by the superuser."""
    name = unique("audited")
    api.create_collection({"name": name, "type": "base", **OPEN, "fields": [{"name": "title", "type": "text"}]})
    post = api.create_record(name, {"title": "draft"}, role="user")
    token = api.ok("POST", f"/api/collections/users/impersonate/{api.users['user']['id']}", json={})["token"]
    api.tokens["impersonated"] = token
    api.ok("PATCH", f"/api/collections/{name}/records/{post['id']}", role="impersonated", json={"title": "final"},
           headers={"User-Agent": "audit-test/1"})
    api.ok("DELETE", f"/api/collections/{name}/records/{post['id']}", status=204)
    return {"collection": name, "post": post["id"], "entries": wait_history(api, post["id"], 3)}


def test_the_history_shows_each_change_with_its_actor_and_diff(api: Api, trail: dict[str, Any]) -> None:
    # Given the post's trail, oldest first
    created, updated, deleted = trail["entries"]
    user = api.users["user"]["id"]
    # Then the create is the user's, the update the impersonated user's naming the superuser, the delete the superuser's
    assert (created["action"], created["actor"]["kind"], created["actor"]["id"]) == ("create", "auth", user)
    assert created["changes"]["title"] == {"old": None, "new": "draft"}
    assert (updated["action"], updated["actor"]["kind"], updated["actor"]["id"]) == ("update", "impersonator", user)
    assert updated["actor"]["impersonatorId"] and updated["userAgent"] == "audit-test/1"
    assert updated["changes"]["title"] == {"old": "draft", "new": "final"} and "title" in updated["changedFields"]
    assert (deleted["action"], deleted["actor"]["kind"]) == ("delete", "superuser")
    assert deleted["actor"]["id"] == updated["actor"]["impersonatorId"]
    assert all(e["ip"] and e["collectionName"] == trail["collection"] for e in trail["entries"])


def test_one_entry_is_viewed_by_id_and_unknown_ids_are_404(api: Api, trail: dict[str, Any]) -> None:
    entry = trail["entries"][1]
    assert api.ok("GET", f"/api/audit/{entry['id']}") == entry
    assert api.request("GET", "/api/audit/zzzzzzzzzzzzzzz").json()["status"] == 404
    assert api.request("GET", "/api/audit/not-an-id").status_code == 404


def test_the_list_filters_sorts_and_pages_in_pocketbases_shape(api: Api, trail: dict[str, Any]) -> None:
    # When the superuser lists the impersonated changes of the collection, one a page
    page = api.ok("GET", "/api/audit", params={
        "filter": f"collectionName = '{trail['collection']}' && actor.kind = 'impersonator'", "perPage": 1})
    # Then it is PocketBase's list shape with the one matching entry
    assert {k: page[k] for k in ("page", "perPage", "totalItems", "totalPages")} == {
        "page": 1, "perPage": 1, "totalItems": 1, "totalPages": 1}
    assert page["items"][0]["id"] == trail["entries"][1]["id"]
    # And the default order is newest first; a sort on another field is honoured
    newest = api.ok("GET", "/api/audit", params={"filter": f"collectionName = '{trail['collection']}'"})
    assert [e["action"] for e in newest["items"]] == ["delete", "update", "create"]
    by_action = api.ok("GET", "/api/audit", params={"filter": f"record = '{trail['post']}'", "sort": "action"})
    assert [e["action"] for e in by_action["items"]] == ["create", "delete", "update"]


@pytest.mark.parametrize(("params", "status"), [
    ({"filter": "title = "}, 400),
    ({"filter": "nosuchfield = 1"}, 400),
    ({"sort": "nosuchfield"}, 400),
    ({"perPage": "abc"}, 400),
])
def test_bad_queries_are_400_in_pocketbases_error_shape(api: Api, params: dict[str, str], status: int) -> None:
    response = api.request("GET", "/api/audit", params=params)
    assert response.status_code == status
    assert set(response.json()) == {"status", "message", "data"}


def test_only_superusers_read_and_nobody_writes(api: Api, trail: dict[str, Any]) -> None:
    entry = trail["entries"][0]["id"]
    assert api.request("GET", "/api/audit", role=GUEST).status_code == 401
    assert api.request("GET", "/api/audit", role="user").status_code == 403
    assert api.request("GET", f"/api/audit/{entry}", role="user").status_code == 403
    # The log is append-only through the API: no route writes or deletes an entry
    for method in ("POST", "PATCH", "DELETE"):
        assert api.request(method, f"/api/audit/{entry}").status_code in (404, 405)
    assert api.ok("GET", f"/api/audit/{entry}")["id"] == entry


def test_the_retention_is_an_additive_setting_validated_like_pocketbases(api: Api) -> None:
    # Given the default retention
    assert api.ok("GET", "/api/settings")["audit"] == {"retentionDays": 90}
    # When a superuser sets an invalid one, then a 400 names the field; a valid one is kept
    refused = api.request("PATCH", "/api/settings", json={"audit": {"retentionDays": 0}})
    assert refused.status_code == 400 and "retentionDays" in refused.json()["data"]["audit"]
    assert api.ok("PATCH", "/api/settings", json={"audit": {"retentionDays": 30}})["audit"] == {"retentionDays": 30}
    api.ok("PATCH", "/api/settings", json={"audit": {"retentionDays": 90}})
