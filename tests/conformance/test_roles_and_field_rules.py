"""Roles and field-level rules against the real PocketBase: the additive field options leave PocketBase's own field
JSON unchanged, and `@request.auth.roles` without a roles field is PocketBase's unknown auth field (docs/rules.md)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.conformance.paired import GUEST, PairedClient

RULES = {"readRule": "@request.auth.id != ''", "writeRule": "@request.auth.id != ''"}


def _fields(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in answer["fields"]}


def test_the_options_are_additive_and_pocketbase_drops_them(paired: PairedClient) -> None:
    # Given the same collection created on both sides, one field carrying readRule and writeRule
    paired.create_collection({"name": "field_rules", "type": "base", "listRule": "", "viewRule": "", "fields": [
        {"name": "title", "type": "text"}, {"name": "salary", "type": "number", **RULES}]})
    pb, lb = paired.ok("GET", "/api/collections/field_rules")
    ours, theirs = _fields(lb), _fields(pb)
    # Then PocketBase accepted the options and dropped them; Lambdabase keeps them on that field only
    assert "readRule" not in theirs["salary"] and "writeRule" not in theirs["salary"]
    assert {key: ours["salary"][key] for key in RULES} == RULES
    # and without them, every field's JSON is PocketBase's, key for key
    assert {name: {k: v for k, v in f.items() if k not in RULES} for name, f in ours.items()} == theirs
    # When a guest lists a record: PocketBase shows the field, Lambdabase hides it (the deliberate difference)
    paired.create_record("field_rules", "row", {"title": "t", "salary": 5})
    pb_page, lb_page = paired.send("GET", "/api/collections/field_rules/records", role=GUEST).json()
    assert pb_page["items"][0]["salary"] == 5
    assert "salary" not in lb_page["items"][0] and lb_page["items"][0]["title"] == "t"


@pytest.mark.parametrize("rule", ["@request.auth.roles ?= 'editor'", "@request.auth.roles:each != 'x'",
                                  "@request.auth.roles = ''", "@request.auth.nope.name = ''"])
def test_roles_on_a_collection_without_them_is_an_unknown_auth_field_as_in_pocketbase(paired: PairedClient,
                                                                                     rule: str) -> None:
    # Given a collection listed by a rule on `@request.auth.roles`, which `users` (no roles field) lacks
    name = "roles_rule_" + hashlib.sha1(rule.encode()).hexdigest()[:8]
    paired.create_collection({"name": name, "type": "base", "listRule": rule,
                              "fields": [{"name": "t", "type": "text"}]})
    paired.create_record(name, f"{name}_row", {"t": "a"})
    # When alice lists it on both sides
    pb, lb = paired.send("GET", f"/api/collections/{name}/records", role="alice").json()
    # Then both treat the unknown field as null: the same answer, status and items
    assert [i["t"] for i in lb["items"]] == [i["t"] for i in pb["items"]]
    assert lb["totalItems"] == pb["totalItems"]
