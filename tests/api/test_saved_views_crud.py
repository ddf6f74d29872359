"""`_views` through the records API: what a view holds is checked against its collection, and its own rules
(viewRule, manageRule) decide who sees and changes it, superusers always."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.records_api import GUEST, Api, unique

VIEWS = "/api/collections/_views/records"


@pytest.fixture(scope="module")
def tasks(api: Api) -> dict[str, Any]:
    api.sign_up_user("other")
    return api.create_collection({"name": unique("tasks"), "type": "base", "listRule": "", "viewRule": "",
                                  "fields": [{"name": "title", "type": "text"},
                                             {"name": "status", "type": "select", "values": ["todo", "done"]},
                                             {"name": "tags", "type": "select", "values": ["a", "b"],
                                              "maxSelect": 2},
                                             {"name": "rank", "type": "number"},
                                             {"name": "due", "type": "date"},
                                             {"name": "cover", "type": "file"}]})


def view(api: Api, tasks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return api.create_record("_views", {"collection": tasks["name"], "name": "board", "type": "grid", **extra})


def test_a_view_is_stored_by_its_collection_id_with_every_setting(api: Api, tasks: dict[str, Any]) -> None:
    # Given a superuser saving a kanban view by collection name, with its layout
    created = view(api, tasks, type="kanban", filter="title != ''", sort="-rank,title", fields=["title", "status"],
                   columnWidths={"title": 240}, rowHeight="tall", groupBy="status",
                   colorRules=[{"filter": "status = 'done'", "color": "green"}], description="Work",
                   options={"stackField": "status", "rankField": "rank"}, viewRule="", manageRule=None)
    # Then it is stored against the collection's id, and reads back as saved
    read = api.ok("GET", f"{VIEWS}/{created['id']}")
    assert read["collection"] == tasks["id"]
    assert (read["type"], read["fields"], read["options"]["stackField"]) == ("kanban", ["title", "status"], "status")
    assert (read["viewRule"], read["manageRule"], read["rowHeight"]) == ("", None, "tall")


@pytest.mark.parametrize(("body", "bad"), [
    ({"collection": "nope_missing"}, "collection"),
    ({"filter": "nope = 1"}, "filter"),
    ({"filter": "title ="}, "filter"),
    ({"sort": "-nope"}, "sort"),
    ({"fields": ["title", "nope"]}, "fields"),
    ({"columnWidths": {"title": -3}}, "columnWidths"),
    ({"groupBy": "nope"}, "groupBy"),
    ({"colorRules": [{"filter": "nope = 1", "color": "red"}]}, "colorRules"),
    ({"type": "kanban", "options": {}}, "options"),
    ({"type": "kanban", "options": {"stackField": "title"}}, "options"),
    ({"type": "kanban", "options": {"stackField": "tags"}}, "options"),
    ({"type": "kanban", "options": {"stackField": "status", "rankField": "title"}}, "options"),
    ({"type": "calendar", "options": {"dateField": "title"}}, "options"),
    ({"type": "gallery", "options": {"coverField": "title"}}, "options"),
    ({"type": "gallery", "options": {"coverField": "cover", "thumb": "big"}}, "options"),
    ({"type": "grid", "options": [1]}, "options"),
    ({"type": "table"}, "type"),
    ({"viewRule": "@request.auth.id = "}, "viewRule"),
    ({"manageRule": "nope = 1"}, "manageRule"),
    ({"slug": "Not A Slug"}, "slug"),
])
def test_a_bad_setting_is_a_400_naming_it_and_nothing_is_saved(api: Api, tasks: dict[str, Any],
                                                               body: dict[str, Any], bad: str) -> None:
    # Given a view body with one bad setting
    payload = {"collection": tasks["name"], "name": unique("bad"), "type": "grid", **body}
    # When a superuser saves it
    response = api.request("POST", VIEWS, json=payload)
    # Then it is a 400 in PocketBase's shape naming the setting, and no view was saved
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"status", "message", "data"} and bad in response.json()["data"]
    if bad == "options":
        assert "options." in response.json()["data"]["options"]["message"] or "object" in response.text
    assert api.list_records("_views", filter=f"name = '{payload['name']}'")["totalItems"] == 0


def test_an_update_is_checked_like_a_create(api: Api, tasks: dict[str, Any]) -> None:
    created = view(api, tasks, type="calendar", options={"dateField": "due"})
    response = api.request("PATCH", f"{VIEWS}/{created['id']}", json={"options": {"dateField": "nope"}})
    assert response.status_code == 400 and "options.dateField" in response.json()["data"]["options"]["message"]
    assert api.ok("GET", f"{VIEWS}/{created['id']}")["options"] == {"dateField": "due"}


def test_slugs_are_unique_when_set(api: Api, tasks: dict[str, Any]) -> None:
    slug = unique("signup").replace("_", "-")
    view(api, tasks, slug=slug)
    view(api, tasks)  # two views without a slug are fine
    response = api.request("POST", VIEWS, json={"collection": tasks["id"], "name": "x", "type": "grid", "slug": slug})
    assert response.status_code == 400 and "slug" in response.json()["data"]


def test_who_sees_a_view_is_its_view_rule(api: Api, tasks: dict[str, Any]) -> None:
    # Given views for superusers only (null), for everyone (""), and for one user
    user_id = api.users["user"]["id"]
    hidden = view(api, tasks, name=unique("hidden"))
    public = view(api, tasks, name=unique("public"), viewRule="")
    mine = view(api, tasks, name=unique("mine"), viewRule=f"@request.auth.id = '{user_id}'")
    ids = {hidden["id"], public["id"], mine["id"]}

    def listed(role: str) -> set[str]:
        page = api.list_records("_views", role=role, perPage=500)
        if role != "superuser":  # (a superuser's total is the counter, which the stream keeps a moment later)
            assert page["totalItems"] == len(page["items"])  # the total counts only the views the caller sees
        return {item["id"] for item in page["items"]} & ids

    # Then each caller lists the views it may see, and a hidden one is a 404 by id
    assert listed("superuser") == ids
    assert listed("user") == {public["id"], mine["id"]}
    assert listed("other") == listed(GUEST) == {public["id"]}
    assert api.request("GET", f"{VIEWS}/{mine['id']}", role="other").status_code == 404
    assert api.request("GET", f"{VIEWS}/{hidden['id']}", role="user").status_code == 404
    assert api.request("GET", f"{VIEWS}/{mine['id']}", role="user").status_code == 200


def test_who_changes_a_view_is_its_manage_rule_and_creating_one_is_for_superusers(api: Api,
                                                                                 tasks: dict[str, Any]) -> None:
    user_id = api.users["user"]["id"]
    managed = view(api, tasks, viewRule="", manageRule=f"@request.auth.id = '{user_id}'")
    path = f"{VIEWS}/{managed['id']}"
    # a user may not create a view (a form view would let guests create records)
    created = api.request("POST", VIEWS, role="user", json={"collection": tasks["id"], "name": "x", "type": "grid"})
    assert created.status_code == 403
    # one the manageRule does not admit sees the view but may not change or delete it
    assert api.request("PATCH", path, role="other", json={"name": "renamed"}).status_code == 404
    assert api.request("DELETE", path, role="other").status_code == 404
    # the manager may change how it shows records, not what it grants
    assert api.request("PATCH", path, role="user", json={"sort": "title"}).status_code == 200
    widened = api.request("PATCH", path, role="user", json={"manageRule": ""})
    assert widened.status_code == 403 and "manageRule" in widened.json()["message"]
    assert api.request("PATCH", path, role="user", json={"type": "form"}).status_code == 403
    assert api.request("PATCH", path, role="user", json={"filter": "title = 'x'"}).status_code == 403
    assert api.request("PATCH", path, role="user", json={"options": {"x": 1}}).status_code == 403
    assert api.ok("GET", path)["manageRule"] == f"@request.auth.id = '{user_id}'"
    assert api.request("DELETE", path, role="user").status_code == 204
