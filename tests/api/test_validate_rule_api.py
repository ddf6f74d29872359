"""POST /api/collections/meta/validate-rule: the rule editor's check as you type, the same checks a save runs."""

from __future__ import annotations

import pytest

from tests.support.records_api import GUEST, Api

PATH = "/api/collections/meta/validate-rule"


@pytest.fixture(scope="module")
def notes(api: Api) -> dict:
    return api.create_collection({"name": "rule_notes", "type": "base", "fields": [
        {"name": "title", "type": "text"}, {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_"}]})


@pytest.mark.parametrize(("rule", "valid"), [
    ("", True),
    ("   ", True),
    ("title != ''", True),
    ("owner = @request.auth.id", True),
    ("owner.email ~ 'example.com' && @request.method = 'GET'", True),
    ("@collection.users.id ?= @request.auth.id", True),
])
def test_rules_that_a_save_accepts_are_valid(api: Api, notes: dict, rule: str, valid: bool) -> None:
    assert api.ok("POST", PATH, json={"rule": rule, "collection": notes["name"]}) == {"valid": valid}


def test_a_syntax_error_answers_the_save_time_message(api: Api, notes: dict) -> None:
    answer = api.ok("POST", PATH, json={"rule": "title = ", "collection": notes["id"]})
    assert answer["valid"] is False
    assert answer["message"].startswith("Invalid rule. Raw error: ")
    # and the same rule in a save is refused with that message
    saved = api.request("PATCH", f"/api/collections/{notes['id']}", json={"listRule": "title = "})
    assert saved.status_code == 400
    assert saved.json()["data"]["listRule"]["message"] == answer["message"]


def test_an_unknown_field_is_invalid_for_the_collection(api: Api, notes: dict) -> None:
    answer = api.ok("POST", PATH, json={"rule": "nope = 1", "collection": notes["name"]})
    assert answer["valid"] is False
    assert answer["message"].startswith("Invalid rule. Raw error: ") and "'nope'" in answer["message"]
    # without a collection only the syntax is checked
    assert api.ok("POST", PATH, json={"rule": "nope = 1"}) == {"valid": True}


def test_the_draft_of_the_editor_counts_its_unsaved_fields(api: Api, notes: dict) -> None:
    draft = {**notes, "fields": [*notes["fields"], {"name": "status", "type": "text"}]}
    assert api.ok("POST", PATH, json={"rule": "status = 'open'", "collection": draft}) == {"valid": True}
    new = {"name": "not_saved_yet", "type": "base", "fields": [{"name": "body", "type": "text"}]}
    assert api.ok("POST", PATH, json={"rule": "body != ''", "collection": new}) == {"valid": True}
    assert api.ok("POST", PATH, json={"rule": "title != ''", "collection": new})["valid"] is False


def test_bad_requests_and_callers(api: Api) -> None:
    missing = api.request("POST", PATH, json={})
    assert missing.status_code == 400
    assert missing.json()["data"]["rule"]["code"] == "validation_required"
    unknown = api.request("POST", PATH, json={"rule": "id != ''", "collection": "no_such_collection"})
    assert unknown.status_code == 400
    assert unknown.json()["data"]["collection"]["code"] == "validation_missing_collection"
    too_long = api.request("POST", PATH, json={"rule": "id != '" + "x" * 4000 + "'"})
    assert too_long.status_code == 400
    # superusers only, as every collections endpoint
    assert api.request("POST", PATH, role=GUEST, json={"rule": "id != ''"}).status_code == 401
    assert api.request("POST", PATH, role="user", json={"rule": "id != ''"}).status_code == 403
