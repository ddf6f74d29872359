"""Field-level rules in the records engine: the options' JSON, their checks, and writes through body modifiers."""

from __future__ import annotations

import pytest

from shared.collections.fields import parse_field
from shared.errors import ApiError
from shared.records.field_rules import WRITE_FORBIDDEN_CODE, record_independent
from tests.unit.records.rules_world import PASSWORD, World


def test_the_options_round_trip_and_are_absent_when_null() -> None:
    # Given a field with both rules, one with none
    ruled = parse_field({"type": "select", "name": "tags", "values": ["a", "b"], "maxSelect": 2,
                         "readRule": "", "writeRule": "@request.auth.id != ''"})
    plain = parse_field({"type": "select", "name": "tags", "values": ["a", "b"], "maxSelect": 2})
    # Then the ruled one serialises both ("" is everyone, kept), the plain one neither, and both parse back
    assert (ruled.to_json()["readRule"], ruled.to_json()["writeRule"]) == ("", "@request.auth.id != ''")
    assert "readRule" not in plain.to_json() and "writeRule" not in plain.to_json()
    assert parse_field(ruled.to_json()) == ruled and parse_field(plain.to_json()) == plain


@pytest.mark.parametrize(("rule", "independent"), [
    ("@request.auth.id != ''", True), ("@request.auth.roles ?= 'hr'", True), ("", True),
    ("@collection.people.id ?= @request.auth.id", True),
    ("owner = @request.auth.id", False), ("owner.name = 'x' || @request.auth.id = ''", False),
    ("posts_via_author.id != ''", False),
])
def test_record_independence_is_whether_the_rule_names_the_record(rule: str, independent: bool) -> None:
    assert record_independent(rule) is independent


@pytest.fixture
def world() -> World:
    w = World()
    w.collection({"name": "people", "type": "auth", "listRule": "", "viewRule": "", "fields": [
        {"name": "nick", "type": "text"}]})
    w.collection({"name": "items", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
                  "updateRule": "", "fields": [
                      {"name": "title", "type": "text"},
                      {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3,
                       "writeRule": "@request.auth.nick = 'boss'"},
                      {"name": "count", "type": "number", "writeRule": "@request.body.count < 10"},
                      {"name": "code", "type": "text", "autogeneratePattern": "[a-z]{4}",
                       "writeRule": "@request.auth.nick = 'boss'"}]})
    return w


def _person(world: World, nick: str) -> str:
    return world.record("people", {"email": f"{nick}@x.com", "password": PASSWORD, "passwordConfirm": PASSWORD,
                                   "nick": nick}).id


@pytest.mark.parametrize("body", [{"tags": ["b"]}, {"tags+": ["b"]}, {"+tags": ["b"]}, {"tags-": ["a"]},
                                  {"code:autogenerate": "x"}, {"code": "abcd"}])
def test_every_modifier_of_a_ruled_field_counts_as_setting_it(world: World, body: dict[str, object]) -> None:
    # Given an item, and a member who is not the boss
    item = world.record("items", {"title": "t", "tags": ["a"]}).id
    member = _person(world, "member")
    # When the member updates the ruled field, by any modifier
    with pytest.raises(ApiError) as refused:
        world.service(member, method="PATCH", body=body, as_collection="people").writer.update("items", item, body)
    # Then it is that field's 400, and the item is unchanged
    assert refused.value.status == 400
    assert {k: v["code"] for k, v in refused.value.data.items()} == {next(iter(body)).strip("+-").split(":")[0]:
                                                                   WRITE_FORBIDDEN_CODE}
    assert world.service("superuser").reader.view("items", item, {})[0]["tags"] == ["a"]


def test_a_write_rule_sees_the_new_value_through_request_body(world: World) -> None:
    member = _person(world, "member")
    scope = world.service(member, method="POST", body={"count": 3}, as_collection="people")
    assert scope.writer.create("items", {"count": 3}).record is not None
    high = world.service(member, method="POST", body={"count": 30}, as_collection="people")
    with pytest.raises(ApiError) as refused:
        high.writer.create("items", {"count": 30})
    assert refused.value.data["count"]["code"] == WRITE_FORBIDDEN_CODE


def test_the_boss_and_superusers_pass(world: World) -> None:
    boss = _person(world, "boss")
    item = world.record("items", {"title": "t"}).id
    body = {"tags+": ["c"]}
    world.service(boss, method="PATCH", body=body, as_collection="people").writer.update("items", item, body)
    assert world.service("superuser").reader.view("items", item, {})[0]["tags"] == ["c"]
