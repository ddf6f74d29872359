"""Roles over HTTP: `_roles` records with inheritance, assigned through an auth collection's `roles` relation,
read by rules as `@request.auth.roles`; cycles refused on save, also through a batch."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, USER_PASSWORD, Api, unique

pytestmark = pytest.mark.api

ROLES = "/api/collections/_roles/records"


@pytest.fixture(scope="module")
def api(stack: InProcessStack) -> Api:
    return Api(stack.url).sign_in_superuser()


@pytest.fixture(scope="module")
def world(api: Api) -> dict[str, str]:
    """staff (auth, with `roles`) and docs listed to viewers, updated by editors; viewer <- editor <- admin."""
    roles_id = api.ok("GET", "/api/collections/_roles")["id"]
    staff, docs = unique("staff"), unique("docs")
    api.create_collection({"name": staff, "type": "auth", "listRule": "", "viewRule": "", "fields": [
        {"name": "roles", "type": "relation", "collectionId": roles_id, "maxSelect": 20}]})
    api.create_collection({"name": docs, "type": "base", "listRule": "@request.auth.roles ?= 'viewer'",
                           "viewRule": "@request.auth.roles ?= 'viewer'",
                           "updateRule": "@request.auth.roles ?= 'editor'",
                           "fields": [{"name": "title", "type": "text"}]})
    suffix = uuid.uuid4().hex[:6]
    viewer = api.create_record("_roles", {"name": f"viewer_{suffix}"})["id"]
    editor = api.create_record("_roles", {"name": f"editor_{suffix}", "includes": [viewer]})["id"]
    admin = api.create_record("_roles", {"name": f"admin_{suffix}", "includes": [editor]})["id"]
    # the rules name the roles of this module: other modules' roles on the same stack never match
    for rule_key, role in (("listRule", "viewer"), ("viewRule", "viewer"), ("updateRule", "editor")):
        api.ok("PATCH", f"/api/collections/{docs}", json={rule_key: f"@request.auth.roles ?= '{role}_{suffix}'"})
    doc = api.create_record(docs, {"title": "plan"})["id"]
    return {"staff": staff, "docs": docs, "viewer": viewer, "editor": editor, "admin": admin, "doc": doc,
            "suffix": suffix}


def _member(api: Api, world: dict[str, str], *roles: str) -> tuple[str, str]:
    """A staff record with these roles, signed in: (record id, token)."""
    email = f"s-{uuid.uuid4().hex[:8]}@example.com"
    record = api.create_record(world["staff"], {"email": email, "password": USER_PASSWORD,
                                                "passwordConfirm": USER_PASSWORD, "roles": list(roles)})
    signed = api.http.post(f"/api/collections/{world['staff']}/auth-with-password",
                           json={"identity": email, "password": USER_PASSWORD})
    assert signed.status_code == 200, signed.text
    return record["id"], signed.json()["token"]


def _listed(api: Api, world: dict[str, str], token: str) -> list[str]:
    page = api.http.get(f"/api/collections/{world['docs']}/records", headers={"Authorization": token})
    assert page.status_code == 200, page.text
    return [item["id"] for item in page.json()["items"]]


def test_a_direct_and_an_inherited_role_both_pass_the_rule(api: Api, world: dict[str, str]) -> None:
    # Given a viewer, an admin (viewer through editor) and a member without roles
    _, viewer = _member(api, world, world["viewer"])
    _, admin = _member(api, world, world["admin"])
    _, nobody = _member(api, world)
    # Then the viewer and the admin list the doc, the member without roles and a guest do not
    assert _listed(api, world, viewer) == [world["doc"]]
    assert _listed(api, world, admin) == [world["doc"]]
    assert _listed(api, world, nobody) == []
    assert api.request("GET", f"/api/collections/{world['docs']}/records", role=GUEST).json()["items"] == []


def test_an_inherited_role_grants_the_update_and_a_viewer_is_refused(api: Api, world: dict[str, str]) -> None:
    _, viewer = _member(api, world, world["viewer"])
    _, admin = _member(api, world, world["admin"])
    url = f"/api/collections/{world['docs']}/records/{world['doc']}"
    # When a viewer and an admin (editor by inheritance) update the doc
    refused = api.http.patch(url, json={"title": "v"}, headers={"Authorization": viewer})
    done = api.http.patch(url, json={"title": "by admin"}, headers={"Authorization": admin})
    # Then the viewer gets PocketBase's 404 for a failed updateRule, the admin's update lands
    assert refused.status_code == 404
    assert done.status_code == 200 and done.json()["title"] == "by admin"


def test_taking_a_role_away_ends_the_access(api: Api, world: dict[str, str]) -> None:
    # Given a member holding editor (viewer by inheritance), who lists the doc
    member, token = _member(api, world, world["editor"])
    assert _listed(api, world, token) == [world["doc"]]
    # When a superuser takes the role away (the same token still signs the requests)
    api.ok("PATCH", f"/api/collections/{world['staff']}/records/{member}", json={"roles": []})
    # Then the next request no longer passes: the assignment is read with the auth record, at once
    assert _listed(api, world, token) == []


def test_an_include_removed_ends_the_inherited_access_within_the_tolerance(api: Api, world: dict[str, str]) -> None:
    # Given a role of its own that includes viewer, and a member holding it
    suffix = world["suffix"]
    lead = api.create_record("_roles", {"name": f"lead_{suffix}", "includes": [world["viewer"]]})["id"]
    _, token = _member(api, world, lead)
    assert _listed(api, world, token) == [world["doc"]]
    # When the role stops including viewer
    api.ok("PATCH", f"{ROLES}/{lead}", json={"includes": []})
    # Then the member loses the access: at once here (the writing instance drops its cache), and at most
    # ROLE_CACHE_SECONDS later on any other instance (tests/unit/records/test_roles.py)
    assert _listed(api, world, token) == []


def _cycle_error(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400 and body["message"] == "Failed to update record."
    return dict(body["data"]["includes"])


def test_a_role_including_itself_is_refused(api: Api, world: dict[str, str]) -> None:
    solo = api.create_record("_roles", {"name": f"solo_{world['suffix']}"})["id"]
    error = _cycle_error(api.request("PATCH", f"{ROLES}/{solo}", json={"includes": [solo]}))
    assert error["code"] == "validation_role_cycle"
    assert f"solo_{world['suffix']} -> solo_{world['suffix']}" in error["message"]
    assert api.ok("GET", f"{ROLES}/{solo}")["includes"] == []


def test_a_cycle_through_three_roles_is_refused_and_named(api: Api, world: dict[str, str]) -> None:
    # Given a <- b <- c (c includes b, b includes a)
    s = world["suffix"]
    a = api.create_record("_roles", {"name": f"ca_{s}"})["id"]
    b = api.create_record("_roles", {"name": f"cb_{s}", "includes": [a]})["id"]
    c = api.create_record("_roles", {"name": f"cc_{s}", "includes": [b]})["id"]
    # When a is made to include c
    error = _cycle_error(api.request("PATCH", f"{ROLES}/{a}", json={"includes+": [c]}))
    # Then the 400 names the whole cycle, from the role saved, and nothing changed
    assert error["message"] == f"Roles cannot include each other in a cycle: ca_{s} -> cc_{s} -> cb_{s} -> ca_{s}."
    assert api.ok("GET", f"{ROLES}/{a}")["includes"] == []


def test_a_cycle_closed_inside_a_batch_is_refused_and_the_batch_writes_nothing(api: Api, world: dict[str, str]
                                                                                 ) -> None:
    # Given two unrelated roles
    s = world["suffix"]
    x = api.create_record("_roles", {"name": f"bx_{s}"})["id"]
    y = api.create_record("_roles", {"name": f"by_{s}"})["id"]
    # When one batch makes x include y, then y include x
    response = api.request("POST", "/api/batch", json={"requests": [
        {"method": "PATCH", "url": f"{ROLES}/{x}", "body": {"includes": [y]}},
        {"method": "PATCH", "url": f"{ROLES}/{y}", "body": {"includes": [x]}}]})
    # Then the second request fails with the cycle (the first one's change counted) and neither is written
    assert response.status_code == 400, response.text
    assert "validation_role_cycle" in response.text and f"by_{s} -> bx_{s} -> by_{s}" in response.text
    assert api.ok("GET", f"{ROLES}/{x}")["includes"] == []
    assert api.ok("GET", f"{ROLES}/{y}")["includes"] == []


def test_roles_are_written_by_superusers_only_and_read_by_signed_in_callers(api: Api, world: dict[str, str]
                                                                           ) -> None:
    _, token = _member(api, world, world["viewer"])
    member = {"Authorization": token}
    # a signed-in member may list and expand its roles, not create or change them; a guest may not list them
    assert api.http.post(ROLES, json={"name": "sneaky"}, headers=member).status_code == 403
    assert api.http.patch(f"{ROLES}/{world['viewer']}", json={"name": "x"}, headers=member).status_code == 403
    assert api.http.get(ROLES, headers=member).json()["totalItems"] >= 3
    assert api.request("GET", ROLES, role=GUEST).json()["items"] == []


def test_role_names_are_unique_and_rule_friendly(api: Api, world: dict[str, str]) -> None:
    taken = api.request("POST", ROLES, json={"name": f"viewer_{world['suffix']}"})
    spaced = api.request("POST", ROLES, json={"name": "has space"})
    assert taken.status_code == 400 and taken.json()["data"]["name"]["code"] == "validation_not_unique"
    assert spaced.status_code == 400 and spaced.json()["data"]["name"]["code"] == "validation_invalid_format"


def test_nobody_grants_themselves_a_role_unless_a_write_rule_delegates_it(api: Api, world: dict[str, str]) -> None:
    # Given a self-service auth collection (open sign-up, own-record updates) with a roles field
    roles_id = api.ok("GET", "/api/collections/_roles")["id"]
    club = unique("club")
    api.create_collection({"name": club, "type": "auth", "createRule": "", "updateRule": "id = @request.auth.id",
                           "listRule": "id = @request.auth.id", "viewRule": "id = @request.auth.id",
                           "fields": [{"name": "roles", "type": "relation", "collectionId": roles_id,
                                       "maxSelect": 5}]})
    records = f"/api/collections/{club}/records"
    forbidden = {"roles": {"code": "validation_field_write_forbidden",
                           "message": "You are not allowed to set this field."}}
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    account = {"email": email, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD}
    # When a guest signs up with the admin role
    signup = api.request("POST", records, role=GUEST, json={**account, "roles": [world["admin"]]})
    # Then it is refused on `roles`, and no account was made
    assert signup.status_code == 400 and signup.json()["data"] == forbidden
    assert api.list_records(club)["totalItems"] == 0
    # When a signed-up member updates its own roles
    member = api.request("POST", records, role=GUEST, json=account).json()["id"]
    token = api.http.post(f"/api/collections/{club}/auth-with-password",
                          json={"identity": email, "password": USER_PASSWORD}).json()["token"]
    own = api.http.patch(f"{records}/{member}", json={"roles": [world["admin"]]}, headers={"Authorization": token})
    # Then that is refused too, while a superuser may assign it
    assert own.status_code == 400 and own.json()["data"] == forbidden
    assert api.ok("GET", f"{records}/{member}")["roles"] == []
    assert api.ok("PATCH", f"{records}/{member}", json={"roles": [world["viewer"]]})["roles"] == [world["viewer"]]
    # And a writeRule delegates it: here to members who are already admins (this one is not)
    fields = api.ok("GET", f"/api/collections/{club}")["fields"]
    for field in fields:
        if field["name"] == "roles":
            field["writeRule"] = f"@request.auth.roles ?= 'admin_{world['suffix']}'"
    api.ok("PATCH", f"/api/collections/{club}", json={"fields": fields})
    still = api.http.patch(f"{records}/{member}", json={"roles": [world["admin"]]}, headers={"Authorization": token})
    assert still.status_code == 400 and still.json()["data"] == forbidden
    api.ok("PATCH", f"{records}/{member}", json={"roles": [world["admin"]]})
    again = api.http.patch(f"{records}/{member}", json={"roles": [world["viewer"], world["admin"]]},
                           headers={"Authorization": token})
    assert again.status_code == 200, again.text
