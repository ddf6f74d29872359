"""Conformance of API rules: what guests, users and superusers may list, view, create, update and delete,
hidden fields and emailVisibility."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance.paired import GUEST, SUPERUSER, PairedClient
from tests.conformance.scenario import Case, cases, check

OWNED = "/api/collections/rule_owned/records"
LOCKED = "/api/collections/rule_locked/records"
PUBLISHED = "/api/collections/rule_pub/records"
BODY = "/api/collections/rule_body/records"
MEMBERS = "/api/collections/rule_members/records"
USERS = "/api/collections/users/records"
ROLES = (GUEST, "alice", "bob", SUPERUSER)


def per_role(name: str, method: str, path: str, **kwargs: Any) -> list[Case]:
    """The same request as each role: guest, the two users and the superuser."""
    return [Case(f"{name} as {role}", method, path, role=role, **kwargs) for role in ROLES]


CASES = cases(
    *per_role("list owned", "GET", OWNED, params={"sort": "title"}),
    *per_role("view alice's record", "GET", OWNED + "/${own_a}"),
    *per_role("create an owned record", "POST", OWNED, body={"title": "new", "owner": "${alice}"}),
    *per_role("update alice's record", "PATCH", OWNED + "/${own_a2}", body={"title": "edited"}),
    *per_role("delete bob's record", "DELETE", OWNED + "/${own_b2}"),
    *per_role("list locked", "GET", LOCKED),
    *per_role("view locked", "GET", LOCKED + "/${locked1}"),
    *per_role("create locked", "POST", LOCKED, body={"title": "x"}),
    *per_role("update locked", "PATCH", LOCKED + "/${locked1}", body={"title": "y"}),
    *per_role("delete locked", "DELETE", LOCKED + "/${locked2}"),
    *per_role("list published only", "GET", PUBLISHED, params={"sort": "title"}),
    *per_role("view a draft", "GET", PUBLISHED + "/${draft}"),
    *per_role("list users", "GET", USERS, params={"sort": "name,email"}),
    *per_role("view bob", "GET", USERS + "/${bob}"),
    *per_role("list members (emailVisibility)", "GET", MEMBERS, params={"sort": "name"}),
    Case("create: body rule passes", "POST", BODY, role="alice", body={"title": "fine"}),
    Case("create: body rule fails", "POST", BODY, role="alice", body={"title": "forbidden"}),
    Case("create: body rule with a missing field", "POST", BODY, role="alice", body={}),
    Case("create: body rule as guest", "POST", BODY, role=GUEST, body={"title": "fine"}),
    Case("create owned for someone else", "POST", OWNED, role="alice", body={"title": "x", "owner": "${bob}"}),
    Case("filter owned as a user narrows further", "GET", OWNED, role="alice", params={"filter": "title ~ '2'"}),
    Case("update owner to someone else", "PATCH", OWNED + "/${own_a3}", role="alice", body={"owner": "${bob}"}),
    Case("user updates own email visibility", "PATCH", USERS + "/${alice}", role="alice",
         body={"emailVisibility": True}),
    Case("user changes own verified flag", "PATCH", USERS + "/${alice}", role="alice", body={"verified": True}),
    Case("user changes another user", "PATCH", USERS + "/${bob}", role="alice", body={"name": "x"}),
    Case("superuser sets verified", "PATCH", USERS + "/${bob}", body={"verified": True}),
)


@pytest.fixture(scope="module", autouse=True)
def world(paired: PairedClient) -> Iterator[None]:
    owner_rule = "owner = @request.auth.id"
    paired.create_collection({"name": "rule_owned", "type": "base", "listRule": owner_rule, "viewRule": owner_rule,
                              "createRule": "@request.auth.id != '' && @request.body.owner = @request.auth.id",
                              "updateRule": owner_rule + " && (@request.body.owner:isset = false || "
                                                         "@request.body.owner = @request.auth.id)",
                              "deleteRule": owner_rule, "fields": [
                                  {"name": "title", "type": "text"},
                                  {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_"}]})
    for name, owner in (("own_a", "alice"), ("own_a2", "alice"), ("own_a3", "alice"), ("own_b", "bob"),
                        ("own_b2", "bob")):
        paired.create_record("rule_owned", name, {"title": name, "owner": f"${{{owner}}}"})
    paired.create_collection({"name": "rule_locked", "type": "base", "fields": [{"name": "title", "type": "text"}]})
    paired.create_record("rule_locked", "locked1", {"title": "l1"})
    paired.create_record("rule_locked", "locked2", {"title": "l2"})
    paired.create_collection({"name": "rule_pub", "type": "base", "listRule": "status = 'published'",
                              "viewRule": "status = 'published' || @request.auth.id != ''", "fields": [
                                  {"name": "title", "type": "text"},
                                  {"name": "status", "type": "select", "values": ["draft", "published"]}]})
    paired.create_record("rule_pub", "pub", {"title": "pub", "status": "published"})
    paired.create_record("rule_pub", "draft", {"title": "draft", "status": "draft"})
    paired.create_collection({"name": "rule_body", "type": "base", "createRule":
                              "@request.auth.id != '' && @request.body.title != 'forbidden'",
                              "fields": [{"name": "title", "type": "text"}]})
    paired.create_collection({"name": "rule_members", "type": "auth", "listRule": "", "viewRule": "",
                              "fields": [{"name": "name", "type": "text"}]})
    for name, visible in (("m1", True), ("m2", False)):
        paired.create_record("rule_members", name, {"email": f"{name}@example.com", "emailVisibility": visible,
                                                    "name": name, "password": "Violet-Harbor-Lantern-77",
                                                    "passwordConfirm": "Violet-Harbor-Lantern-77"})
    # users is written by other modules too: its counter-backed total must have caught up before it is listed
    for collection in ("rule_owned", "rule_locked", "rule_pub", "rule_members", "users"):
        paired.settle(collection)
    yield


@pytest.mark.parametrize("case", CASES)
def test_rules(paired: PairedClient, case: Case) -> None:
    # Given collections guarded by rules, When each role sends the same request to both, Then both decide alike
    check(paired, case)
