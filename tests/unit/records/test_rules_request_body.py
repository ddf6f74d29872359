"""`@request.body` sees a field whatever modifier names it, with the value the write would produce, as PocketBase.

The answers (allowed or refused) were recorded against the real PocketBase 0.40.6 with the same rules.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest

from shared.errors import ApiError
from tests.unit.records.rules_world import PASSWORD, World

OWN = "id = @request.auth.id"


MEMBERS = {
    "name": "members", "type": "auth", "listRule": "", "viewRule": "", "createRule": "", "updateRule": OWN,
    "fields": [{"name": "role", "type": "select", "values": ["user", "admin"]},
               {"name": "badges", "type": "select", "values": ["x", "admin"], "maxSelect": 2},
               {"name": "credits", "type": "number"},
               {"name": "secret", "type": "text", "hidden": True},
               {"name": "nick", "type": "text", "autogeneratePattern": "[a-z]{5}"}]}
MEMBER = "member000000001"


@lru_cache(maxsize=1)
def _members() -> World:
    """One member (role user, 1 credit); checks only prepare writes, so the world is shared."""
    world = World()
    world.collection(MEMBERS)
    world.record("members", {"id": MEMBER, "email": "m@x.com", "password": PASSWORD, "passwordConfirm": PASSWORD,
                             "role": "user", "credits": 1})
    return world


def _with_rules(**rules: str) -> World:
    world = _members()
    stored = world.collections.get("members")
    collection = stored.collection.model_copy(update=rules)
    world.collections.save(stored.model_copy(update={"collection": collection}))
    return world


def _update(update_rule: str, body: dict[str, Any]) -> int:
    world = _with_rules(update_rule=update_rule)
    service = world.service(MEMBER, method="PATCH", body=body, as_collection="members")
    try:
        service.writer.prepare_update("members", MEMBER, body)
    except ApiError as exc:
        return exc.status
    return 200


def _create(create_rule: str, body: dict[str, Any]) -> int:
    world = _with_rules(create_rule=create_rule)
    full = {"email": "new@x.com", "password": PASSWORD, "passwordConfirm": PASSWORD, **body}
    service = world.service("guest", method="POST", body=full)
    try:
        service.writer.prepare_create("members", full)
    except ApiError as exc:
        return exc.status
    return 200


NO_ROLE = f"{OWN} && @request.body.role:isset = false"
NO_BADGES = f"{OWN} && @request.body.badges:isset = false"
NO_CREDITS = f"{OWN} && @request.body.credits:isset = false"
FEW_CREDITS = f"{OWN} && (@request.body.credits:isset = false || @request.body.credits < 10)"
NO_NICK = f"{OWN} && @request.body.nick:isset = false"
NICK_PREFIX = f"{OWN} && (@request.body.nick:isset = false || @request.body.nick ~ 'pre%')"
NO_ADMIN_BADGE = f"{OWN} && @request.body.badges:each != 'admin'"


@pytest.mark.parametrize(("rule", "body", "status"), [
    (NO_ROLE, {"role": "admin"}, 404),
    (NO_ROLE, {"role+": "admin"}, 404),
    (NO_ROLE, {"+role": "admin"}, 404),
    (NO_ROLE, {"role-": "user"}, 404),
    (NO_ROLE, {"title": "x"}, 200),
    (NO_BADGES, {"badges+": "admin"}, 404),
    (NO_BADGES, {"+badges": "admin"}, 404),
    (NO_BADGES, {"badges-": "x"}, 404),
    (NO_ADMIN_BADGE, {"badges+": "admin"}, 404),
    (NO_ADMIN_BADGE, {"badges+": "x"}, 200),
    (NO_CREDITS, {"credits+": 5}, 404),
    (NO_CREDITS, {"credits-": 5}, 404),
    (NO_CREDITS, {"credits": 5}, 404),
    # the rule sees the value the modifier produces: 1 + 5 = 6 passes, 1 + 20 = 21 does not
    (FEW_CREDITS, {"credits+": 5}, 200),
    (FEW_CREDITS, {"credits+": 20}, 404),
    (FEW_CREDITS, {"credits-": 1}, 200),
    (FEW_CREDITS, {"credits": "5"}, 200),
    (FEW_CREDITS, {"credits": 5, "credits+": 10}, 404),
    (NO_NICK, {"nick:autogenerate": "x"}, 404),
    (NO_NICK, {"nick": "y"}, 404),
    (NICK_PREFIX, {"nick:autogenerate": "pre"}, 200),
    (NICK_PREFIX, {"nick:autogenerate": "zz"}, 404),
    # a hidden field a user sends is dropped before the rules, as it is not written either
    (f"{OWN} && @request.body.secret:isset = false", {"secret": "new"}, 200),
    # keys that are no field stay as sent
    (f"{OWN} && @request.body.passwordConfirm:isset = false", {"passwordConfirm": "zz"}, 404),
])
def test_a_user_cannot_write_a_guarded_field_through_a_modifier(rule: str, body: dict[str, Any], status: int) -> None:
    # Given an updateRule guarding a field with @request.body / When the owner sends it under any modifier
    # Then the rule sees it (404 as PocketBase when the rule fails)
    assert _update(rule, body) == status


@pytest.mark.parametrize(("rule", "body", "status"), [
    ("@request.body.role:isset = false", {"role": "admin"}, 400),
    ("@request.body.role:isset = false", {"role+": "admin"}, 400),
    ("@request.body.role:isset = false", {"+role": "admin"}, 400),
    ("@request.body.credits:isset = false", {"credits+": 100}, 400),
    ("@request.body.credits:isset = false", {"credits-": 1}, 400),
    ("@request.body.credits:isset = false || @request.body.credits <= 0", {"credits-": 3}, 200),
    ("@request.body.nick:isset = false", {"nick:autogenerate": "a"}, 400),
    ("@request.body.badges:length = 0", {"badges+": ["x"]}, 400),
    ("@request.body.role:isset = false", {"credits": 1}, 200),
])
def test_a_guest_cannot_create_with_a_guarded_field_through_a_modifier(rule: str, body: dict[str, Any],
                                                                        status: int) -> None:
    # Given a createRule guarding a field / When a guest creates with it under any modifier / Then it is refused
    assert _create(rule, body) == status


@pytest.mark.parametrize(("rule", "body", "status"), [
    # a list in the body compares as its JSON text unless :each / :length look at its items
    (f"{OWN} && @request.body.badges = '[\"x\"]'", {"badges": ["x"]}, 200),
    (f"{OWN} && @request.body.badges ?= 'x'", {"badges": ["x"]}, 404),
    (f"{OWN} && @request.body.badges:each ?= 'x'", {"badges": ["x"]}, 200),
    (f"{OWN} && @request.body.badges:length = 2", {"badges": ["x", "admin"]}, 200),
    (f"{OWN} && @request.body.credits:changed = false", {"credits+": 0}, 200),
    (f"{OWN} && @request.body.credits:changed = false", {"credits+": 1}, 404),
])
def test_body_values_compare_as_in_pocketbase(rule: str, body: dict[str, Any], status: int) -> None:
    assert _update(rule, body) == status
